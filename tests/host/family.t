#!/usr/bin/env bash
# Whose certificate (issue 17, host side): three customers of one family in one HOME (one Chrome-family database,
# a Firefox profile each, the son's protected by a master password), against the development RA. Asserted from
# outside with certutil, pk12util and openssl: without a login a private key is used only for a customer the
# request names (id, or a serial from the candidates) or the only one here, else CHOOSE_CUSTOMER with candidates;
# the ID is read strictly (upper case, check digit, serialNumber) and only from the broker CA's certificates;
# another customer's login never takes an unsaved issued key; superseded means gone (apply with replace_existing,
# renew presents the current one); two certificates with the same CN both install, and nothing is left behind.
set -u
SUITE=family
. "$(dirname "$0")/../lib/ra-suite.sh"
jq --arg d "$BK" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
mkdir -p "$BK"
PW=Demo1234 BPW=Backup-Pass-1 SPW=Son-Store-1
A=A123456789 D=D220334567 E=E120556786 # parent, daughter, son
MA='A12****789' MD='D22****567' ME='E12****786'

# ---------------------------------------------------------------- the family's HOME
FF=$HOME/.mozilla/firefox
P_A=$FF/a.parent P_D=$FF/d.daughter P_E=$FF/e.son
mkdir -p "$PKI" "$P_A" "$P_D" "$P_E"
echo >"$T/empty.pw"
printf '%s\n' "$SPW" >"$T/son.pw"
certutil -N -d "sql:$PKI" --empty-password && certutil -N -d "sql:$P_A" --empty-password &&
	certutil -N -d "sql:$P_D" --empty-password && certutil -N -d "sql:$P_E" -f "$T/son.pw"
cat >"$FF/profiles.ini" <<INI
[General]
StartWithLastProfile=1
Version=2

[Profile0]
Name=Parent
IsRelative=1
Path=a.parent
Default=1

[Profile1]
Name=Daughter
IsRelative=1
Path=d.daughter

[Profile2]
Name=Son
IsRelative=1
Path=e.son
INI

# certs DIR [PWFILE]: "SERIAL SUBJECT" of every certificate in the NSS database, sorted
certs() {
	local d=$1 f=${2:-$T/empty.pw} n
	certutil -L -d "sql:$d" -f "$f" 2>/dev/null | tail -n +5 | sed 's/[[:space:]]\+[^[:space:]]*$//' | sort -u |
		while IFS= read -r n; do [ -n "$n" ] && certutil -L -d "sql:$d" -f "$f" -n "$n" -a 2>/dev/null; done |
		awk -v t="$T/pem" '/BEGIN CERT/{n++} n{print > (t "." n)}'
	for p in "$T"/pem.*; do
		[ -e "$p" ] || continue
		printf '%s %s\n' "$(cert_serial "$p")" \
			"$(openssl x509 -in "$p" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
	done | sort -u
	rm -f "$T"/pem.*
}
has_serial() { certs "$1" "${3:-}" | grep -q "^$2 "; }
nkeys() { certutil -K -d "sql:$1" -f "${2:-$T/empty.pw}" 2>/dev/null | grep -c '^<'; }
pfx_subject() { openssl pkcs12 -in "$1" -passin "pass:$BPW" -nokeys -clcerts 2>/dev/null | openssl x509 -noout -subject -nameopt RFC2253; }
pfx_serial() { pfx_cert_serial "$1" "$BPW"; }
# pfx_key_matches FILE: the key in the file is the certificate's
pfx_key_matches() {
	local a b
	a=$(openssl pkcs12 -in "$1" -passin "pass:$BPW" -nocerts -nodes 2>/dev/null | openssl pkey -pubout 2>/dev/null | sha256sum)
	b=$(openssl pkcs12 -in "$1" -passin "pass:$BPW" -nokeys -clcerts 2>/dev/null | openssl x509 -noout -pubkey | sha256sum)
	[ "$a" = "$b" ]
}
login() { rpc login login "$(jq -cn --arg i "$1" --arg p "$PW" '{id: $i, password: $p}')" | reply; }
new_otp() { rpc otp otp_request >/dev/null && ra_otp "$1"; }
# enroll CMD OTP [EXTRA-JSON]: CMD's lines
enroll() {
	rpc c "$1" "$(jq -cn --arg o "$2" --arg p "$BPW" --argjson x "${3:-{\}}" \
		'{terms_version: "2026.1", otp: $o, backup: {password: $p}} + $x')"
}
# one CMD [ARGS]: CMD alone on a new connection (no login); its reply
one() { printf '{"id":"c","cmd":"%s","args":%s}\n' "$1" "${2:-{\}}" | "$ECM" session 2>>"$T/stderr" | reply; }
# first_apply ID: ID logs in and applies on its own connection; prints the new serial
first_apply() {
	local r
	sess_open
	login "$1" >/dev/null
	r=$(enroll apply "$(new_otp "$1")" | reply)
	sess_close
	jq -r '.result.certificate.serial // empty' <<<"$r" | serial_norm
}

