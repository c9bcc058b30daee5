#!/usr/bin/env bash
# Several brokers on one computer (issue 20, host side): two development RAs (each its own CA and page origin), a
# profile each in $ECM_BROKERS_DIR, the same customer applying at both. Then every function per broker, asserted
# from outside with certutil, pk12util and openssl: query, backup, list, renew, cleanup, expiry and a page's
# signature see only their broker's certificate; login binds the connection to its broker (another broker's
# request is NOT_LOGGED_IN); CHOOSE_BROKER and BROKER_UNKNOWN; a bad profile is left out, named by file and key,
# and the others work; the configuration file alone is still one broker; two brokers sharing one CA are told
# apart by subject_ou.
set -u
SUITE=brokers
. "$(dirname "$0")/../lib/ra-suite.sh" # RA A in $T/ra
. "$root/tests/lib/brokers.sh"

# ra_save NAME / ra_use NAME: which RA the ra_* helpers talk to
ra_save() { eval "$1_PID=\$RA_PID $1_DIR=\$RA_DIR $1_JSON=\$RA_JSON $1_CA=\$RA_CA $1_TEST=\$RA_TEST $1_API=\$RA_API"; }
ra_use() { eval "RA_PID=\$$1_PID RA_DIR=\$$1_DIR RA_JSON=\$$1_JSON RA_CA=\$$1_CA RA_TEST=\$$1_TEST RA_API=\$$1_API"; }
ra_save RA_A
ra_start "$T/rb" || { echo "Bail out! the second development RA did not start"; exit 1; }
ra_save RA_B
suite_cleanup() { ra_use RA_A; ra_stop; ra_use RA_B; ra_stop; }
OA=${RA_A_API%%/api*} OB=${RA_B_API%%/api*}

mkdir -p "$T/brokers" "$BK" "$PKI"
broker_profile brka "$T/ra" "$T/brokers/brka.json"
broker_profile brkb "$T/rb" "$T/brokers/brkb.json"
jq '. + {renew_days: 45}' "$T/brokers/brkb.json" >"$T/brkb.json" && mv "$T/brkb.json" "$T/brokers/brkb.json"
# brka's branding: a PNG beside its profile (the signature, then any bytes: all 256 values go through base64)
{ printf '\211PNG\r\n\032\n'; head -c 3000 /dev/urandom; } >"$T/brokers/brka-icon.png"
jq '. + {icon: "brka-icon.png"}' "$T/brokers/brka.json" >"$T/brka.json" && mv "$T/brka.json" "$T/brokers/brka.json"
export ECM_BROKERS_DIR=$T/brokers
jq -n --arg d "$BK" '{backup_dir: $d, pkcs12_iterations: 2048}' >"$T/host.json" # global settings only
export ECM_CONFIG=$T/host.json
certutil -N -d "sql:$PKI" --empty-password

ID=A123456789 PW=Demo1234 BPW=Backup-Pass-1
# req ID BROKER CMD [ARGS]: one request line, naming BROKER unless it is ""
req() {
	jq -cn --arg i "$1" --arg b "$2" --arg c "$3" --argjson a "${4:-{\}}" \
		'{id: $i, cmd: $c, args: $a} + (if $b == "" then {} else {broker: $b} end)'
}
brpc() { send "$(req "$@")" && recv "$1"; }
# bone BROKER CMD [ARGS]: alone on a new connection (no login); its reply
bone() { req c "$@" | "$ECM" session 2>>"$T/stderr" | reply; }
serial_of() { jq -r "$1 // empty" | serial_norm; }
pfx_serial() { pfx_cert_serial "$1" "$BPW"; }
# pfx_chains FILE CA: the file's certificate verifies against CA (and only CA's chain)
pfx_chains() {
	openssl pkcs12 -in "$1" -passin "pass:$BPW" -nokeys -clcerts 2>/dev/null >"$T/chk.pem"
	openssl verify -partial_chain -CAfile "$2" "$T/chk.pem" >/dev/null 2>&1
}
# has_serial SERIAL: certutil finds the certificate in the Chrome-family database
has_serial() {
	local n
	certutil -L -d "sql:$PKI" | tail -n +5 | sed 's/[[:space:]]\+[^[:space:]]*$//' | sort -u |
		while IFS= read -r n; do [ -n "$n" ] && certutil -L -d "sql:$PKI" -n "$n" -a 2>/dev/null; done |
		awk -v t="$T/pem" '/BEGIN CERT/{n++} n{print > (t "." n)}'
	local p found=1
	for p in "$T"/pem.*; do
		[ -e "$p" ] || continue
		[ "$(cert_serial "$p")" = "$1" ] && found=0
	done
	rm -f "$T"/pem.*
	return $found
}
b64() { printf '%s' "$1" | base64 -w0; }
sign_args() { jq -cn --arg o "$1" --arg d "$(b64 "$2")" --arg i "$ID" '{origin: $o, data: $d, customer: $i}'; }
login_args() { jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}'; }
enroll_args() { jq -cn --arg o "$1" --arg p "$BPW" '{terms_version: "2026.1", otp: $o, backup: {password: $p}}'; }

