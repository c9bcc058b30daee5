#!/usr/bin/env bash
# `sign` (docs/protocol.md): after an apply against the development RA, a CMS SignedData that `openssl cms
# -verify` accepts against the RA's CA, whose signer is the installed certificate, made by NSS (key inside the
# database) and by a .pfx; signed attributes and SHA-256 as documented; the origin checked by the host; each reason
# no certificate can sign (none, expired, superseded, key missing) with its own code. Certificates for the refusal
# cases are issued by a throwaway CA with `openssl ca` (dates in the past, two of one ID) and put into real NSS
# databases with pk12util / certutil.
set -u
SUITE=sign
. "$(dirname "$0")/../lib/ra-suite.sh"
ORIGIN=$(jq -r '.api_url | sub("/api/v1$"; "")' "$RA_JSON")
jq --arg d "$BK" --arg o "$ORIGIN" '. + {backup_dir: $d, sign_origins: [$o, "https://trade.broker.example"]}' \
	"$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json

ID=A123456789 PW=Demo1234 BPW=Backup-Pass-1
b64() { printf '%s' "$1" | base64 -w0; }
# sign_args ORIGIN TEXT [extra JSON]
sign_args() { jq -cn --arg o "$1" --arg d "$(b64 "$2")" --argjson x "${3:-{\}}" '{origin: $o, data: $d} + $x'; }
# cms_of REPLY FILE: the reply's cms (base64) as DER in FILE
cms_of() { jq -r '.result.cms' <<<"$1" | base64 -d >"$2"; }

# ============================================================================ 0. sign_origins in the configuration
for bad in '"https://a.example"' '["https://a.example/"]' '["https://A.example"]' '["ftp://a.example"]' '["http://a.example"]' '["http://127.0.0.1.a.example"]' '["https://a.example:"]' '[""]'; do
	jq --argjson o "$bad" '. + {sign_origins: $o}' "$T/host.json" >"$T/bad.json"
	r=$(echo '{"id":1,"cmd":"hello"}' | ECM_CONFIG=$T/bad.json "$ECM" session 2>/dev/null)
	is "$(jq -r '.result.config.error.code' <<<"$r")" CONFIG_INVALID "sign_origins $bad is refused (CONFIG_INVALID)"
done
r=$(echo '{"id":1,"cmd":"hello"}' | "$ECM" session 2>/dev/null)
is "$(jq -c '.result.config.sign_origins' <<<"$r")" "[\"$ORIGIN\",\"https://trade.broker.example\"]" "hello lists sign_origins"