# ================================================================ three customers apply, in turn (the son last)
A1=$(first_apply $A)
D1=$(first_apply $D)
sleep 1 # the son's certificate is the newest by a second at least
E1=$(first_apply $E)
[ -n "$A1" ] && [ -n "$D1" ] && [ -n "$E1" ]; ok $? "A, D and E applied ($A1, $D1, $E1)"
is "$(certs "$PKI" | grep -c 'CN=[ADE]')/$(nkeys "$PKI")" 3/3 "certutil: the Chrome-family database holds three certificates, three keys"

# ================================================================ without a login: whose is asked, never guessed
r=$(one backup "$(jq -cn --arg p "$BPW" --arg f "$T/nobody.pfx" '{path: $f, password: $p}')")
is "$(code <<<"$r")" CHOOSE_CUSTOMER "backup without a login and without id: CHOOSE_CUSTOMER (not the newest of anyone)"
[ ! -e "$T/nobody.pfx" ]; ok $? "  no file written"
is "$(jq -r '[.error.details.candidates[].masked_id] | sort | join(" ")' <<<"$r")" "$MA $MD $ME" \
	"  the candidates are the three customers, masked"
is "$(jq -r '.error.details.candidates[0] | keys | join(",")' <<<"$r")" \
	"cn,device,masked_id,not_after,not_before,serial,store,store_name" "  each with serial, masked ID, CN, device, dates, store"
is "$(jq -r --arg s "$A1" '.error.details.candidates[] | select((.serial | ascii_upcase | ltrimstr("0")) == $s) | "\(.masked_id) \(.device) \(.store)"' <<<"$r")" \
	"$MA PC nss:pki" "  A's row: masked ID, device PC, the Chrome-family store"

r=$(one backup "$(jq -cn --arg p "$BPW" --arg f "$T/parent.pfx" --arg i "${A,,}" '{path: $f, password: $p, id: $i}')")
is "$(code <<<"$r")" OK "backup with id (lower case): A's"
like "$(pfx_subject "$T/parent.pfx")" "CN=$A-00-PC001" "  openssl: the file holds A's certificate"
is "$(pfx_serial "$T/parent.pfx")" "$A1" "  …the one A applied for"
pfx_key_matches "$T/parent.pfx"; ok $? "  …with its own key"
r=$(one backup "$(jq -cn --arg p "$BPW" --arg f "$T/daughter.pfx" --arg s "$D1" '{path: $f, password: $p, serial: $s}')")
is "$(code <<<"$r")/$(pfx_serial "$T/daughter.pfx")" "OK/$D1" "backup with a serial from the candidates: that customer's"
r=$(one backup "$(jq -cn --arg p "$BPW" --arg f "$T/x.pfx" '{path: $f, password: $p, id: "A123456788"}')")
is "$(code <<<"$r")/$(detail field "$r")" BAD_REQUEST/id "backup with an ID whose check digit is wrong: BAD_REQUEST"
r=$(one backup "$(jq -cn --arg f "$T/x.pfx" --arg p "${A}x" --arg i "$A" '{path: $f, password: $p, id: $i}')")
is "$(code <<<"$r")" PASSWORD_TOO_WEAK "backup: the password rule is the named customer's (not the ID itself)"

