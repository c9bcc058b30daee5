#!/usr/bin/env bash
# An RA that fails at the transport level (tests/faults/bad-ra.py, real TLS on 127.0.0.1): refusing, silent after
# connect, silent after TLS, dripping, resetting mid-body, garbage, a body that is not JSON, an oversized body, a
# huge header line, thousands of headers. Each gets its documented code within the configured timeouts, the
# connection keeps serving, and nothing is written in the home folder.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-faults-ra.XXXXXX")
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -subj /CN=ca -days 2
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.cnf"
ossl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -set_serial 2 -days 2 -extfile "$T/san.cnf" \
	-out "$T/srv.pem"
python3 tests/faults/bad-ra.py "$T/srv.pem" "$T/srv.key" >"$T/ports" 2>"$T/ra.log" & srv=$!
for _ in $(seq 1 50); do [ -s "$T/ports" ] && break; sleep 0.1; done
read -r tls_port silent_port <"$T/ports"
[ -n "${silent_port:-}" ] || { echo "Bail out! the bad RA did not start"; exit 1; }

# config URL: an RA at URL with short timeouts (connect 2 s, whole request 3 s).
config() {
	jq -n --arg u "$1" --arg ca "$T/ca.pem" \
		'{est_url: $u, api_url: $u, ra_ca_file: $ca, revoke_url: "https://127.0.0.1/revoke",
		  connect_timeout_s: 2, request_timeout_s: 3}' >"$T/host.json"
}
export ECM_CONFIG=$T/host.json
login='{"id":"l","cmd":"login","args":{"id":"A123456789","password":"Demo1234"}}'
hello='{"id":"h","cmd":"hello"}'
# try URL CODE NAME: login through an RA at URL is CODE within 10 s; the same connection still answers hello.
try() {
	local start out r
	config "$1"
	start=$(date +%s)
	out=$(printf '%s\n' "$login" "$hello" | timeout 60 "$ECM" session 2>>"$T/stderr")
	r=$(grep '"id":"l"' <<<"$out")
	is "$(jq -r .error.code <<<"$r")" "$2" "$3: $2"
	ok $(( $(date +%s) - start <= 10 ? 0 : 1 )) "$3: answered within the timeouts"
	is "$(grep '"id":"h"' <<<"$out" | jq -r '"\(.ok) \(.result.logged_in)"')" "true false" \
		"$3: the connection still serves, logged out"
}

try "https://127.0.0.1:1/x" RA_UNREACHABLE "refusing (nothing listens)"
try "https://127.0.0.1:$silent_port/x" RA_TIMEOUT "silent after connect (no TLS answer)"
try "https://127.0.0.1:$tls_port/silent-tls" RA_TIMEOUT "silent after TLS"
try "https://127.0.0.1:$tls_port/drip" RA_TIMEOUT "dripping one byte a second"
try "https://127.0.0.1:$tls_port/reset" RA_UNREACHABLE "reset in the middle of the body"
try "https://127.0.0.1:$tls_port/garbage" RA_BAD_RESPONSE "garbage instead of HTTP"
try "https://127.0.0.1:$tls_port/bad-json" RA_BAD_RESPONSE "HTTP 200 whose JSON body is not JSON"
try "https://127.0.0.1:$tls_port/big" RA_BAD_RESPONSE "a 2 MiB body"
try "https://127.0.0.1:$tls_port/huge-header" RA_BAD_RESPONSE "one 300 KB header line (not OUT_OF_MEMORY)"
try "https://127.0.0.1:$tls_port/many-headers" RA_BAD_RESPONSE "4000 header lines"

is "$(find "$HOME" -mindepth 1 | wc -l)" 0 "no file or folder was created in HOME by any of them"
! grep -E "Sanitizer|runtime error" "$T/stderr"
ok $? "no sanitizer report"
done_testing
