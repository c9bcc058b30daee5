#!/usr/bin/env bash
# The development RA, end to end over real TLS with curl, openssl and strongSwan's `pki --est`
# (contract: docs/ra-protocol.md). Run: bash tests/ra/ra.t
# shellcheck disable=SC2015
set -u
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
. "$ROOT/tests/lib/tap.sh"
. "$ROOT/tests/lib/ra.sh"

W=$(mktemp -d "${TMPDIR:-/tmp}/ra-t.XXXXXX")
PID2=
cleanup() {
	ra_stop
	if [ -n "$PID2" ]; then kill -TERM "$PID2" 2>/dev/null; wait "$PID2" 2>/dev/null; fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TERMS=2026.1
PW=Demo1234
NEW=A123456789 OTHER=B220134565 LOCKED=C120045679 SPARE=D220334567 SPARE2=E120556786

# http METHOD URL [curl args...]: sets CODE, BODY; headers in $W/hdrs
http() {
	local m=$1 u=$2; shift 2
	CODE=$(curl -sS --max-time 20 --cacert "$RA_CA" -X "$m" -D "$W/hdrs" -o "$W/body" -w '%{http_code}' "$@" "$u")
	BODY=$(cat "$W/body")
}
jf() { printf '%s' "$BODY" | jq -r "$1" 2>/dev/null; }
hdr() { tr -d '\r' <"$W/hdrs" | sed -n "s/^$1: *//Ip" | tail -n 1; }
fresh_otp() { ra_otp_request "$1" >/dev/null && OTP=$(ra_otp "$1"); }
# est OP ID CSR_DER [curl args...]: POST the CSR (one base64 line, like pki --est) with the current $OTP and terms
est() {
	local op=$1 id=$2 csr=$3; shift 3
	base64 -w0 "$csr" >"$W/csr.b64"
	http POST "$RA_EST/$op" -u "$id:$PW" -H 'Content-Type: application/pkcs10' -H "X-ECM-OTP: $OTP" \
		-H "X-ECM-Terms-Version: $TERMS" --data-binary @"$W/csr.b64" "$@"
}
# b64d FILE: base64 as EST servers fold it (CRLF line ends) decoded
b64d() { tr -d '\r' <"$1" | base64 -d; }
# p7leaf OUT: first certificate of the PKCS#7 in $W/body to OUT (PEM); all certs to OUT.all
p7leaf() {
	b64d "$W/body" | openssl pkcs7 -inform DER -print_certs -out "$1.all" 2>/dev/null &&
		openssl x509 -in "$1.all" -out "$1" 2>/dev/null
}
newkey() { # newkey NAME rsa:2048|ec [SUBJECT]: key NAME.key, DER CSR NAME.der
	local sub=${3:-/CN=$NEW-00-PC001}
	if [ "$2" = ec ]; then
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/$1.key" -subj "$sub" \
			-outform DER -out "$W/$1.der" 2>/dev/null
	else
		openssl req -new -newkey "$2" -nodes -keyout "$W/$1.key" -subj "$sub" -outform DER -out "$W/$1.der" 2>/dev/null
	fi
}
tw_id_ok() { # Taiwanese national ID checksum
	local id=$1 letters=ABCDEFGHJKLMNPQRSTUVXYWZIO pre n s i
	[[ $id =~ ^[A-Z][12][0-9]{8}$ ]] || return 1
	pre=${letters%%"${id:0:1}"*}; n=$((${#pre} + 10)); s=$((n / 10 + (n % 10) * 9))
	for i in 1 2 3 4 5 6 7 8; do s=$((s + ${id:i:1} * (9 - i))); done
	s=$((s + ${id:9:1}))
	[ $((s % 10)) -eq 0 ]
}
days_valid() { # whole days between notBefore and notAfter of a PEM certificate
	local nb na
	nb=$(date -u -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
	echo $(((na - nb) / 86400))
}
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

# ------------------------------------------------------------------ start
t0=$(date +%s)
ra_start "$W/ra"; ok $? "ra_start: the RA comes up and writes ra.json" || { done_testing; exit 1; }
for f in est_url api_url ra_ca_file revoke_url test_url port pid; do
	[ -n "$(jq -r ".$f // empty" "$RA_JSON")" ] || diag "ra.json lacks $f"
done
is "$(jq -r '[.est_url, .api_url, .ra_ca_file, .revoke_url, .test_url, .port, .pid] | map(select(. != null)) | length' "$RA_JSON")" 7 \
	"ra.json has est_url, api_url, ra_ca_file, revoke_url, test_url, port, pid"
is "$(jq -r .pid "$RA_JSON")" "$RA_PID" "ra.json pid is the RA process"
[[ $RA_CA = /* ]] && [ -s "$RA_CA" ]; ok $? "ra_ca_file is an absolute path to the CA"
like "$RA_EST" '^https://127\.0\.0\.1:[0-9]+/\.well-known/est$' "est_url is on 127.0.0.1"
bad=0; for id in $(jq -r '.accounts[].id' "$RA_JSON"); do tw_id_ok "$id" || bad=1; done
ok $bad "every demo ID passes the national-ID checksum"
is "$(jq -r '[.accounts[] | .state] | sort | unique | join(",")' "$RA_JSON")" "locked,new,other_devices" \
	"accounts: new, other_devices and locked customers"
ra_host_config "$RA_DIR" "$W/host.json"
is "$(jq -r '[.est_url == env.RA_EST, .ra_ca_file == env.RA_CA, .key_type, .pkcs12_iterations,
	(.allowed_callers | length)] | map(tostring) | join(" ")' "$W/host.json")" "true true rsa2048 2048 2" \
	"ra_host_config writes the host configuration"
if command -v ss >/dev/null; then
	is "$(ss -Hltn "sport = :$(jq -r .port "$RA_JSON")" | awk '{print $4}' | sort -u | tr '\n' ' ')" \
		"127.0.0.1:$(jq -r .port "$RA_JSON") " "listens on 127.0.0.1 only"
else
	ok 0 "listens on 127.0.0.1 only # SKIP no ss"
fi

# ------------------------------------------------------------------ TLS and EST basics
curl -sS --cacert "$RA_CA" --tlsv1.2 --tls-max 1.2 -o /dev/null "$RA_API/terms"; ok $? "TLS 1.2"
curl -sS --cacert "$RA_CA" --tlsv1.3 -o /dev/null "$RA_API/terms"; ok $? "TLS 1.3"
curl -sS --cacert "$RA_CA" -o /dev/null "https://localhost:$(jq -r .port "$RA_JSON")/api/v1/terms"
ok $? "server certificate is valid for localhost too"
! curl -sS -o /dev/null "$RA_API/terms" 2>/dev/null; ok $? "server certificate is not trusted without the RA CA"

http GET "$RA_EST/cacerts"
is "$CODE" 200 "cacerts: 200"
like "$(hdr Content-Type)" '^application/pkcs7-mime' "cacerts: application/pkcs7-mime"
b64d "$W/body" | openssl pkcs7 -inform DER -print_certs -out "$W/cacerts.pem" 2>/dev/null
ok $? "cacerts parses with openssl pkcs7 -print_certs"
# RFC 2045 6.8 (RFC 7030 4.1.3): lines of at most 76 characters, CRLF; libest's client reads no longer line
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$W/body"):$(grep -c $'\r$' "$W/body"):$(wc -l <"$W/body")" \
	"77:$(wc -l <"$W/body"):$(wc -l <"$W/body")" "cacerts: base64 folded at 76 columns, every line ended by CRLF"
is "$(openssl x509 -in "$W/cacerts.pem" -noout -fingerprint -sha256)" \
	"$(openssl x509 -in "$RA_CA" -noout -fingerprint -sha256)" "cacerts holds the CA of ra_ca_file"
http GET "$RA_EST/csrattrs"; is "$CODE" 204 "csrattrs: 204"
http GET "$RA_EST/simpleenroll"; is "$CODE" 405 "simpleenroll wants POST"
like "$(hdr Content-Type):$BODY" '^text/plain.*:simpleenroll takes POST' "405 from EST: the reason in text/plain"
http GET "$RA_API/nothing"; is "$CODE:$(jf .code)" "404:NOT_FOUND" "unknown endpoint: 404 NOT_FOUND JSON"

http GET "$RA_API/terms"
is "$CODE:$(jf .version)" "200:$TERMS" "terms: version"
like "$(jf .text)" '憑證' "terms: zh-TW text"

# ------------------------------------------------------------------ account API
http GET "$RA_API/account" -u "$NEW:$PW"
is "$CODE:$(jf .id):$(jf .current_pc_cert):$(jf .renewal_window_days)" "200:$NEW:null:30" "account: new customer, no PC cert"
like "$(jf .phone_masked)" '^09[0-9]{2}-\*\*\*-[0-9]{3}$' "account: masked phone"
like "$(jf .now)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "account: now in ISO 8601 UTC"
http GET "$RA_API/certificates" -u "$OTHER:$PW"
is "$(jf '[.certificates[] | "\(.device)/\(.cn)/\(.status)"] | sort | join(" ")')" \
	"GPhone/$OTHER-00-MG001/valid iPhone/$OTHER-00-MI001/valid" "certificates: iPhone and GPhone rows"
http GET "$RA_API/certificates" -u "$NEW:$PW"; is "$(jf '.certificates | length')" 0 "certificates: none for the new customer"

# ------------------------------------------------------------------ passwords
http GET "$RA_API/account"
is "$CODE:$(jf .code)" "401:WRONG_PASSWORD" "no credentials: 401 WRONG_PASSWORD"
like "$(hdr WWW-Authenticate)" '^Basic realm=' "401 carries WWW-Authenticate: Basic"
http GET "$RA_API/account" -u "$SPARE:nope"
is "$CODE:$(jf .code):$(jf .attempts_left)" "401:WRONG_PASSWORD:4" "wrong password: 401 WRONG_PASSWORD, 4 attempts left"
http GET "$RA_API/account" -u "F131104093:nope"
is "$CODE:$(jf .code):$(jf .attempts_left)" "401:WRONG_PASSWORD:4" "unknown ID: the same answer"
for i in 2 3 4 5; do http GET "$RA_API/account" -u "$SPARE:nope$i"; done
is "$CODE:$(jf .attempts_left)" "401:0" "5th wrong password: no attempts left"
http GET "$RA_API/account" -u "$SPARE:$PW"
is "$CODE:$(jf .code)" "403:ACCOUNT_LOCKED" "after 5 wrong passwords the right one gets 403 ACCOUNT_LOCKED"
http GET "$RA_API/account" -u "$LOCKED:$PW"
is "$CODE:$(jf .code)" "403:ACCOUNT_LOCKED" "seeded locked account: 403 ACCOUNT_LOCKED"

# ------------------------------------------------------------------ simpleenroll (RSA-2048)
newkey rsa rsa:2048
http POST "$RA_API/otp" -u "$NEW:$PW"
is "$CODE:$(jf .expires_in)" "200:300" "otp: sent, expires in 300 s"
like "$(jf .sent_to)" '^09[0-9]{2}-\*\*\*-[0-9]{3}$' "otp: sent_to is masked"
OTP=$(ra_otp "$NEW")
like "$OTP" '^[0-9]{6}$' "test/otp: the 6-digit OTP"
grep -q "otp=$OTP" "$RA_DIR/otp-sink.log"; ok $? "the OTP is written to the sink file"
base64 -w0 "$W/rsa.der" >"$W/csr.b64"
http POST "$RA_EST/simpleenroll" -u "$NEW:$PW" -H "X-ECM-OTP: $OTP" -H "X-ECM-Terms-Version: $TERMS" \
	--data-binary @"$W/csr.b64"
is "$CODE:$(hdr Content-Type):$BODY" "415:text/plain; charset=utf-8:Content-Type must be application/pkcs10" \
	"simpleenroll with curl's default Content-Type: 415, the reason in text/plain"
http POST "$RA_EST/simpleenroll" -u "$NEW:$PW" -H "X-ECM-OTP: $OTP" -H 'Content-Type: application/pkcs10' \
	--data-binary @"$W/csr.b64"
is "$CODE:$(jf .code)" "403:TERMS_NOT_ACCEPTED" "simpleenroll without terms version: 403 TERMS_NOT_ACCEPTED"
http POST "$RA_EST/simpleenroll" -u "$NEW:$PW" -H "X-ECM-OTP: $OTP" -H "X-ECM-Terms-Version: 2025.9" \
	-H 'Content-Type: application/pkcs10' --data-binary @"$W/csr.b64"
is "$CODE:$(jf .code)" "403:TERMS_NOT_ACCEPTED" "old terms version: 403 TERMS_NOT_ACCEPTED"
est simpleenroll "$NEW" "$W/rsa.der"
is "$CODE" 200 "simpleenroll RSA-2048 with OTP and terms: 200"
is "$(wc -l <"$W/body"):$(grep -c $'\r' "$W/body")" "1:0" \
	"a CSR sent as one line without Content-Transfer-Encoding (pki --est) is answered on one line"
like "$(hdr Content-Type)" '^application/pkcs7-mime; *smime-type=certs-only' "simpleenroll: certs-only PKCS#7 content type"
p7leaf "$W/rsa.pem"; ok $? "simpleenroll answer parses with openssl pkcs7 -print_certs"
is "$(openssl x509 -in "$W/rsa.pem" -noout -subject -nameopt RFC2253)" \
	"subject=CN=$NEW-00-PC001,OU=RA-DEV,O=e-Cert Dev Broker,C=TW" "issued subject and CN"
X=$(openssl x509 -in "$W/rsa.pem" -noout -ext extendedKeyUsage,keyUsage 2>/dev/null)
like "$X" 'TLS Web Client Authentication' "EKU clientAuth"
like "$(printf '%s' "$X" | tr '\n' ' ')" 'Key Usage: critical +Digital Signature' "keyUsage digitalSignature, critical"
like "$(days_valid "$W/rsa.pem")" '^36[56]$' "valid for 1 year"
openssl verify -CAfile "$RA_CA" "$W/rsa.pem" >/dev/null 2>&1; ok $? "openssl verify: chains to ra_ca_file"
is "$(openssl x509 -in "$W/rsa.pem" -noout -pubkey)" "$(openssl pkey -in "$W/rsa.key" -pubout)" "certificate carries the CSR key"
S1=$(serial_of "$W/rsa.pem")
like "$S1" '^[1-7][0-9A-F]{31}$' "serial: 16 random bytes, positive, upper-case hex"
openssl x509 -in "$W/rsa.pem" -noout -ext subjectKeyIdentifier,authorityKeyIdentifier 2>/dev/null | grep -c 'Key Identifier' | grep -qx 2
ok $? "SKI and AKI present"
http GET "$RA_API/account" -u "$NEW:$PW"
is "$(jf '.current_pc_cert | "\(.serial) \(.status) \(.device)"')" "$S1 valid PC" "account: the new PC certificate"
est simpleenroll "$NEW" "$W/rsa.der"
is "$CODE:$(jf .code)" "403:OTP_EXPIRED" "the OTP is single use"

# ------------------------------------------------------------------ OTP and CSR failures
newkey spare2 rsa:2048 "/CN=$SPARE2-00-PC001"
est simpleenroll "$SPARE2" "$W/spare2.der"
is "$CODE:$(jf .code)" "403:OTP_EXPIRED" "no OTP requested: 403 OTP_EXPIRED"
fresh_otp "$NEW"; GOOD=$OTP
OTP=000000; [ "$GOOD" = 000000 ] && OTP=111111
est simpleenroll "$NEW" "$W/rsa.der"
is "$CODE:$(jf .code):$(jf .attempts_left)" "403:OTP_INVALID:2" "wrong OTP: 403 OTP_INVALID, 2 attempts left"
est simpleenroll "$NEW" "$W/rsa.der"; est simpleenroll "$NEW" "$W/rsa.der"
OTP=$GOOD; est simpleenroll "$NEW" "$W/rsa.der"
is "$CODE:$(jf .code)" "403:OTP_EXPIRED" "after 3 wrong OTPs the right one is dead"
fresh_otp "$NEW"; ra_clock 0.0036
est simpleenroll "$NEW" "$W/rsa.der"
is "$CODE:$(jf .code)" "403:OTP_EXPIRED" "OTP older than 300 s (clock moved): 403 OTP_EXPIRED"
ra_clock 0
fresh_otp "$NEW"
newkey weak rsa:1024
est simpleenroll "$NEW" "$W/weak.der"
is "$CODE:$(jf .code)" "400:CSR_REJECTED" "RSA-1024 CSR: 400 CSR_REJECTED"
newkey p384 ec; openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$W/p384.key" \
	-subj "/CN=$NEW-00-PC001" -outform DER -out "$W/p384.der" 2>/dev/null
est simpleenroll "$NEW" "$W/p384.der"
is "$CODE:$(jf .code)" "400:CSR_REJECTED" "EC P-384 CSR: 400 CSR_REJECTED"
cp "$W/rsa.der" "$W/badsig.der"; printf '\x55' | dd of="$W/badsig.der" bs=1 seek=$(($(stat -c %s "$W/rsa.der") - 2)) conv=notrunc 2>/dev/null
est simpleenroll "$NEW" "$W/badsig.der"
is "$CODE:$(jf .code)" "400:CSR_REJECTED" "CSR with a broken signature: 400 CSR_REJECTED"
newkey other rsa:2048 "/CN=$OTHER-00-PC001"
est simpleenroll "$NEW" "$W/other.der"
is "$CODE:$(jf .code)" "400:CSR_REJECTED" "CSR with another customer's CN: 400 CSR_REJECTED"
http POST "$RA_EST/simpleenroll" -u "$NEW:$PW" -H "X-ECM-OTP: $OTP" -H "X-ECM-Terms-Version: $TERMS" \
	-H 'Content-Type: application/pkcs10' --data-binary 'not*base64!'
is "$CODE:$(hdr Content-Type):$BODY" "400:text/plain; charset=utf-8:body is not base64 of a DER PKCS#10 request" \
	"garbage body: 400, the reason in text/plain"

# P-256, sent wrapped at 64 with CRLF and Content-Transfer-Encoding (the OTP survived the rejections above)
newkey p256 ec
base64 -w64 "$W/p256.der" | sed 's/$/\r/' >"$W/p256.b64"
http POST "$RA_EST/simpleenroll" -u "$NEW:$PW" -H "X-ECM-OTP: $OTP" -H "X-ECM-Terms-Version: $TERMS" \
	-H 'Content-Type: application/pkcs10' -H 'Content-Transfer-Encoding: base64' --data-binary @"$W/p256.b64"
is "$CODE" 200 "P-256 CSR (CRLF-wrapped base64, with Content-Transfer-Encoding): 200"
is "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$W/body"):$(grep -c $'\r$' "$W/body")" \
	"77:$(wc -l <"$W/body")" "and is answered folded at 76 columns with CRLF"
p7leaf "$W/p256.pem"
like "$(openssl x509 -in "$W/p256.pem" -noout -text)" 'ASN1 OID: prime256v1' "P-256 certificate"
S2=$(serial_of "$W/p256.pem")
http GET "$RA_API/certificates" -u "$NEW:$PW"
is "$(jf ".certificates[] | select(.serial == \"$S1\") | .status"):$(jf ".certificates[] | select(.serial == \"$S2\") | .status")" \
	"superseded:valid" "simpleenroll supersedes the previous PC certificate"

# ------------------------------------------------------------------ simplereenroll
newkey renew rsa:2048 "/C=TW/O=e-Cert Dev Broker/OU=RA-DEV/CN=$NEW-00-PC001"
fresh_otp "$NEW"
est simplereenroll "$NEW" "$W/renew.der"
is "$CODE:$(jf .code)" "403:CLIENT_CERT_REQUIRED" "reenroll without client certificate: 403 CLIENT_CERT_REQUIRED"
est simplereenroll "$OTHER" "$W/renew.der" --cert "$W/p256.pem" --key "$W/p256.key"
is "$CODE:$(jf .code)" "403:CLIENT_CERT_REQUIRED" "reenroll with another customer's certificate: 403 CLIENT_CERT_REQUIRED"
est simplereenroll "$NEW" "$W/renew.der" --cert "$W/p256.pem" --key "$W/p256.key" -u "$NEW:wrong"
is "$CODE:$(jf .code)" "401:WRONG_PASSWORD" "reenroll with the certificate but a wrong password: 401"
est simplereenroll "$NEW" "$W/renew.der" --cert "$W/p256.pem" --key "$W/p256.key" --tlsv1.2 --tls-max 1.2
is "$CODE:$(jf .code):$(jf .window_days)" "403:NOT_IN_RENEWAL_WINDOW:30" "reenroll now (TLS 1.2): NOT_IN_RENEWAL_WINDOW"
est simplereenroll "$NEW" "$W/renew.der" --cert "$W/rsa.pem" --key "$W/rsa.key"
is "$CODE:$(jf .code)" "403:CERT_REVOKED" "reenroll with the superseded certificate: 403 CERT_REVOKED"
ra_clock 340
fresh_otp "$NEW"
est simplereenroll "$NEW" "$W/other.der" --cert "$W/p256.pem" --key "$W/p256.key"
is "$CODE:$(jf .code)" "403:SUBJECT_MISMATCH" "reenroll with a different subject: 403 SUBJECT_MISMATCH"
est simplereenroll "$NEW" "$W/renew.der" --cert "$W/p256.pem" --key "$W/p256.key" --tlsv1.3
is "$CODE" 200 "reenroll inside the window (clock +340 days, TLS 1.3): 200"
p7leaf "$W/renew.pem"; S3=$(serial_of "$W/renew.pem")
openssl verify -attime "$(date -d '+341 days' +%s)" -CAfile "$RA_CA" "$W/renew.pem" >/dev/null 2>&1
ok $? "renewed certificate chains to the CA (verified at the RA's time)"
http GET "$RA_API/certificates" -u "$NEW:$PW"
is "$(jf ".certificates[] | select(.serial == \"$S2\") | .status"):$(jf ".certificates[] | select(.serial == \"$S3\") | .status")" \
	"superseded:valid" "after renew: old superseded, new valid"
is "$(jf ".certificates[] | select(.serial == \"$S3\") | .not_before" | cut -c1-10)" "$(date -u -d '+340 days' +%F)" \
	"renewed certificate starts at the RA clock's now"
ra_clock 0

# ------------------------------------------------------------------ pki --est (strongSwan), an independent EST client
if command -v pki >/dev/null; then
	newkey pki rsa:2048 "/CN=$SPARE2-00-PC001"
	fresh_otp "$SPARE2"
	pki --est --url "https://127.0.0.1:$(jq -r .port "$RA_JSON")" --in "$W/pki.der" --cacert "$RA_CA" \
		--userpass "$SPARE2;otp=$OTP;terms=$TERMS:$PW" --outform pem >"$W/pki.pem" 2>"$W/pki.err"
	ok $? "pki --est enrolls (second factor in the Basic user name)" || tail -n 5 "$W/pki.err" | sed 's/^/# /'
	is "$(openssl x509 -in "$W/pki.pem" -noout -subject -nameopt RFC2253 2>/dev/null)" \
		"subject=CN=$SPARE2-00-PC001,OU=RA-DEV,O=e-Cert Dev Broker,C=TW" "pki --est: issued certificate"
	ra_clock 400
	fresh_otp "$SPARE2"
	newkey pki2 rsa:2048 "/C=TW/O=e-Cert Dev Broker/OU=RA-DEV/CN=$SPARE2-00-PC001"
	est simplereenroll "$SPARE2" "$W/pki2.der" --cert "$W/pki.pem" --key "$W/pki.key"
	is "$CODE:$(jf .code)" "403:CERT_EXPIRED" "reenroll with an expired certificate (clock +400 days): 403 CERT_EXPIRED"
	http GET "$RA_API/account" -u "$SPARE2:$PW"
	is "$(jf .current_pc_cert.status)" expired "account: current PC certificate expired"
	ra_clock 0
	# enroll, then renew with the certificate as TLS client certificate, both with pki --est
	PORT=$(jq -r .port "$RA_JSON")
	newkey pkio rsa:2048 "/C=TW/O=e-Cert Dev Broker/OU=RA-DEV/CN=$OTHER-00-PC001"
	fresh_otp "$OTHER"
	pki --est --url "https://127.0.0.1:$PORT" --in "$W/pkio.der" --cacert "$RA_CA" \
		--userpass "$OTHER;otp=$OTP;terms=$TERMS:$PW" --outform pem >"$W/pkio.pem" 2>"$W/pki.err"
	ok $? "pki --est enrolls a customer with certificates on other devices" || tail -n 5 "$W/pki.err" | sed 's/^/# /'
	ra_clock 340
	fresh_otp "$OTHER"
	newkey pkio2 rsa:2048 "/C=TW/O=e-Cert Dev Broker/OU=RA-DEV/CN=$OTHER-00-PC001"
	pki --est --url "https://127.0.0.1:$PORT" --in "$W/pkio2.der" --cacert "$RA_CA" --cert "$W/pkio.pem" --key "$W/pkio.key" \
		--userpass "$OTHER;otp=$OTP;terms=$TERMS:$PW" --outform pem >"$W/pkio2.pem" 2>"$W/pki.err"
	ok $? "pki --est renews (simplereenroll with the TLS client certificate)" || tail -n 5 "$W/pki.err" | sed 's/^/# /'
	http GET "$RA_API/certificates" -u "$OTHER:$PW"
	is "$(jf '[.certificates[] | select(.device == "PC") | .status] | join(",")')" "superseded,valid" \
		"after the pki --est renew: old superseded, new valid"
	ra_clock 0
else
	ok 1 "pki --est missing (install strongswan-pki libstrongswan-extra-plugins)"
fi

# ------------------------------------------------------------------ revocation and limits
http POST "$RA_API/revoke" -u "$NEW:$PW" -H 'Content-Type: application/json' -d "{\"serial\": \"$S3\", \"reason\": \"keyCompromise\"}"
is "$CODE:$(jf .serial):$(jf .status)" "200:$S3:revoked" "revoke: 200, revoked"
fresh_otp "$NEW"; ra_clock 345
est simplereenroll "$NEW" "$W/renew.der" --cert "$W/renew.pem" --key "$W/renew.key"
is "$CODE:$(jf .code)" "403:CERT_REVOKED" "reenroll with a revoked certificate: 403 CERT_REVOKED"
ra_clock 0
http POST "$RA_API/revoke" -u "$NEW:$PW" -d "{\"serial\": \"$S3\"}"
is "$CODE:$(jf .code)" "400:BAD_REQUEST" "revoking a revoked certificate: 400"
http POST "$RA_API/revoke" -u "$NEW:$PW" -d '{"serial": "1234ABCD"}'
is "$CODE:$(jf .code)" "404:NOT_FOUND" "unknown serial: 404 NOT_FOUND"
http POST "$RA_API/revoke" -u "$OTHER:$PW" -d "{\"serial\": \"$S1\"}"
is "$CODE:$(jf .code)" "404:NOT_FOUND" "another customer's serial: 404 NOT_FOUND"

http GET "$RA_REVOKE"
is "$CODE" 200 "revocation page: 200"
like "$BODY" '<form[^>]*method="post"' "revocation page: a POST form"
like "$(printf '%s' "$BODY" | tr '\n' ' ')" 'name="id".*name="password".*name="serial"' "form asks ID, password, serial"
http POST "$RA_REVOKE" --data-urlencode "id=$OTHER" --data-urlencode "password=$PW"
like "$(printf '%s' "$BODY" | tr '\n' ' ')" "type=\"radio\" name=\"serial\".*$OTHER-00-MG001" "revocation page lists the customer's certificates"
MI=$(http GET "$RA_API/certificates" -u "$OTHER:$PW"; jf '.certificates[] | select(.device == "iPhone") | .serial')
MG=$(http GET "$RA_API/certificates" -u "$OTHER:$PW"; jf '.certificates[] | select(.device == "GPhone") | .serial')
http POST "$RA_REVOKE" --data-urlencode "id=$OTHER" --data-urlencode "password=$PW" --data-urlencode "serial=$MI"
is "$CODE" 200 "revocation page: revokes the iPhone certificate"
like "$BODY" 'data-code="OK"' "revocation page: HTML confirmation"
http POST "$RA_REVOKE" --data-urlencode "id=$OTHER" --data-urlencode "password=wrong" --data-urlencode "serial=$MG"
like "$CODE:$(printf '%s' "$BODY" | tr '\n' ' ')" '^401:.*data-code="WRONG_PASSWORD"' "revocation page: wrong password refused"
http POST "$RA_API/revoke" -u "$OTHER:$PW" -d "{\"serial\": \"$MG\"}"
is "$CODE" 200 "revoke the GPhone certificate (2 today)"
newkey lim rsa:2048 "/CN=$OTHER-00-PC001"
for n in 3 4 5 6; do
	fresh_otp "$OTHER"; est simpleenroll "$OTHER" "$W/lim.der"; p7leaf "$W/lim.pem"
	http POST "$RA_API/revoke" -u "$OTHER:$PW" -d "{\"serial\": \"$(serial_of "$W/lim.pem")\"}"
	[ "$n" -lt 6 ] && [ "$CODE" != 200 ] && diag "revocation $n: $CODE $BODY"
done
is "$CODE:$(jf .code)" "429:REVOKE_LIMIT" "6th revocation in a day: 429 REVOKE_LIMIT"
like "$(hdr Retry-After)" '^[0-9]+$' "REVOKE_LIMIT carries Retry-After"
ra_clock 1.01
http POST "$RA_API/revoke" -u "$OTHER:$PW" -d "{\"serial\": \"$(serial_of "$W/lim.pem")\"}"
is "$CODE" 200 "the next day revocation works again"
ra_clock 0

# ------------------------------------------------------------------ connection counter (test controls)
hs() { ra_curl "$RA_TEST/connections" | jq -r "${1:-.tls_handshakes}"; }
c0=$(hs)
ra_curl -o /dev/null -o /dev/null "$RA_API/terms" "$RA_API/terms"
# each read of the counter is a connection of its own, counted before it answers
is "$(($(hs) - c0))" 2 "test/connections: two requests over one curl connection add one TLS handshake"
c0=$(hs .tcp_connections)
ra_curl -o /dev/null "$RA_API/terms"; ra_curl -o /dev/null "$RA_API/terms"
is "$(($(hs .tcp_connections) - c0))" 3 "test/connections: two curl runs add two TCP connections"

# ------------------------------------------------------------------ faults
fresh_otp "$NEW"; newkey f rsa:2048
ra_fault simpleenroll pending 7
est simpleenroll "$NEW" "$W/f.der"
is "$CODE:$(hdr Retry-After)" "202:7" "fault pending: 202 + Retry-After"
ra_fault simpleenroll error500
est simpleenroll "$NEW" "$W/f.der"
is "$CODE:$(jf .code)" "500:SERVER_ERROR" "fault error500: 500 SERVER_ERROR"
ra_fault simpleenroll garbage
est simpleenroll "$NEW" "$W/f.der"
b64d "$W/body" 2>/dev/null | openssl pkcs7 -inform DER -print_certs >/dev/null 2>&1
is "$CODE:$?" "200:1" "fault garbage: 200 with a body that is not PKCS#7"
ra_fault account slow 3
curl -sS --max-time 1 --cacert "$RA_CA" -u "$NEW:$PW" -o /dev/null "$RA_API/account" 2>/dev/null
is "$?" 28 "fault slow: the answer takes longer than the client's timeout"
ra_fault account none; ra_fault simpleenroll none
http GET "$RA_API/account" -u "$NEW:$PW"; is "$CODE" 200 "fault none: back to normal"
est simpleenroll "$NEW" "$W/f.der"; is "$CODE" 200 "simpleenroll works again after the faults (OTP unused by faults)"

# ------------------------------------------------------------------ persistence across a restart
http GET "$RA_API/certificates" -u "$NEW:$PW"; BEFORE=$BODY
FP=$(openssl x509 -in "$RA_CA" -noout -fingerprint -sha256)
ra_stop
[ ! -e "$RA_DIR/ra.json" ]; ok $? "SIGTERM: the RA stops and removes ra.json"
ra_start "$RA_DIR"; ok $? "restart on the same state folder"
is "$(openssl x509 -in "$RA_CA" -noout -fingerprint -sha256)" "$FP" "the CA survives the restart"
http GET "$RA_API/certificates" -u "$NEW:$PW"
is "$BODY" "$BEFORE" "certificates survive the restart"
http GET "$RA_API/account" -u "$SPARE:$PW"
is "$CODE:$(jf .code)" "403:ACCOUNT_LOCKED" "lockout survives the restart"
ra_reset
http GET "$RA_API/account" -u "$SPARE:$PW"; is "$CODE" 200 "test/reset: back to the seeded state (unlocked)"
http GET "$RA_API/certificates" -u "$NEW:$PW"; is "$(jf '.certificates | length')" 0 "test/reset: seeded customers have no PC certificates"

# ------------------------------------------------------------------ without --test-controls
mkdir -p "$W/ra2"
"$ROOT/tests/ra/run" --state "$W/ra2" --renewal-window-days 45 >"$W/ra2.log" 2>&1 &
PID2=$!
for _ in $(seq 1 200); do [ -s "$W/ra2/ra.json" ] && break; sleep 0.1; done
P2=$(jq -r .port "$W/ra2/ra.json")
is "$(jq -r .test_url "$W/ra2/ra.json")" null "without --test-controls: no test_url"
CODE=$(curl -sS --cacert "$W/ra2/ca.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$P2/test/otp?id=$NEW")
is "$CODE" 404 "without --test-controls: /test/otp is 404"
CODE=$(curl -sS --cacert "$W/ra2/ca.pem" -o /dev/null -w '%{http_code}' -X POST -d '{"offset_days":1}' "https://127.0.0.1:$P2/test/clock")
is "$CODE" 404 "without --test-controls: /test/clock is 404"
is "$(curl -sS --cacert "$W/ra2/ca.pem" -u "$NEW:$PW" "https://127.0.0.1:$P2/api/v1/account" | jq -r .renewal_window_days)" 45 \
	"--renewal-window-days sets the window"
! cmp -s "$W/ra2/ca.pem" "$RA_CA"; ok $? "each state folder has its own CA"
kill -TERM "$PID2"; wait "$PID2"; is "$?" 0 "SIGTERM: clean exit status 0"
PID2=

diag "ra.t took $(($(date +%s) - t0)) s"
done_testing