# ============================================================================ 1. apply, then sign with NSS
sess_open
r=$(rpc l login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" | reply)
is "$(jq -r .ok <<<"$r")" true "login"
rpc o otp_request >/dev/null
OTP=$(ra_otp "$ID")
r=$(rpc a apply "$(jq -cn --arg o "$OTP" --arg p "$BPW" '{terms_version: "2026.1", otp: $o, backup: {password: $p}}')" | reply)
is "$(code <<<"$r")" OK "apply against the development RA"
SERIAL=$(jq -r .result.certificate.serial <<<"$r")
PFX=$(jq -r .result.backup.path <<<"$r")
sess_close

ORDER='委託 2330 台積電 買 1 張 @ 612.00'
sess_open # a new connection, not logged in: sign needs no login
r=$(rpc s1 sign "$(sign_args "$ORIGIN" "$ORDER")" | reply)
is "$(code <<<"$r")" OK "sign without login, allowed origin: OK"
is "$(jq -r .result.serial <<<"$r")/$(jq -r .result.store <<<"$r")" "$SERIAL/nss:pki" \
	"the result names the installed certificate and the primary store"
cms_of "$r" "$T/nss.der"
openssl cms -verify -binary -inform DER -in "$T/nss.der" -CAfile "$RA_CA" -purpose any -out "$T/nss.out" -signer "$T/nss-signer.pem" \
	2>"$T/verify.err"
ok $? "openssl cms -verify accepts the NSS signature against the RA CA"
is "$(cat "$T/nss.out")" "$ORDER" "the signed content is exactly the request's data (UTF-8 kept)"
is "$(cert_serial "$T/nss-signer.pem")" "$SERIAL" \
	"the signer is the installed certificate (serial)"
certutil -L -d "sql:$PKI" -n "$ID-00-PC001" -a >"$T/installed.pem" 2>/dev/null
cmp -s <(openssl x509 -in "$T/installed.pem" -outform DER) <(openssl x509 -in "$T/nss-signer.pem" -outform DER)
ok $? "the certificate inside the CMS is byte for byte the one certutil lists in ~/.pki/nssdb"
openssl cms -cmsout -inform DER -in "$T/nss.der" -outform DER -out "$T/nss.reenc" 2>/dev/null
cmp -s "$T/nss.der" "$T/nss.reenc"; ok $? "NSS: the CMS is DER (OpenSSL re-encodes it byte for byte; NSS itself writes BER)"
openssl cms -cmsout -print -inform DER -in "$T/nss.der" >"$T/nss.txt"
for a in contentType messageDigest signingTime; do
	grep -q "object: $a" "$T/nss.txt"; ok $? "NSS: signed attribute $a"
done
grep -q 'algorithm: sha256' "$T/nss.txt"; ok $? "NSS: digest SHA-256"

r=$(rpc s2 sign "$(sign_args "$ORIGIN" "$ORDER" '{"detached": true}')" | reply)
cms_of "$r" "$T/det.der"
printf '%s' "$ORDER" >"$T/order.txt"
openssl cms -verify -binary -inform DER -in "$T/det.der" -content "$T/order.txt" -CAfile "$RA_CA" -purpose any -out /dev/null 2>/dev/null
ok $? "detached: verifies with the data given beside it"
! grep -q "$(printf '%s' "$ORDER" | xxd -p | head -c 24)" <(xxd -p "$T/det.der" | tr -d '\n'); ok $? \
	"detached: the data is not inside the CMS"
printf 'X%s' "$ORDER" >"$T/other.txt"
! openssl cms -verify -binary -inform DER -in "$T/det.der" -content "$T/other.txt" -CAfile "$RA_CA" -purpose any -out /dev/null \
	2>/dev/null; ok $? "detached: other data does not verify"

r=$(rpc s3 sign "$(sign_args "https://evil.example" "$ORDER")" | reply)
is "$(code <<<"$r")" SIGN_ORIGIN_NOT_ALLOWED "an origin not in sign_origins: SIGN_ORIGIN_NOT_ALLOWED"
r=$(rpc s4 sign "$(sign_args "$ORIGIN/" "$ORDER")" | reply)
is "$(code <<<"$r")" SIGN_ORIGIN_NOT_ALLOWED "exact origins only: a trailing / does not match"
r=$(rpc s5 sign "$(jq -cn --arg o "$ORIGIN" '{origin: $o, data: "5Zu9 6Zqb"}')" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.field <<<"$r")" BAD_REQUEST/data "data that is not canonical base64: BAD_REQUEST"
for d in QR== QUJ= QQ=A ' QQ==' 'QQ==\n'; do # non-zero padding bits, '=' inside, stray characters
	r=$(rpc s5b sign "$(jq -cn --arg o "$ORIGIN" --arg d "$d" '{origin: $o, data: ($d | gsub("\\\\n"; "\n"))}')" | reply)
	is "$(code <<<"$r")/$(jq -r .error.details.field <<<"$r")" BAD_REQUEST/data "data \"$d\" is not canonical base64: BAD_REQUEST"
done
for d in QQ== QUI=; do
	r=$(rpc s5c sign "$(jq -cn --arg o "$ORIGIN" --arg d "$d" '{origin: $o, data: $d, dry_run: true}')" | reply)
	is "$(code <<<"$r")" OK "data \"$d\" (canonical) is accepted"
done
head -c 65537 /dev/zero | base64 -w0 >"$T/big.b64"
r=$(rpc s6 sign "$(jq -cn --arg o "$ORIGIN" --rawfile d "$T/big.b64" '{origin: $o, data: $d}')" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.max_bytes <<<"$r")" MESSAGE_TOO_LARGE/65536 "65537 bytes: MESSAGE_TOO_LARGE (max 64 KiB)"
head -c 65536 /dev/urandom | base64 -w0 >"$T/max.b64"
r=$(rpc s7 sign "$(jq -cn --arg o "$ORIGIN" --rawfile d "$T/max.b64" '{origin: $o, data: $d}')" | reply)
is "$(code <<<"$r")" OK "exactly 64 KiB of binary data: OK"
r=$(rpc s8 sign "$(sign_args "$ORIGIN" "$ORDER" '{"dry_run": true}')" | reply)
is "$(code <<<"$r")/$(jq -r '.result.cms // "none"' <<<"$r")/$(jq -r .result.certificate.cn <<<"$r")" \
	"OK/none/$ID-00-PC001" "dry_run: names the certificate that would sign, signs nothing"
r=$(rpc s9 sign "$(sign_args "$ORIGIN" "$ORDER" '{"serial": "ABCDEF"}')" | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "a serial that is not in the store: NO_CERTIFICATE"

# ---- .pfx: the same through OpenSSL's CMS_sign
r=$(rpc p1 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg p "$PFX" --arg w "$BPW" '{pfx: {path: $p, password: $w}}')")" | reply)
is "$(code <<<"$r")/$(jq -r .result.store <<<"$r")/$(jq -r .result.serial <<<"$r")" "OK/pfx/$SERIAL" "sign with the .pfx backup"
cms_of "$r" "$T/pfx.der"
openssl cms -verify -binary -inform DER -in "$T/pfx.der" -CAfile "$RA_CA" -purpose any -out "$T/pfx.out" -signer "$T/pfx-signer.pem" 2>/dev/null
ok $? "openssl cms -verify accepts the .pfx signature against the RA CA"
is "$(cert_serial "$T/pfx-signer.pem")/$(cat "$T/pfx.out")" "$SERIAL/$ORDER" \
	".pfx: the signer is the issued certificate, the content the order"
openssl cms -cmsout -print -inform DER -in "$T/pfx.der" >"$T/pfx.txt"
for a in contentType messageDigest signingTime; do
	grep -q "object: $a" "$T/pfx.txt"; ok $? ".pfx: signed attribute $a"
done
! grep -q 'SMIMECapabilities' "$T/pfx.txt"; ok $? ".pfx: no S/MIME capabilities attribute (only the three documented)"
r=$(rpc p2 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg p "$PFX" '{pfx: {path: $p, password: "wrong"}}')")" | reply)
is "$(code <<<"$r")" PFX_WRONG_PASSWORD ".pfx with a wrong password: PFX_WRONG_PASSWORD"

# ---- self-test: the host's own text, checked locally against the pinned CA
r=$(rpc t1 sign '{"self_test": true}' | reply)
is "$(code <<<"$r")/$(jq -r .result.local_verify.ok <<<"$r")/$(jq -r .result.local_verify.chain_checked <<<"$r")" OK/true/true \
	"self_test: signed and verified locally against ra_ca_file"
like "$(jq -r .result.data <<<"$r" | base64 -d)" '^e-Cert Manager 憑證簽驗 self-test ' "self_test signs the host's own text"
is "$(jq -r .result.ra_verify <<<"$r")" null "self_test without login: no RA check"
# ---- the broker's side: POST /api/v1/verify of the development RA (tests/ra/verify.js)
verify() { # verify FILE.der [extra JSON] [curl auth args...]: the RA's verdict as "valid/reason"
	local der=$1 x=${2:-{\}}; shift 2 2>/dev/null || shift
	jq -cn --arg c "$(base64 -w0 "$der")" --argjson x "$x" '{cms: $c} + $x' >"$T/vreq.json"
	ra_curl "$@" -H 'Content-Type: application/json' --data-binary "@$T/vreq.json" "$RA_API/verify" | tee "$T/vans.json" |
		jq -r '"\(.valid)/\(.reason)"'
}
is "$(verify "$T/nss.der" '{}' -u "$ID:$PW")" true/null "RA verify: the NSS signature is valid (logged in as its owner)"
is "$(jq -r .serial "$T/vans.json")/$(jq -r .content "$T/vans.json" | base64 -d)" "$SERIAL/$ORDER" \
	"RA verify: names the signer's serial and returns the signed content"
is "$(verify "$T/pfx.der")" true/null "RA verify: the .pfx signature is valid (not logged in: no account check)"
is "$(jq -r .account_checked "$T/vans.json")" false "RA verify without login says the account was not checked"
is "$(verify "$T/nss.der" '{}' -u "D220334567:$PW")" false/other_id "RA verify: logged in as another customer: other_id"
is "$(verify "$T/det.der" "$(jq -cn --arg d "$(b64 "$ORDER")" '{data: $d}')")" true/null "RA verify: detached with its data: valid"
is "$(verify "$T/det.der" "$(jq -cn --arg d "$(b64 "X$ORDER")" '{data: $d}')")" false/digest "RA verify: detached with other data: digest"
is "$(verify "$T/det.der")" false/format "RA verify: detached without data: format"
head -c 300 "$T/nss.der" >"$T/cut.der"
is "$(verify "$T/cut.der")" false/format "RA verify: a cut CMS: format"
# a signature byte flipped (the last byte of the DER is inside the signature value)
cp "$T/pfx.der" "$T/flip.der"
printf '%02x' $(( $(xxd -s -1 -p "$T/flip.der" | sed 's/^/0x/') ^ 1 )) | xxd -r -p | dd of="$T/flip.der" bs=1 \
	seek=$(( $(stat -c %s "$T/flip.der") - 1 )) conv=notrunc 2>/dev/null
is "$(verify "$T/flip.der")" false/signature "RA verify: one bit of the signature changed: signature"
NONCE=$(ra_curl -X POST "$RA_API/nonce" | jq -r .nonce)
r=$(rpc v1 sign "$(sign_args "$ORIGIN" "check
nonce=$NONCE")" | reply)
cms_of "$r" "$T/nonce.der"
is "$(verify "$T/nonce.der" "$(jq -cn --arg n "$NONCE" '{nonce: $n}')")" true/null "RA verify: the nonce it issued, signed: valid"
is "$(verify "$T/nonce.der" "$(jq -cn --arg n "$NONCE" '{nonce: $n}')")" false/nonce "RA verify: the same nonce again: nonce (one use)"

r=$(rpc l2 login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" | reply)
r=$(rpc t2 sign '{"self_test": true}' | reply)
is "$(jq -r .result.ra_verify.valid <<<"$r")/$(jq -r .result.ra_verify.account_checked <<<"$r")" true/true \
	"self_test after login: the RA verified it against the logged-in account"
sess_close; ok $? "the session ends cleanly"

# ---- after a second apply the first certificate is superseded in the RA's records
sess_open
rpc l3 login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" >/dev/null
rpc o3 otp_request >/dev/null
OTP=$(ra_otp "$ID")
r=$(rpc a3 apply "$(jq -cn --arg o "$OTP" --arg p "$BPW" '{terms_version: "2026.1", otp: $o, replace_existing: true, backup: {password: $p}}')" | reply)
is "$(code <<<"$r")" OK "a second apply"
sess_close
is "$(verify "$T/nss.der")" false/superseded "RA verify: the first certificate's signature is now superseded"

# ============================================================================ 2. why no certificate can sign
C=$T/ca
mkdir -p "$C"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.pem" -subj "/CN=Test CA" -days 30 2>/dev/null
: >"$C/index.txt"
echo 1000 >"$C/serial"
cat >"$C/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = $C/index.txt
new_certs_dir = $C
serial = $C/serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[p]
commonName = supplied
countryName = optional
CNF
# issue NAME START END [ID [CA]]: NAME.key, NAME.pem, NAME.p12 (password x), by the test CA (or CA.pem/CA.key)
issue() {
	local ca=${5:-ca}
	openssl req -newkey rsa:2048 -nodes -keyout "$C/$1.key" -subj "/C=TW/CN=${4:-$ID}-00-PC001" -out "$C/$1.csr" 2>/dev/null
	openssl ca -batch -config "$C/ca.cnf" -cert "$C/$ca.pem" -keyfile "$C/$ca.key" -startdate "$2" -enddate "$3" \
		-in "$C/$1.csr" -out "$C/$1.pem" -notext 2>/dev/null
	openssl pkcs12 -export -inkey "$C/$1.key" -in "$C/$1.pem" -passout pass:x -out "$C/$1.p12" 2>/dev/null
}
issue expired 20240101000000Z 20250101000000Z
issue old 20250601000000Z 20300101000000Z
issue new 20250701000000Z 20300101000000Z
# the broker's CA is now the test CA: only its certificates are anyone's (identity.h)
jq --arg c "$C/ca.pem" '. + {ra_ca_file: $c}' "$T/host.json" >"$T/test-ca.json"
export ECM_CONFIG=$T/test-ca.json
# fresh HOME with the given pkcs12 files (with keys) and certificates (without)
fresh() {
	HOME=$T/h-$1; PKI=$HOME/.pki/nssdb
	mkdir -p "$PKI" && certutil -N -d "sql:$PKI" --empty-password
	export HOME
}
serial_of() { cert_serial "$C/$1.pem"; }

fresh none
sess_open
r=$(rpc n1 sign "$(sign_args "$ORIGIN" "$ORDER")" | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "an empty store: NO_CERTIFICATE"
sess_close

fresh expired
pk12util -i "$C/expired.p12" -d "sql:$PKI" -W x >/dev/null
sess_open
r=$(rpc e1 sign "$(sign_args "$ORIGIN" "$ORDER")" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.serial <<<"$r")" "CERT_EXPIRED/$(serial_of expired)" \
	"only an expired certificate: CERT_EXPIRED, naming it"
sess_close

fresh nokey
certutil -A -d "sql:$PKI" -n nokey -t ,, -i "$C/new.pem"
sess_open
r=$(rpc k1 sign "$(sign_args "$ORIGIN" "$ORDER")" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.store <<<"$r")" KEY_MISSING/nss:pki "the certificate without its key: KEY_MISSING"
sess_close

fresh superseded
pk12util -i "$C/old.p12" -d "sql:$PKI" -W x >/dev/null
pk12util -i "$C/new.p12" -d "sql:$PKI" -W x >/dev/null
sess_open
r=$(rpc u1 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg s "$(serial_of old)" '{serial: $s}')")" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.newer_serial <<<"$r")" "CERT_SUPERSEDED/$(serial_of new)" \
	"asking for the older of two certificates of one ID: CERT_SUPERSEDED, naming the newer"
r=$(rpc u2 sign "$(sign_args "$ORIGIN" "$ORDER")" | reply)
is "$(code <<<"$r")/$(jq -r .result.serial <<<"$r")" "OK/$(serial_of new)" "by default the newest signs"
cms_of "$r" "$T/new.der"
openssl cms -verify -binary -inform DER -in "$T/new.der" -CAfile "$C/ca.pem" -purpose any -out /dev/null 2>/dev/null
ok $? "...and verifies against its own CA"
! openssl cms -verify -binary -inform DER -in "$T/new.der" -CAfile "$RA_CA" -purpose any -out /dev/null 2>/dev/null
ok $? "...and not against the RA CA (the chain is really checked)"
sess_close

# ============================================================================ 3. a family: whose order it is
B=B220000000 F=F123456784
issue b 20250801000000Z 20300101000000Z "$B"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/foreign.key" -out "$C/foreign.pem" -subj "/CN=Foreign CA" -days 30 2>/dev/null
issue fake 20250901000000Z 20300101000000Z "$ID" foreign
fresh family
for p in old new b fake; do pk12util -i "$C/$p.p12" -d "sql:$PKI" -W x >/dev/null; done
signer_cn() { # signer_cn REPLY: the CN of the signer openssl cms -verify reports
	cms_of "$1" "$T/fam.der"
	openssl cms -verify -binary -inform DER -in "$T/fam.der" -CAfile "$C/ca.pem" -purpose any -out /dev/null \
		-signer "$T/fam-signer.pem" 2>/dev/null && openssl x509 -in "$T/fam-signer.pem" -noout -subject -nameopt multiline |
		sed -n 's/^ *commonName *= //p'
}
sess_open
r=$(rpc f1 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg c "$ID" '{customer: $c}')")" | reply)
is "$(code <<<"$r")/$(jq -r .result.serial <<<"$r")/$(jq -r .result.masked_id <<<"$r")" "OK/$(serial_of new)/A12****789" \
	"customer A while B's certificate (and a foreign CA's with A's CN) is newer: A's newest signs"
is "$(signer_cn "$r")" "$ID-00-PC001" "openssl cms -verify: the signer is A's certificate of the broker's CA"
r=$(rpc f2 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg c "$B" '{customer: $c}')")" | reply)
is "$(code <<<"$r")/$(jq -r .result.serial <<<"$r")/$(signer_cn "$r")" "OK/$(serial_of b)/$B-00-PC001" "customer B: B's certificate signs"
r=$(rpc f3 sign "$(sign_args "$ORIGIN" "$ORDER" '{"customer": "a123456789", "dry_run": true}')" | reply)
is "$(code <<<"$r")/$(jq -r .result.serial <<<"$r")" "OK/$(serial_of new)" "customer in lower case is the same customer"
r=$(rpc f4 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg c "$F" '{customer: $c}')")" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.masked_id <<<"$r")/$(jq -r '.result.cms // "none"' <<<"$r")" "NO_CERTIFICATE/F12****784/none" \
	"a customer with no certificate here: NO_CERTIFICATE naming the masked ID, nothing signed"