# ================================================================ 1. two profiles installed
r=$(bone "" hello)
is "$(jq -r '[.result.brokers[].id] | join(" ")' <<<"$r")" "brka brkb" "hello lists both brokers, in file order"
is "$(jq -r '[.result.brokers[] | .origins[0]] | join(" ")' <<<"$r")" "$OA $OB" "  each with its own page origin"
is "$(jq -r '.result.brokers[1] | "\(.name["zh-TW"])/\(.name.en)/\(.renew_days)/\(.icon)/\(.revoke_url)"' <<<"$r")" \
	"券商 brkb/Broker brkb/45/false/$OB/revoke" "  names in both languages, renew_days, icon, revoke_url"
is "$(jq -c '[.result.broker_problems, .result.session]' <<<"$r")" '[[],null]' "  no problems, no session"
is "$(jq -r '.result.brokers[0].icon' <<<"$r")" true "  brka has an icon (hello only says so: it stays light)"
r=$(bone brka broker_icon)
jq -r '.result.data_url // empty' <<<"$r" | sed -n 's|^data:image/png;base64,||p' | base64 -d >"$T/icon.out" 2>/dev/null
cmp -s "$T/icon.out" "$T/brokers/brka-icon.png"; ok $? "broker_icon at brka: a data: URL of exactly the profile's PNG"
is "$(bone brkb broker_icon | jq -c .result)" '{"data_url":null}' "  at brkb, which has none: null"

r=$(bone "" login "$(login_args)")
is "$(code <<<"$r")" CHOOSE_BROKER "login naming no broker with two installed: CHOOSE_BROKER"
is "$(jq -r '[.error.details.brokers[] | "\(.id):\(.name.en)"] | join(" ")' <<<"$r")" "brka:Broker brka brkb:Broker brkb" \
	"  details.brokers lists both, with names"
r=$(bone "" query "{\"id\":\"$ID\"}")
is "$(code <<<"$r")" CHOOSE_BROKER "query naming no broker: CHOOSE_BROKER (no broker's certificate is guessed)"
r=$(bone nope query)
is "$(code <<<"$r")/$(detail broker "$r")" BROKER_UNKNOWN/nope "a broker no profile has: BROKER_UNKNOWN, details.broker"
r=$(printf '{"id":1,"cmd":"hello","broker":7}\n' | "$ECM" session 2>>"$T/stderr")
is "$(code <<<"$r")/$(detail field "$r")" BAD_REQUEST/broker "broker that is not a string: BAD_REQUEST naming it"

# ================================================================ 2. the same customer applies at both
# apply_at BROKER RA: login at BROKER, apply with its RA's OTP; prints the new serial
apply_at() {
	local r
	sess_open
	brpc l "$1" login "$(login_args)" >"$T/login.$1"
	r=$(brpc h "" hello | reply)
	printf '%s\n' "$(jq -r .result.session.broker <<<"$r")" >"$T/session.$1"
	brpc x "$([ "$1" = brka ] && echo brkb || echo brka)" list | reply >"$T/other.$1"
	brpc o "" otp_request >/dev/null
	ra_use "$2"
	brpc a "" apply "$(enroll_args "$(ra_otp $ID)")" | reply | serial_of .result.certificate.serial
	sess_close
}
SA=$(apply_at brka RA_A)
SB=$(apply_at brkb RA_B)
[ -n "$SA" ] && [ -n "$SB" ] && [ "$SA" != "$SB" ]; ok $? "the customer applied at brka ($SA) and at brkb ($SB)"
is "$(jq -r .ok "$T/login.brka")/$(cat "$T/session.brka")" true/brka "login at brka binds the session: hello's session.broker"
is "$(jq -r '"\(.result.broker.id) \(.result.renewal_window_days)"' "$T/login.brka")" "brka 30" \
	"  login's answer names the broker whose RA said the renewal window"
