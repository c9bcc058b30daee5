#!/usr/bin/env bash
# What a misbehaving RA issues (tests/ra-client/hostile-ra.py, signed by the pinned CA, so the TLS pin does not
# help) is checked before anything keeps it: another customer's ID, a CN holding U+202E or "../", not valid yet,
# expired, CA:TRUE, keyUsage without digitalSignature, an EKU of serverAuth alone. Each is ISSUED_CERT_INVALID with
# its reason, and neither a store nor the backup gets anything; on renew the old certificate stays in every store.
# Extra certificates in the answer (an unrelated root, one bearing the pinned CA's name) never reach a store or
# the backup, and an answer of 1900 certificates is refused at once.
set -u
. "$(dirname "$0")/hostile.sh"
login='{"id":"l","cmd":"login","args":{"id":"A123456789","password":"Demo1234"}}'
session() { printf '%s\n' "$@" | timeout 120 "$ECM" session 2>>"$T/stderr"; }
# two stores: Chromium's NSS database and a Firefox profile
CHROME=$HOME/.pki/nssdb FOX=$HOME/.mozilla/firefox/p1
mkdir -p "$CHROME" "$FOX" "$T/backups"
printf '[Profile0]\nName=p1\nIsRelative=1\nPath=p1\nDefault=1\n' >"$HOME/.mozilla/firefox/profiles.ini"
certutil -N -d "sql:$CHROME" --empty-password && certutil -N -d "sql:$FOX" --empty-password

# req CMD NAME: apply/renew writing its backup to $T/backups/NAME.pfx
req() {
	printf '{"id":"a","cmd":"%s","args":{"terms_version":"2026.1","otp":"123456","backup":{"path":"%s","password":"Backup-Pass-1"}}}' \
		"$1" "$T/backups/$2.pfx"
}
enroll() { session "$login" "$(req "$1" "$2")" | grep '"id":"a"' | grep -v progress; }
fp() { openssl x509 -noout -fingerprint -sha256 | cut -d= -f2; }
# store_fps DB: the SHA-256 fingerprints of every certificate in an NSS database, sorted
store_fps() {
	certutil -L -d "sql:$1" | tail -n +5 | sed -E 's/[[:space:]]+$//; s/[[:space:]]+[^[:space:]]*,[^[:space:]]*,[^[:space:]]*$//' |
		while IFS= read -r nick; do
			[ -n "$nick" ] && certutil -L -d "sql:$1" -n "$nick" -a
		done | awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/one-" n ".pem")}'
	for f in "$T"/one-*.pem; do [ -e "$f" ] && fp <"$f"; done | sort -u
	rm -f "$T"/one-*.pem
}
stores() { printf '%s|%s' "$(store_fps "$CHROME" | tr '\n' ' ')" "$(store_fps "$FOX" | tr '\n' ' ')"; }
backups() { find "$T/backups" -type f | sort | tr '\n' ' '; }
reason() { jq -r '"\(.error.code)/\(.error.details.reason)"' <<<"$1"; }

# ---- apply: each bad certificate is refused, nothing reaches a store or the backup
for c in otherid:subject rlo:subject dotdot:subject future:not_yet_valid expired:expired ca:ca nodigsig:key_usage \
	serverauth:eku; do
	mode=${c%%:*}
	config "$mode"
	r=$(enroll apply "$mode")
	is "$(reason "$r")" "ISSUED_CERT_INVALID/${c#*:}" "apply, the RA issues $mode: ISSUED_CERT_INVALID, reason ${c#*:}"
	is "$(stores)|$(backups)" "||" "  no store and no backup got anything"
done

# ---- extra certificates in the answer
config extra
r=$(enroll apply extra)
is "$(jq -r '"\(.ok) \(.result.certificate.cn)"' <<<"$r")" "true A123456789-00-PC001" \
	"apply, the answer adds an unrelated root and a certificate named like the pinned CA: issued"
S1=$(jq -r .result.certificate.serial <<<"$r")
ROOT=$(fp <"$T/root.pem") FAKE=$(fp <"$T/fakeca.pem") CA=$(fp <"$T/ca.pem")
openssl pkcs12 -in "$T/backups/extra.pfx" -nokeys -passin pass:Backup-Pass-1 2>/dev/null |
	awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/bk-" n ".pem")}'
bk=$(for f in "$T"/bk-*.pem; do fp <"$f"; done | sort | tr '\n' ' ')
LEAF=$(for f in "$T"/bk-*.pem; do openssl x509 -in "$f" -noout -subject | grep -q PC001 && fp <"$f"; done)
is "$bk" "$(printf '%s\n' "$CA" "$LEAF" | sort | tr '\n' ' ')" "  the backup holds the certificate and the pinned CA alone"
for db in "$CHROME" "$FOX"; do
	s=$(store_fps "$db")
	grep -qx "$LEAF" <<<"$s"; ok $? "  ${db#"$HOME"/} holds the certificate"
	! grep -qxE "$ROOT|$FAKE" <<<"$s"; ok $? "  and neither the unrelated root nor the look-alike CA"
done
before=$(stores)

# ---- 1900 certificates: refused quickly, before any chain is built
config junk
start=$(date +%s%N)
r=$(enroll apply junk)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$(reason "$r")" ISSUED_CERT_INVALID/too_many_certificates "an answer of 1900 certificates: too_many_certificates"
ok "$( [ "$ms" -lt 10000 ]; echo $?)" "  refused quickly (${ms} ms for the whole session)"
is "$(stores)|$(backups)" "$before|$T/backups/extra.pfx " "  the stores and the backups are as they were"

# ---- a request the RA held (202) and then answered, on resume
config later-future
resume=$(req apply resume-future | jq -c '.args.resume = true')
all=$(session "$login" "$(req apply resume-future)" "$resume" | grep '"id":"a"' | grep -v progress)
is "$(head -n 1 <<<"$all" | jq -r .error.code)" RA_PENDING "apply, the RA holds the request: RA_PENDING"
is "$(reason "$(tail -n 1 <<<"$all")")" ISSUED_CERT_INVALID/not_yet_valid \
	"resumed, the RA issues a certificate valid from two years from now: ISSUED_CERT_INVALID, reason not_yet_valid"
is "$(stores)|$(backups)" "$before|$T/backups/extra.pfx " "  the stores and the backups are as they were"

# ---- renew: the old certificate stays in every store, nothing is backed up
for c in future:not_yet_valid otherid:subject ca:ca; do
	mode=${c%%:*}
	config "$mode"
	r=$(enroll renew "renew-$mode")
	is "$(reason "$r")" "ISSUED_CERT_INVALID/${c#*:}" "renew, the RA issues $mode: ISSUED_CERT_INVALID, reason ${c#*:}"
	is "$(stores)" "$before" "  the old certificate ($S1) is still in every store, and nothing else is"
	is "$(backups)" "$T/backups/extra.pfx " "  nothing was backed up"
done
config ok
r=$(enroll renew renew-ok)
is "$(jq -r .ok <<<"$r")" true "renew against a well-behaved answer still works"
! grep -E "Sanitizer|runtime error" "$T/stderr"
ok $? "no sanitizer report"
done_testing