r=$(one install)
is "$(code <<<"$r")" CHOOSE_CUSTOMER "install without a login and without id: CHOOSE_CUSTOMER"
r=$(one install "$(jq -cn --arg i "$D" '{id: $i, stores: ["nss:pki"]}')")
is "$(jq -r '"\(.ok) \(.result.certificate.serial | ascii_upcase | ltrimstr("0"))"' <<<"$r")" "true $D1" \
	"install with id: the named customer's certificate"

r=$(one query)
is "$(jq -r '"\(.ok) \(.result.local)"' <<<"$r")" "true null" "query without a login: no one's certificate is \"the\" one"
is "$(jq -r '[.result.candidates[].masked_id] | sort | join(" ")' <<<"$r")" "$MA $MD $ME" "  it lists the candidates"
r=$(one query "$(jq -cn --arg i "$A" '{id: $i}')")
is "$(jq -r '.result.local.serial | ascii_upcase | ltrimstr("0")' <<<"$r")/$(jq -r .result.local.masked_id <<<"$r")" \
	"$A1/$MA" "query with id: A's, with its masked ID"

# ================================================================ a foreign CA's certificate whose CN starts with A's ID
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/evil-ca.key" -out "$T/evil-ca.pem" -days 30 \
	-subj "/C=TW/O=Not the broker/CN=Evil CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$T/evil.key" -out "$T/evil.csr" -subj "/C=TW/O=Not the broker/CN=$A-00-PC001" 2>/dev/null
openssl x509 -req -in "$T/evil.csr" -CA "$T/evil-ca.pem" -CAkey "$T/evil-ca.key" -days 30 -set_serial 0x7E57 \
	-out "$T/evil.pem" 2>/dev/null
openssl pkcs12 -export -in "$T/evil.pem" -inkey "$T/evil.key" -certfile "$T/evil-ca.pem" -name evil \
	-passout pass:x -out "$T/evil.p12" 2>/dev/null
pk12util -i "$T/evil.p12" -d "sql:$PKI" -W x -K "" >/dev/null 2>&1
has_serial "$PKI" 7E57; ok $? "pk12util: a foreign CA's certificate with CN $A-00-PC001 (newest, with key) is in the store"
sess_open
login $A >/dev/null
r=$(rpc q query | reply)
is "$(jq -r '.result.local.serial | ascii_upcase | ltrimstr("0")' <<<"$r")" "$A1" "query as A: A's certificate from the broker, not the foreign one"
r=$(rpc b backup "$(jq -cn --arg p "$BPW" --arg f "$T/parent2.pfx" '{path: $f, password: $p}')" | reply)
is "$(pfx_serial "$T/parent2.pfx")" "$A1" "backup as A: A's broker certificate"
r=$(rpc b backup "$(jq -cn --arg p "$BPW" --arg f "$T/other.pfx" --arg i "$D" '{path: $f, password: $p, id: $i}')" | reply)
is "$(code <<<"$r")/$(detail masked_id "$r")" "OTHER_CUSTOMER/$MD" "backup as A naming D: OTHER_CUSTOMER (masked)"
[ ! -e "$T/other.pfx" ]; ok $? "  no file written"
r=$(rpc cl cleanup '{"serials": ["7E57"]}' | reply)
is "$(jq -r '.result.removed | length' <<<"$r")" 0 "cleanup as A of the foreign certificate's serial: not A's, not removed"
sess_close; ok $? "the session ends cleanly"
certutil -F -d "sql:$PKI" -n evil -f "$T/empty.pw" 2>/dev/null # the key and its certificate

