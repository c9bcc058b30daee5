# Helpers for test suites that need the development RA (tests/ra/, contract in docs/ra-protocol.md).
#   . tests/lib/ra.sh
#   ra_start "$tmp/ra" || exit 1     # exports RA_JSON RA_PID RA_DIR RA_CA RA_EST RA_API RA_TEST RA_REVOKE
#   ra_host_config "$tmp/ra" "$tmp/host.json"
#   ra_otp A123456789; ra_clock 340; ra_fault simpleenroll pending 5; ra_reset
#   ra_stop
# Needs node, npm (first run: npm ci), curl and jq.
# shellcheck shell=bash

RA_ROOT=${RA_ROOT:-$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}

_ra_field() { jq -r ".$1 // empty" "$RA_JSON"; }

# ra_start DIR [extra run options...]: start the RA in the background (port chosen by the OS, test controls on),
# wait up to 20 s for DIR/ra.json. Its log goes to DIR/ra.log.
ra_start() {
	local dir=$1; shift
	[ -n "$dir" ] || { echo "ra_start: DIR missing" >&2; return 2; }
	mkdir -p "$dir" || return 1
	dir=$(CDPATH='' cd -- "$dir" && pwd)
	if [ ! -d "$RA_ROOT/tests/ra/node_modules/@peculiar/x509" ]; then
		npm ci --prefix "$RA_ROOT/tests/ra" --silent --no-audit --no-fund >"$dir/npm-ci.log" 2>&1 \
			|| { echo "ra_start: npm ci failed, see $dir/npm-ci.log" >&2; return 1; }
	fi
	rm -f "$dir/ra.json"
	"$RA_ROOT/tests/ra/run" --state "$dir" --port 0 --test-controls "$@" >>"$dir/ra.log" 2>&1 &
	RA_PID=$!
	RA_DIR=$dir
	RA_JSON=$dir/ra.json
	export RA_PID RA_DIR RA_JSON
	local _
	for _ in $(seq 1 200); do
		if [ -s "$RA_JSON" ]; then
			RA_CA=$(_ra_field ra_ca_file)
			RA_EST=$(_ra_field est_url)
			RA_API=$(_ra_field api_url)
			RA_TEST=$(_ra_field test_url)
			RA_REVOKE=$(_ra_field revoke_url)
			export RA_CA RA_EST RA_API RA_TEST RA_REVOKE
			return 0
		fi
		kill -0 "$RA_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "ra_start: the RA did not come up; last log lines:" >&2
	tail -n 20 "$dir/ra.log" >&2
	ra_stop
	return 1
}

# ra_stop: SIGTERM the RA started by ra_start (SIGKILL after 5 s) and wait for it.
ra_stop() {
	[ -n "${RA_PID:-}" ] || return 0
	if kill -0 "$RA_PID" 2>/dev/null; then
		kill -TERM "$RA_PID" 2>/dev/null
		local _
		for _ in $(seq 1 50); do
			kill -0 "$RA_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$RA_PID" 2>/dev/null && kill -KILL "$RA_PID" 2>/dev/null
	fi
	wait "$RA_PID" 2>/dev/null
	RA_PID=
	return 0
}

# ra_host_config DIR OUTFILE: host configuration JSON for the RA whose state folder is DIR.
ra_host_config() {
	local json=$1/ra.json out=$2
	jq '{est_url, api_url, ra_ca_file, revoke_url,
	     allowed_callers: ["chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/", "ecert-manager@ecertmanager.org"],
	     key_type: "rsa2048", pkcs12_iterations: 2048}' "$json" >"$out.tmp" && mv -f "$out.tmp" "$out"
}

# ra_curl ARGS...: curl pinned to the RA's CA (silent, shows errors, no failure on HTTP status).
ra_curl() { curl -sS --max-time 30 --cacert "$RA_CA" "$@"; }

# ra_otp_request ID [PASSWORD]: ask the RA to send an OTP (default password Demo1234); prints the JSON answer.
ra_otp_request() { ra_curl -u "$1:${2:-Demo1234}" -X POST "$RA_API/otp"; }

# ra_otp ID: print the last OTP the RA sent to ID (empty and status 1 when none).
ra_otp() {
	local otp
	otp=$(ra_curl "$RA_TEST/otp?id=$1" | jq -r '.otp // empty')
	[ -n "$otp" ] || return 1
	printf '%s\n' "$otp"
}

# ra_clock DAYS: move the RA clock to real time + DAYS (absolute offset, may be fractional or negative).
ra_clock() {
	ra_curl -X POST -H 'Content-Type: application/json' -d "{\"offset_days\": $1}" "$RA_TEST/clock" >/dev/null
}

# ra_reset: back to the seeded customers and certificates, clock offset 0, no faults.
ra_reset() { ra_curl -X POST "$RA_TEST/reset" >/dev/null; }

# ra_fault PATH MODE [SECONDS]: PATH simpleenroll|simplereenroll|cacerts|csrattrs|account|certificates|terms|otp|
# revoke|revoke_page; MODE slow|error500|garbage|pending|none.
ra_fault() {
	local body
	if [ -n "${3:-}" ]; then
		body=$(jq -cn --arg p "$1" --arg m "$2" --argjson s "$3" '{path: $p, mode: $m, seconds: $s}')
	else
		body=$(jq -cn --arg p "$1" --arg m "$2" '{path: $p, mode: $m}')
	fi
	ra_curl -X POST -H 'Content-Type: application/json' -d "$body" "$RA_TEST/fault" >/dev/null
}

# ra_fault_after PATH MODE N: as ra_fault, but the first N requests to PATH are answered as usual.
ra_fault_after() {
	ra_curl -X POST -H 'Content-Type: application/json' \
		-d "$(jq -cn --arg p "$1" --arg m "$2" --argjson n "$3" '{path: $p, mode: $m, after: $n}')" "$RA_TEST/fault" >/dev/null
}
