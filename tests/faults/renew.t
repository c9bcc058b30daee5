#!/usr/bin/env bash
# renew failing at every step, against the development RA (real EST) and a real NSS store. After each failure the
# user keeps the old certificate: still in the store with its key, still the RA's valid current certificate, and
# query (same connection) shows the RA's view, never a stale one. Then the backup fails after issuance (the disk
# fills while the RA works): ISSUED_NOT_SAVED; the new certificate is installed, the old one stays in the store
# until save_issued has written the backup, and only then is it removed.
set -u
SUITE=faults-renew
. "$(dirname "$0")/../lib/ra-suite.sh"
SMALL=$T/small
suite_cleanup() { mountpoint -q "$SMALL" && umount "$SMALL"; }
jq --arg d "$BK" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
mkdir -p "$SMALL"
mount -t tmpfs -o size=256k tmpfs "$SMALL" || { echo "Bail out! cannot mount a tmpfs (this suite needs root)"; exit 1; }
ID=A123456789 PW=Demo1234 BPW=Backup-Pass-1

login() { rpc login login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" | reply; }
new_otp() { rpc otp otp_request >/dev/null && OTP=$(ra_otp "$ID"); }
# args [PATH] [EXTRA-JSON]: apply/renew arguments with $OTP
args() {
	jq -cn --arg o "$OTP" --arg p "$BPW" --arg path "${1:-}" --argjson x "${2:-{\}}" \
		'{terms_version: "2026.1", otp: $o, backup: ({password: $p} + (if $path == "" then {} else {path: $path} end))} + $x'
}
nss_serials() {
	certutil -L -d "sql:$PKI" -n "$ID-00-PC001" -a 2>/dev/null |
		awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/nss-" n ".pem")}'
	for f in "$T"/nss-*.pem; do [ -e "$f" ] && cert_serial "$f"; done |
		sort | tr '\n' ' ' | sed 's/ $//'
	rm -f "$T"/nss-*.pem
}
# kept NAME: the old certificate is the store's (with its key) and the RA's valid current one, as query shows
kept() {
	local r
	r=$(rpc q query | reply)
	is "$(jq -r '.result | "\(.local.serial) \(.local.has_key) \(.server.serial) \(.server.status) \(.match)"' <<<"$r")" \
		"$S1 true $S1 valid true" "$1: the old certificate is kept (store with key, RA valid, query current)"
}

# ---------------------------------------------------------------- the certificate to renew
sess_open
is "$(login | jq -r .ok)" true "login"
new_otp
r=$(rpc a apply "$(args "$T/old.pfx")" | reply)
S1=$(jq -r .result.certificate.serial <<<"$r")
is "$(code <<<"$r")" OK "apply: the first certificate ($S1)"
new_otp
r=$(rpc r renew "$(args)" | reply)
is "$(code <<<"$r")" NOT_IN_RENEWAL_WINDOW "renew outside the window: NOT_IN_RENEWAL_WINDOW"
kept "outside the window"
ra_clock 340
is "$(login | jq -r .result.suggestion)" renew "a login 340 days later suggests renew"

# ---------------------------------------------------------------- every step fails in turn
long=$T/$(printf 'r%.0s' $(seq 1 300)).pfx
r=$(rpc r renew "$(args "$long")" | reply)
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/name_too_long "step 0: a backup name too long"
kept "step 0"
r=$(rpc r renew "$(args "" "$(jq -cn --arg p "$T/old.pfx" '{current: {path: $p, password: "not-the-password"}}')")" | reply)
is "$(code <<<"$r")" PFX_WRONG_PASSWORD "step 0: the current .pfx with a wrong password"
kept "wrong .pfx password"
new_otp
[ "$OTP" = 000000 ] && OTP=000001 || OTP=000000
r=$(rpc r renew "$(args)" | reply)
is "$(code <<<"$r")" OTP_INVALID "step 2: a wrong OTP"
kept "wrong OTP"
for fault in error500:RA_SERVER_ERROR garbage:RA_BAD_RESPONSE pending:RA_PENDING; do
	new_otp
	ra_fault simplereenroll "${fault%%:*}" 30
	r=$(rpc r renew "$(args)" | reply)
	ra_fault simplereenroll none
	is "$(code <<<"$r")" "${fault#*:}" "step 2: the RA answers ${fault%%:*}: ${fault#*:}"
	kept "${fault%%:*}"
done
new_otp
# renew's step 0 asks the account (the renewal window) before anything is spent: that one answer goes through,
# the refresh after the failed step 2 does not.
ra_fault_after account error500 1
ra_fault simplereenroll garbage
r=$(rpc r renew "$(args)" | reply)
ra_fault simplereenroll none
ra_fault account none
is "$(code <<<"$r")" RA_BAD_RESPONSE "step 2 fails and the account cannot be fetched again"
r=$(rpc q query | reply)
is "$(jq -r '"\(.result.local.serial) \(.result.server)"' <<<"$r")" "$S1 null" \
	"  query: the store's certificate, and no stale server answer (server null)"
is "$(login | jq -r .result.server_cert.serial)" "$S1" "  a new login: the RA still has the old one"
is "$(nss_serials)" "$S1" "only the old certificate is in the store"
[ -z "$(find "$T/backups" -type f 2>/dev/null)" ]; ok $? "no backup file was written by any failed renew"

# ---------------------------------------------------------------- the backup fails after issuance
new_otp
ra_fault simplereenroll slow 3
send "$(jq -c '{id: "r", cmd: "renew", args: .}' <<<"$(args "$SMALL/new.pfx")")"
sleep 1
dd if=/dev/zero of="$SMALL/filler" bs=4k 2>/dev/null
out=$(recv r)
ra_fault simplereenroll none
r=$(reply <<<"$out")
S2=$(detail issued_serial "$r")
is "$(code <<<"$r")/$(detail cause "$r")/$(detail backup_written "$r")" ISSUED_NOT_SAVED/FILE_WRITE_FAILED/false \
	"the disk fills during renew: ISSUED_NOT_SAVED, no backup"
is "$(nss_serials)" "$(printf '%s\n' "$S1" "$S2" | sort | tr '\n' ' ' | sed 's/ $//')" \
	"  the new certificate is installed and the old one is still there"
r=$(rpc q query | reply)
is "$(jq -r '"\(.result.server.serial) \(.result.server.status)"' <<<"$r")" "$S2 valid" \
	"  query shows the RA's new current certificate (refreshed)"
[ ! -e "$SMALL/new.pfx" ] && [ -z "$(find "$SMALL" -name '*.pfx.*')" ]; ok $? "  no partial backup"
rm -f "$SMALL/filler"
r=$(rpc s save_issued "$(jq -cn --arg p "$BPW" --arg path "$T/new.pfx" '{backup: {password: $p, path: $path}}')" | reply)
is "$(jq -r '"\(.ok) \(.result.saved)"' <<<"$r")" "true true" "save_issued writes the backup: saved"
is "$(jq -r '[.result.install.removed[].serial] | join(" ")' <<<"$r")" "$S1" "  and only now the old certificate is removed"
is "$(nss_serials)" "$S2" "  the store holds the new certificate alone"
r=$(rpc q query | reply)
is "$(jq -r '"\(.result.local.serial) \(.result.local.has_key) \(.result.match)"' <<<"$r")" "$S2 true true" \
	"  query: the new certificate with its key, matching the RA"
is "$(pfx_cert_serial "$T/new.pfx" "$BPW")" "$S2" "  the backup holds the new certificate"
sess_close
ok $? "the session ends cleanly"
! grep -E "Sanitizer|runtime error" "$T/stderr"
ok $? "no sanitizer report"
done_testing