r=$(rpc f5 sign "$(sign_args "$ORIGIN" "$ORDER" '{"customer": "A123456788"}')" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.field <<<"$r")" BAD_REQUEST/customer "customer with a wrong check digit: BAD_REQUEST"
r=$(rpc f6 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg c "$ID" --arg s "$(serial_of b)" '{customer: $c, serial: $s}')")" | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "customer A with B's serial: NO_CERTIFICATE"
r=$(rpc f7 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg s "$(serial_of fake)" '{serial: $s}')")" | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "the foreign CA's certificate with A's CN is nobody's: NO_CERTIFICATE by its serial"
r=$(rpc f8 sign "$(sign_args "$ORIGIN" "$ORDER")" | reply)
is "$(code <<<"$r")/$(jq -r '.result.cms // "none"' <<<"$r")" CHOOSE_CUSTOMER/none "the page does not say whose, two customers here: CHOOSE_CUSTOMER"
is "$(jq -c '[.error.details.candidates[] | [.masked_id, .serial, .cn, .device, .store, .store_name, (.not_after | test("^20"))]] | sort' <<<"$r")" \
	"$(jq -cn --arg a "$(serial_of new)" --arg b "$(serial_of b)" --arg i "$ID" --arg j "$B" \
		'[["A12****789", $a, "\($i)-00-PC001", "PC", "nss:pki", "Chrome/Chromium", true], ["B22****000", $b, "\($j)-00-PC001", "PC", "nss:pki", "Chrome/Chromium", true]]')" \
	"the candidates: each customer's newest, with masked ID, CN, device, expiry and the store by its name"
r=$(rpc f9 sign "$(sign_args "$ORIGIN" "$ORDER" "$(jq -cn --arg s "$(serial_of b)" '{serial: $s, store: "nss:pki"}')")" | reply)
is "$(code <<<"$r")/$(signer_cn "$r")" "OK/$B-00-PC001" "the person's choice (serial + store) signs with that certificate"
r=$(rpc t3 sign '{"self_test": true}' | reply)
is "$(code <<<"$r")" CHOOSE_CUSTOMER "the self-test without login picks by the same rule: CHOOSE_CUSTOMER"
r=$(rpc t4 sign "$(jq -cn --arg c "$B" '{self_test: true, customer: $c}')" | reply)
is "$(code <<<"$r")/$(jq -r .result.serial <<<"$r")" "OK/$(serial_of b)" "the self-test for customer B signs with B's"
sess_close

done_testing
