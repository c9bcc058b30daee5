#!/usr/bin/env bash
# The RA client (host/ra/) against a hostile RA (tests/ra-client/hostile-ra.py): an oversized answer, a redirect
# to another host, a server the pinned CA did not sign, numbers no C long holds, header injection through the OTP.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-ra-client.XXXXXX")
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
ossl() { openssl "$@" 2>/dev/null; }
mkca() { ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" -out "$T/$1.pem" -subj "/CN=$1" -days 2; }
mkca ca && mkca other-ca
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.cnf"
ossl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -set_serial 2 -days 2 -extfile "$T/san.cnf" -out "$T/srv.pem"
python3 tests/ra-client/hostile-ra.py "$T/srv.pem" "$T/srv.key" >"$T/port" 2>"$T/ra.log" & srv=$!
for _ in $(seq 1 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$T/port")
[ -n "$port" ] || { echo "Bail out! the hostile RA did not start"; exit 1; }

# config MODE [CA]: a host configuration whose RA answers in MODE.
config() {
	jq -n --arg u "https://127.0.0.1:$port/$1" --arg ca "${2:-$T/ca.pem}" --arg bk "$T/backups" \
		'{est_url: $u, api_url: $u, ra_ca_file: $ca, revoke_url: "https://127.0.0.1/revoke", backup_dir: $bk,
		  pkcs12_iterations: 2048, connect_timeout_s: 5, request_timeout_s: 10}' >"$T/host.json"
}
export ECM_CONFIG=$T/host.json
login='{"id":"l","cmd":"login","args":{"id":"A123456789","password":"Demo1234"}}'
session() { printf '%s\n' "$@" | timeout 60 "$ECM" session 2>>"$T/stderr"; }

config ok
is "$(session "$login" | jq -r .ok)" true "a well-behaved answer logs in"
config big
r=$(session "$login")
is "$(jq -r .error.code <<<"$r")" RA_BAD_RESPONSE "an answer over 1 MiB is refused, not buffered"
config redirect
r=$(session "$login")
is "$(jq -r '"\(.error.code) \(.error.details.http_status)"' <<<"$r")" "RA_BAD_RESPONSE 302" \
	"a redirect to another host is not followed"
config ok "$T/other-ca.pem"
is "$(session "$login" | jq -r .error.code)" RA_TLS_FAILED "a server the pinned CA did not sign is refused"
config window
r=$(session "$login")
is "$(jq -r '"\(.ok) \(.result.suggestion)"' <<<"$r")" "true renew" \
	"renewal_window_days too large for a long: compared as a number, inside the window"
config ok
apply='{"id":"a","cmd":"apply","args":{"terms_version":"2026.1","otp":"123456\r\nX-Injected: 1","backup":{"password":"Backup-Pass-1"}}}'
all=$(session "$login" "$apply" | grep '"id":"a"')
r=$(grep -v progress <<<"$all")
is "$(jq -r '"\(.error.code) \(.error.details.field)"' <<<"$r")" "BAD_REQUEST otp" \
	"an OTP with CR/LF never becomes a request header"
is "$(grep -c progress <<<"$all")" 0 "and it is refused before a key is made (no progress step)"
done_testing