# ================================================================ the ID, strictly (a scratch HOME per case)
# broker_cert NAME SUBJECT: a certificate of the broker's CA (the development RA's) with its key in NAME.p12
broker_cert() {
	openssl req -newkey rsa:2048 -nodes -keyout "$T/$1.key" -out "$T/$1.csr" -subj "$2" -utf8 2>/dev/null
	openssl x509 -req -in "$T/$1.csr" -CA "$RA_CA" -CAkey "$RA_DIR/ca-key.pem" -days 30 -set_serial "0x$3" \
		-out "$T/$1.pem" 2>/dev/null
	openssl pkcs12 -export -in "$T/$1.pem" -inkey "$T/$1.key" -name "$1" -passout pass:x -out "$T/$1.p12" 2>/dev/null
}
# alone NAME: a HOME holding only NAME's certificate; runs the rest as a command on one connection there
alone() {
	local h=$T/home-$1
	if [ ! -e "$h/.pki/nssdb/cert9.db" ]; then
		mkdir -p "$h/.pki/nssdb" && certutil -N -d "sql:$h/.pki/nssdb" --empty-password </dev/null
		pk12util -i "$T/$1.p12" -d "sql:$h/.pki/nssdb" -W x -K "" >/dev/null 2>&1 </dev/null
	fi
	shift
	HOME=$h one "$@"
}
broker_cert sn "/C=TW/O=Dev/serialNumber=$E/CN=黃志偉" 5E01
r=$(alone sn query)
is "$(jq -r .result.local.national_id <<<"$r")" "$E" "serialNumber=$E with a name as CN: the ID is read from serialNumber"
mkdir -p "$T/sn-backups"
r=$(alone sn backup "$(jq -cn --arg p "$BPW" --arg d "$T/sn-backups" '{path: $d, password: $p}')")
like "$(jq -r .result.path <<<"$r")" "/ECM_${E}_[0-9]{8}\\.pfx$" "  the only customer's: backed up under the owner's ID"
broker_cert lc "/C=TW/O=Dev/CN=${E,,}-00-PC001" 5E02
r=$(alone lc query)
is "$(jq -r .result.local.national_id <<<"$r")" "$E" "a lower-case ID in the CN is upper-cased"
broker_cert bad "/C=TW/O=Dev/CN=A123456788-00-PC001" 5E03
r=$(alone bad query)
is "$(jq -r .result.local <<<"$r")" null "an ID whose check digit is wrong is nobody's"
r=$(alone bad backup "$(jq -cn --arg p "$BPW" --arg f "$T/bad.pfx" '{path: $f, password: $p}')")
is "$(code <<<"$r")" NO_CERTIFICATE "  backup finds no customer's certificate"

# ================================================================ two layouts of one name: both install
broker_cert lay1 "/C=TW/O=Dev/OU=Layout one/CN=$D-00-PC001" 5E11
broker_cert lay2 "/C=TW/O=Dev/OU=Layout two/CN=$D-00-PC001" 5E12
H2=$T/home-layouts
mkdir -p "$H2/.pki/nssdb" && certutil -N -d "sql:$H2/.pki/nssdb" --empty-password
r1=$(HOME=$H2 one import "$(jq -cn --arg f "$T/lay1.p12" '{path: $f, password: "x"}')")
r2=$(HOME=$H2 one import "$(jq -cn --arg f "$T/lay2.p12" '{path: $f, password: "x"}')")
is "$(code <<<"$r1")/$(code <<<"$r2")" OK/OK "two certificates with the same CN and different subjects: both import"
is "$(certs "$H2/.pki/nssdb" | cut -d' ' -f1 | tr '\n' ' ')" "5E11 5E12 " "  certutil lists both"
is "$(nkeys "$H2/.pki/nssdb")/$(certs "$H2/.pki/nssdb" | wc -l)" 2/2 "  two keys for two certificates (no key left behind)"
jq -r .error.message <<<"$r2" | grep -q 'NSS error -8157'; [ $? -ne 0 ]; ok $? "  no bare \"NSS error -8157\""

# ================================================================ another customer's login over an unsaved key
sess_open
login $A >/dev/null
mkdir -p "$T/gone"
OTP=$(new_otp $A)
ra_fault simpleenroll slow 3
r=$(issue_unsaved "$(jq -cn --arg o "$OTP" --arg p "$BPW" --arg f "$T/gone/a.pfx" \
	'{id: "a", cmd: "apply", args: {terms_version: "2026.1", otp: $o, replace_existing: true, backup: {password: $p, path: $f}}}')" \
	"$T/gone" | reply)