is "$(code <"$T/other.brka")/$(jq -r .error.details.broker "$T/other.brka")" NOT_LOGGED_IN/brkb \
	"  list for brkb while logged in at brka: NOT_LOGGED_IN naming brkb"
is "$(cat "$T/session.brkb")/$(code <"$T/other.brkb")" brkb/NOT_LOGGED_IN "…and the same the other way round"
has_serial "$SA" && has_serial "$SB"; ok $? "certutil: the store holds both certificates (applying at brkb left brka's)"

# ================================================================ 3. every function per broker
r=$(bone brka query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" "$SA" "query at brka: brka's certificate"
r=$(bone brkb query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" "$SB" "query at brkb: brkb's certificate"

for b in brka brkb; do
	r=$(bone $b backup "$(jq -cn --arg p "$BPW" --arg f "$T/$b.pfx" --arg i "$ID" '{path: $f, password: $p, id: $i}')")
	is "$(code <<<"$r")" OK "backup at $b"
done
is "$(pfx_serial "$T/brka.pfx")/$(pfx_serial "$T/brkb.pfx")" "$SA/$SB" "openssl: each backup holds its broker's certificate"
# to one folder, default names: the same customer and (often) the same expiry day, so the broker tells them apart
mkdir -p "$T/both"
for b in brka brkb; do
	r=$(bone $b backup "$(jq -cn --arg p "$BPW" --arg f "$T/both" --arg i "$ID" '{path: $f, password: $p, id: $i}')")
	eval "P_$b=\$(jq -r '.result.path // empty' <<<\"\$r\")"
done
like "$P_brka|$P_brkb" "^$T/both/ECM_${ID}_brka_[0-9]{8}\.pfx\|$T/both/ECM_${ID}_brkb_[0-9]{8}\.pfx$" \
	"backups to one folder: the default name says the broker (ECM_<ID>_<broker>_<expiry>.pfx)"
is "$(pfx_serial "$P_brka")/$(pfx_serial "$P_brkb")" "$SA/$SB" "  openssl: each named file holds that broker's certificate"
pfx_chains "$T/brka.pfx" "$RA_A_CA" && ! pfx_chains "$T/brka.pfx" "$RA_B_CA" && pfx_chains "$T/brkb.pfx" "$RA_B_CA"
ok $? "openssl verify: brka's chains to brka's CA only, brkb's to brkb's"

r=$(bone "" expiry)
is "$(jq -r --arg m 'A12****789' '[.result.customers[] | select(.masked_id == $m) | "\(.broker.id)=\(.serial | ascii_upcase | ltrimstr("0"))"] | sort | join(" ")' <<<"$r")" \
	"brka=$SA brkb=$SB" "expiry spans both brokers: one entry per (customer, broker), each naming its broker"
is "$(jq -r '.result.customers[0].broker.name["zh-TW"]' <<<"$r")" "券商 $(jq -r '.result.customers[0].broker.id' <<<"$r")" \
	"  with the broker's name for the reminder"
is "$(jq -r '[.result.customers[] | select(.broker != null) | "\(.broker.id)=\(.renew_days)"] | unique | join(" ")' <<<"$r")" \
	"brka=30 brkb=45" "  and its profile's renewal window (brkb's profile says 45 days)"

ORDER='委託 2330 台積電 買 1 張 @ 612.00'
for b in A B; do
	eval "o=\$O$b s=\$S$b ca=\$RA_${b}_CA"
	r=$(bone "" sign "$(sign_args "$o" "$ORDER")")
	is "$(serial_of .result.serial <<<"$r")/$(jq -r .result.broker.id <<<"$r")" "$s/brk${b,,}" \
		"sign from brk${b,,}'s page origin: brk${b,,}'s certificate"
	jq -r .result.cms <<<"$r" | base64 -d >"$T/sig$b.der"
	openssl cms -verify -binary -inform DER -in "$T/sig$b.der" -CAfile "$ca" -purpose any -out "$T/sig$b.out" \
		-signer "$T/sig$b.pem" 2>/dev/null && [ "$(cat "$T/sig$b.out")" = "$ORDER" ]
	ok $? "  openssl cms -verify: signed by brk${b,,}'s CA's certificate, the order's exact bytes"
done
r=$(bone brka sign "$(sign_args "$OB" "$ORDER")")
is "$(serial_of .result.serial <<<"$r")" "$SB" "  the page's origin picks the broker, whatever the envelope names"
r=$(bone "" sign "$(sign_args "https://127.0.0.1:1" "$ORDER")")
is "$(code <<<"$r")" SIGN_ORIGIN_NOT_ALLOWED "an origin no profile lists: SIGN_ORIGIN_NOT_ALLOWED"

sess_open
brpc l brkb login "$(login_args)" >/dev/null
r=$(brpc li "" list | reply)
is "$(jq -r '[.result.certificates[].serial | ascii_upcase | ltrimstr("0")] | (index($a) != null and index($b) == null)' \
	--arg a "$SB" --arg b "$SA" <<<"$r")" true "list at brkb: brkb's RA's certificates (brkb's, not brka's)"
sess_close

# renew at brka, inside its RA's window: brka's certificate is superseded, brkb's is untouched
ra_use RA_A
ra_clock 340
sess_open
brpc l brka login "$(login_args)" >/dev/null
brpc o "" otp_request >/dev/null
r=$(brpc rn "" renew "$(enroll_args "$(ra_otp $ID)")" | reply)
SA2=$(serial_of .result.certificate.serial <<<"$r")
sess_close
ra_clock 0
[ -n "$SA2" ] && [ "$SA2" != "$SA" ]; ok $? "renew at brka: a new certificate ($SA2) $(code <<<"$r")"
has_serial "$SA2" && has_serial "$SB"; ok $? "certutil: brka's new certificate and brkb's are in the store"
r=$(bone brkb query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" "$SB" "  brkb's query still finds brkb's own"

r=$(bone brkb cleanup "{\"serials\": [\"$SA2\"]}")
is "$(jq -r '[.result.removed[]?] | length' <<<"$r")" 0 "cleanup at brkb of brka's serial: not brkb's, nothing removed"
has_serial "$SA2"; ok $? "  certutil: brka's certificate is still there"

# stores for a customer, no broker named with two installed: certificates count by every installed broker's CA, so a
# Firefox profile holding only a certificate of a CA no broker uses (a look-alike ID in its CN) is nobody's
FFP=$HOME/.mozilla/firefox/kid.default
mkdir -p "$FFP" && certutil -N -d "sql:$FFP" --empty-password
printf '[Profile0]\nName=Kid\nIsRelative=1\nPath=kid.default\nDefault=1\n' >"$HOME/.mozilla/firefox/profiles.ini"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/foreign.key" -out "$T/foreign.pem" -days 30 \
	-subj "/C=TW/CN=Foreign CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$T/lookalike.key" -subj "/C=TW/CN=F222222222-00-00::PCC005" 2>/dev/null |
	openssl x509 -req -CA "$T/foreign.pem" -CAkey "$T/foreign.key" -set_serial 7 -days 30 -out "$T/lookalike.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/lookalike.pem" -inkey "$T/lookalike.key" -passout pass:p12 -out "$T/lookalike.p12" 2>/dev/null
pk12util -i "$T/lookalike.p12" -d "sql:$FFP" -W p12 >/dev/null
r=$(bone "" stores "{\"id\":\"$ID\"}")
is "$(jq -r '.result.stores[] | select(.profile == "Kid") | "\(.mine) \(.others) \(.only_others)"' <<<"$r")" "0 0 false" \
	"stores, no broker named: a profile with only a certificate no broker issued holds nobody's"
is "$(jq -r '.result.stores[] | select(.id == "nss:pki") | "\(.mine) \(.others)"' <<<"$r")" "2 0" \
	"  and the Chrome-family store holds the customer's certificates at both brokers"
rm -rf "$HOME/.mozilla"

# ================================================================ 4. a bad profile is left out, the others work
jq '. + {id: "brkc", colour: "blue"}' "$T/brokers/brka.json" >"$T/brokers/m-bad.json"
jq '. + {name: {"zh-TW": "冒名", en: "Impostor"}}' "$T/brokers/brkb.json" >"$T/brokers/n-dup.json"
r=$(bone "" hello)
is "$(jq -r '[.result.brokers[].id] | join(" ")' <<<"$r")" "brka brkb" "with a bad and a duplicate profile: both brokers still installed"
is "$(jq -r '[.result.broker_problems[] | "\(.file | split("/") | last):\(.key)"] | join(" ")' <<<"$r")" \
	"m-bad.json:colour n-dup.json:id" "  broker_problems names each file and key (bad key; id already loaded)"
like "$(jq -r '.result.broker_problems[0].file' <<<"$r")" "^$T/brokers/m-bad.json$" "  …with the file's whole path"
is "$(jq -r '.result.brokers[1].name.en' <<<"$r")" "Broker brkb" "  the first profile of an id wins"
r=$(bone brka query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" "$SA2" "  brka still works"
r=$(bone brkc query)
is "$(code <<<"$r")" BROKER_UNKNOWN "  the bad profile's broker is not installed"
out=$("$ECM" brokers 2>"$T/brokers.err"); rc=$?
is "$rc/$(cut -f1 <<<"$out" | grep -v '^$' | tr '\n' ' ')" "1/brka brkb " "ecm brokers: both ids, exit 1 with a problem"
grep -q "m-bad.json: \"colour\" is not a known setting" "$T/brokers.err"; ok $? "  …and says which file and key on stderr"
mkdir -p "$T/bad-only"
cp "$T/brokers/m-bad.json" "$T/bad-only/"
r=$(ECM_BROKERS_DIR=$T/bad-only bone "" login "$(login_args)")
is "$(code <<<"$r")/$(detail key "$r")" BROKER_PROFILE_INVALID/colour \
	"only a bad profile installed: login says BROKER_PROFILE_INVALID with its key (not CONFIG_MISSING)"
rm -f "$T/brokers/m-bad.json" "$T/brokers/n-dup.json"
r=$(ECM_QUIET=1 "$ECM" --broker brkb query --id "$ID" 2>>"$T/stderr")
is "$(serial_of .local.serial <<<"$r")" "$SB" "ecm --broker brkb query: brkb's certificate"

# ================================================================ 5. the configuration file alone is one broker
# Another broker under brka's CA: a certificate for the same customer, newer, with OU=RA-BRKD ("brkd"'s).
openssl req -newkey rsa:2048 -nodes -keyout "$T/d.key" -out "$T/d.csr" -subj "/C=TW/O=Dev/OU=RA-BRKD/CN=$ID-00-PC001" 2>/dev/null
openssl x509 -req -in "$T/d.csr" -CA "$RA_A_CA" -CAkey "$RA_A_DIR/ca-key.pem" -days 400 -set_serial 0xBD01 \
	-out "$T/d.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/d.pem" -inkey "$T/d.key" -name brkd -passout pass:x -out "$T/d.p12" 2>/dev/null
pk12util -i "$T/d.p12" -d "sql:$PKI" -W x -K "" >/dev/null 2>&1
has_serial BD01; ok $? "pk12util: a certificate of brka's CA with OU=RA-BRKD is in the store"
mkdir -p "$T/none"
# The checks of this section need no profile: run on the commit before issue 20 (no subject_ou then), query, backup,
# sign and expiry took the other broker's newer certificate.
jq --arg d "$BK" --arg o "$OA" '. + {backup_dir: $d, broker_id: "legacy", subject_ou: "RA-DEV", sign_origins: [$o]}' \
	"$T/base.json" >"$T/legacy.json"
legacy() { ECM_BROKERS_DIR=$T/none ECM_CONFIG=$T/legacy.json bone "" "$@"; }
r=$(legacy hello)
is "$(jq -r '[.result.brokers[] | "\(.id):\(.name.en)"] | join(" ")' <<<"$r")" "legacy:e-Cert Manager" \
	"a config.json with est_url and no profiles: one broker, id broker_id, the product's name"
r=$(legacy query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" "$SA2" "  query naming no broker: the only one's, not brkb's nor the RA-BRKD one"
legacy backup "$(jq -cn --arg p "$BPW" --arg f "$T/legacy.pfx" --arg i "$ID" '{path: $f, password: $p, id: $i}')" >/dev/null
is "$(pfx_serial "$T/legacy.pfx")" "$SA2" "  backup: openssl finds the broker's own certificate in the file"
r=$(legacy sign "$(sign_args "$OA" "$ORDER")")
is "$(serial_of .result.serial <<<"$r")" "$SA2" "  sign from its page: its own certificate"
r=$(legacy expiry)
is "$(jq -r '[.result.customers[] | .serial | ascii_upcase | ltrimstr("0")] | join(" ")' <<<"$r")" "$SA2" \
	"  expiry: its own certificate only"

# ================================================================ 6. two brokers sharing one CA: subject_ou
mkdir -p "$T/shared"
jq 'del(.icon) + {id: "brkc", subject_ou: "RA-DEV", sign_origins: ["https://c.example"]}' "$T/brokers/brka.json" >"$T/shared/c.json"
jq 'del(.icon) + {id: "brkd", subject_ou: "RA-BRKD", sign_origins: ["https://d.example"]}' "$T/brokers/brka.json" >"$T/shared/d.json"
export ECM_BROKERS_DIR=$T/shared
r=$(bone brkc query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" "$SA2" "shared CA, query at brkc (OU RA-DEV): the RA's certificate, not the newer RA-BRKD one"
r=$(bone brkd query "{\"id\":\"$ID\"}")
is "$(serial_of .result.local.serial <<<"$r")" BD01 "shared CA, query at brkd (OU RA-BRKD): its own"
r=$(bone brkc backup "$(jq -cn --arg p "$BPW" --arg f "$T/c.pfx" --arg i "$ID" '{path: $f, password: $p, id: $i}')")
is "$(pfx_serial "$T/c.pfx")" "$SA2" "  backup at brkc: openssl finds brkc's certificate in the file"
r=$(bone "" sign "$(sign_args https://c.example "$ORDER")")
is "$(serial_of .result.serial <<<"$r")" "$SA2" "  sign from brkc's page: brkc's certificate"
r=$(bone "" sign "$(sign_args https://d.example "$ORDER")")
is "$(serial_of .result.serial <<<"$r")" BD01 "  sign from brkd's page: brkd's certificate"
r=$(bone "" expiry)
is "$(jq -r '[.result.customers[] | "\(.broker.id)=\(.serial | ascii_upcase | ltrimstr("0"))"] | sort | join(" ")' <<<"$r")" \
	"brkc=$SA2 brkd=BD01" "  expiry: one entry per broker, told apart by OU"
r=$(bone brkd cleanup "{\"serials\": [\"$SA2\", \"BD01\"]}")
! has_serial BD01 && has_serial "$SA2"; ok $? "  cleanup at brkd of both serials: certutil shows only brkd's removed"

# ================================================================ 7. an issued, unsaved certificate stays with its broker
export ECM_BROKERS_DIR=$T/brokers
ra_use RA_B
sess_open
brpc l brkb login "$(login_args)" >/dev/null
brpc o "" otp_request >/dev/null
mkdir -p "$T/gone"
ra_fault simpleenroll slow 3
r=$(issue_unsaved "$(req a "" apply "$(jq -cn --arg o "$(ra_otp $ID)" --arg p "$BPW" --arg f "$T/gone/b.pfx" \
	'{terms_version: "2026.1", otp: $o, replace_existing: true, backup: {password: $p, path: $f}}')")" "$T/gone" | reply)
ra_fault simpleenroll none
SB2=$(detail issued_serial "$r" | serial_norm)
is "$(code <<<"$r")" ISSUED_NOT_SAVED "brkb's new certificate is issued but not saved ($SB2)"
r=$(brpc h "" hello | reply)
is "$(jq -r '.result.issued_unsaved | "\(.serial | ascii_upcase | ltrimstr("0"))/\(.broker)"' <<<"$r")" "$SB2/brkb" \
	"hello: issued_unsaved names its broker"
r=$(brpc s brka save_issued "$(jq -cn --arg p "$BPW" --arg f "$T/wrong.pfx" '{backup: {password: $p, path: $f}}')" | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "save_issued for brka: brkb's key is not brka's to save"
[ ! -e "$T/wrong.pfx" ]; ok $? "  no file written"
r=$(brpc l2 brka login "$(login_args)" | reply)
is "$(jq -r .ok <<<"$r")" true "login at brka on that connection (same customer)"
r=$(brpc a2 "" apply "$(enroll_args 123456)" | reply)
is "$(code <<<"$r")/$(detail broker "$r")" ISSUED_NOT_SAVED/brkb "  apply at brka: refused while brkb's key is unsaved (nothing lost)"
r=$(brpc s2 brkb save_issued "$(jq -cn --arg p "$BPW" --arg f "$T/saved.pfx" '{backup: {password: $p, path: $f}}')" | reply)
is "$(code <<<"$r")" OK "save_issued for brkb while logged in at brka: brkb's key is saved"
is "$(pfx_serial "$T/saved.pfx")" "$SB2" "  openssl: the file holds brkb's issued certificate"
pfx_chains "$T/saved.pfx" "$RA_B_CA"; ok $? "  …chaining to brkb's CA"
sess_close; ok $? "the session ends cleanly"

done_testing
