#!/usr/bin/env bash
# One connection per session (host/ra/conn.c): the guided `ecm apply` (login, terms, OTP, simpleenroll, account
# refresh) makes one TCP connection and one TLS handshake to the development RA, counted by the RA itself
# (GET /test/connections); logout closes the connection, so the next login opens a new one.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-one-conn.XXXXXX")
trap 'ra_stop; rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
ra_start "$T/ra" || { echo "Bail out! the development RA did not start"; exit 1; }
ra_host_config "$T/ra" "$T/base.json"
jq --arg d "$T/backups" '. + {backup_dir: $d, key_type: "p256"}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
ID=E120556786
# host: TLS connections the RA saw from the host (the User-Agent of their first request is e-Cert-Manager/…)
host() { ra_curl "$RA_TEST/connections" | jq -r '.by_agent["e-Cert-Manager"] // 0'; }

printf 'Demo1234\n' >"$T/pw"
printf 'Backup-Pass-1\n' >"$T/bpw"
mkfifo "$T/otp.fifo"
ra_reset
"$ECM" apply --id $ID --password-file "$T/pw" --backup-password-file "$T/bpw" --otp-file "$T/otp.fifo" \
	--accept-terms >"$T/apply.out" 2>"$T/apply.err" </dev/null &
apid=$!
otp=
for _ in $(seq 1 200); do otp=$(ra_otp $ID 2>/dev/null) && break; sleep 0.1; done
printf '%s\n' "$otp" >"$T/otp.fifo"
wait $apid
ok $? "guided ecm apply exits 0" || sed 's/^/# /' "$T/apply.err" | tail -n 5
like "$(cat "$T/apply.err")" "install 4/4" "it ran every step (login, terms, OTP, keygen, EST, backup, install)"
is "$(host)" 1 "the whole apply (login, terms, otp_request, simpleenroll, account refresh) made one TLS connection"
like "$(ra_curl "$RA_TEST/connections" | jq -c .)" '"tls_handshakes":[0-9]+' "the RA counts TLS handshakes too"

# logout closes the connection: login, list, logout, login in one session is two connections
login="{\"id\":\"l\",\"cmd\":\"login\",\"args\":{\"id\":\"$ID\",\"password\":\"Demo1234\"}}"
ra_reset
out=$(printf '%s\n' "$login" '{"id":"q","cmd":"list"}' '{"id":"o","cmd":"logout"}' "$login" |
	"$ECM" session 2>>"$T/stderr")
is "$(jq -r 'select(.id == "l") | .ok' <<<"$out" | tr '\n' ' ')" "true true " "both logins succeed"
is "$(host)" 2 "login + list share one connection; after logout the next login opens a new one"
done_testing