ra_fault simpleenroll none
A2=$(detail issued_serial "$r" | serial_norm)
is "$(code <<<"$r")" ISSUED_NOT_SAVED "A's new certificate is issued but not saved ($A2)"
r=$(login $D)
is "$(code <<<"$r")/$(detail masked_id "$r")/$(detail issued_serial "$r" | serial_norm)" "ISSUED_NOT_SAVED/$MA/$A2" \
	"D's login on that connection: refused, ISSUED_NOT_SAVED says whose (masked)"
r=$(rpc s save_issued "$(jq -cn --arg p "Daughter-Pass-9" --arg f "$T/under-d.pfx" --arg i "$D" '{id: $i, backup: {password: $p, path: $f}}')" | reply)
is "$(code <<<"$r")/$(detail masked_id "$r")" "OTHER_CUSTOMER/$MA" "save_issued for D: refused (A's key is never written for D)"
[ ! -e "$T/under-d.pfx" ]; ok $? "  no file written"
r=$(rpc s save_issued "$(jq -cn --arg p "${A}x" --arg f "$T/weak.pfx" '{backup: {password: $p, path: $f}}')" | reply)
is "$(code <<<"$r")" PASSWORD_TOO_WEAK "save_issued logged out: the password rule is the key owner's (A's ID refused)"
r=$(rpc s save_issued '{"discard": true, "serial": "1234"}' | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "discard with another serial: refused"
r=$(rpc s save_issued "$(jq -cn --arg s "$A2" '{discard: true, serial: $s}')" | reply)
is "$(jq -r .result.discarded <<<"$r" | serial_norm)" "$A2" "discard with the issued serial: discarded on purpose"
is "$(rpc h hello | reply | jq -r .result.issued_unsaved)" null "  nothing is held any more"
is "$(login $D | jq -r .ok)" true "  then D can log in"
sess_close; ok $? "the session ends cleanly"

# ================================================================ superseded means gone
sess_open
login $D >/dev/null
r=$(enroll apply "$(new_otp $D)" '{"replace_existing": true}' | reply)
D2=$(jq -r '.result.certificate.serial // empty' <<<"$r" | serial_norm)
is "$(code <<<"$r")" OK "D applies again with replace_existing ($D2)"
sess_close
has_serial "$PKI" "$D2" && has_serial "$P_D" "$D2"; ok $? "certutil: D's new certificate is in the Chrome-family store and D's profile"
! has_serial "$PKI" "$D1" && ! has_serial "$P_D" "$D1"; ok $? "  the superseded one is gone from both"
is "$(jq -r '[.result.install.removed[].serial | ascii_upcase | ltrimstr("0")] | unique | join(" ")' <<<"$r")" "$D1" \
	"  the reply says what was removed"
has_serial "$PKI" "$A1" && has_serial "$PKI" "$E1"; ok $? "  the others' certificates are untouched"

# The son renews on this computer after applying again on another one: the certificate here is superseded.
mkdir -p "$T/elsewhere"
HOME=$T/elsewhere sess_open
login $E >/dev/null
r=$(enroll apply "$(new_otp $E)" '{"replace_existing": true}' | reply)
sess_close
is "$(code <<<"$r")" OK "E applies again on another computer (another HOME)"
has_serial "$PKI" "$E1"; ok $? "  the superseded one is still here (the new one went to the other computer)"
ra_clock 340
sess_open
login $E >/dev/null
out=$(enroll renew "$(new_otp $E)")
r=$(reply <<<"$out")
is "$(code <<<"$r")" NO_CERTIFICATE "E's renew here: the broker's current certificate is not here: NO_CERTIFICATE"
is "$(steps <<<"$out")" "" "  refused before a key is made (the superseded one is never presented)"
sess_close; ok $? "the session ends cleanly"
done_testing
