#!/usr/bin/env bash
# The RA client (host/ra/) against a hostile RA (tests/ra-client/hostile-ra.py): an oversized answer, a redirect
# to another host, a server the pinned CA did not sign, numbers no C long holds, header injection through the OTP;
# and against what real EST servers do differently (RFC 7030): folded or PEM answers, a wrong Content-Type, an
# issuing intermediate left out of the answer, 401/403 with text/plain words, a client certificate required.
set -u
. "$(dirname "$0")/hostile.sh"
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

# ---- EST answers as real servers send them (each a real certificate for our CSR)
apply_req() { printf '{"id":"a","cmd":"apply","args":{"terms_version":"2026.1","otp":"123456","backup":{"path":"%s","password":"Backup-Pass-1"}}}' "$T/backups/$1.pfx"; }
mkdir -p "$T/backups"
enroll() { session "$login" "$(apply_req "$1")" | grep '"id":"a"' | grep -v progress; }
for mode in fold64crlf fold76lf oneline pem der; do
	config "$mode"
	r=$(enroll "$mode")
	is "$(jq -r '"\(.ok) \(.result.certificate.cn // .error.code)"' <<<"$r")" "true A123456789-00-PC001" \
		"EST answer $mode: read, the certificate issued and backed up"
done
config wrongct
r=$(enroll wrongct)
is "$(jq -r '"\(.error.code) \(.error.details.content_type)"' <<<"$r")" "RA_BAD_RESPONSE application/octet-stream" \
	"a 200 answer that is not application/pkcs7-mime is refused, naming its Content-Type"
ls "$T/backups/wrongct.pfx" >/dev/null 2>&1; ok $(( $? == 0 ? 1 : 0 )) "and nothing was backed up"

# ---- the issuing intermediate is not in the answer: the configured bundle holds it
cat "$T/root.pem" "$T/inter.pem" >"$T/issuing-bundle.pem"
config inter "$T/issuing-bundle.pem" '+ {ra_tls_ca_file: ($t + "/ca.pem")}'
r=$(enroll inter)
is "$(jq -r '.ok' <<<"$r")" true \
	"issued by an intermediate absent from the answer: verified through ra_ca_file (TLS anchored by ra_tls_ca_file)"
openssl pkcs12 -in "$T/backups/inter.pfx" -nokeys -passin pass:Backup-Pass-1 2>/dev/null |
	sed -n 's/^subject=//p' >"$T/inter.subjects"
is "$(sort "$T/inter.subjects" | tr '\n' ' ')" "C = TW, CN = A123456789-00-PC001 CN = inter " \
	"and the backup holds the intermediate from the bundle beside the certificate (what a TLS server needs)"
config inter "$T/inter.pem" '+ {ra_tls_ca_file: ($t + "/ca.pem")}'
r=$(enroll inter-only)
is "$(jq -r '.ok' <<<"$r")" true "a bundle holding only the intermediate anchors the chain as well"
config inter "$T/ca.pem"
r=$(enroll inter-tls)
is "$(jq -r '.error.code' <<<"$r")" ISSUED_CERT_INVALID "with the TLS CA as the only anchor, that certificate is refused"
config inter "$T/issuing-bundle.pem" '+ {ra_tls_ca_file: ($t + "/other-ca.pem")}'
is "$(session "$login" | jq -r .error.code)" RA_TLS_FAILED "ra_tls_ca_file, when set, is what anchors TLS"

# ---- 401 / 403 that are not a wrong password, and the server's words
config api401
r=$(session "$login")
is "$(jq -r '"\(.error.code) \(.error.details.http_status)"' <<<"$r")" "RA_AUTH_REQUIRED 401" \
	"a bare 401 is RA_AUTH_REQUIRED, not WRONG_PASSWORD"
config api403json
r=$(session "$login")
is "$(jq -r '"\(.error.code) \(.error.details.ra_code) \(.error.details.ra_message)"' <<<"$r")" \
	"RA_FORBIDDEN POLICY not allowed here" "a 403 with a code we do not know is RA_FORBIDDEN, with its code and words"
config est401
r=$(enroll est401)
is "$(jq -r '"\(.error.code)|\(.error.details.ra_message)"' <<<"$r")" \
	"RA_AUTH_REQUIRED|EST credentials required for /simpleenroll" "EST 401 in text/plain: RA_AUTH_REQUIRED with the words"
config est403utf8
r=$(enroll est403utf8)
words=$(jq -r .error.details.ra_message <<<"$r")
is "$(jq -r .error.code <<<"$r")" RA_FORBIDDEN "EST 403 in text/plain: RA_FORBIDDEN"
like "$words" '^憑證申請被拒絕：' "the server's words are kept"
ok "$( [ "$(printf '%s' "$words" | wc -c)" -le 512 ] && [ "$(printf '%s' "$words" | wc -c)" -ge 500 ]; echo $?)" \
	"bounded at 512 bytes ($(printf '%s' "$words" | wc -c))"
printf '%s' "$words" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; ok $? "valid UTF-8: cut on a character boundary"

# ---- a client certificate on simpleenroll (RFC 7030 3.3.2)
config mtls
r=$(enroll mtls-none)
is "$(jq -r '"\(.error.code)|\(.error.details.ra_message)"' <<<"$r")" \
	"RA_FORBIDDEN|client certificate must be provided for /simpleenroll" "without one configured: RA_FORBIDDEN, the words"
config mtls "$T/ca.pem" '+ {ra_client_cert_file: ($t + "/client.pem"), ra_client_key_file: ($t + "/client.key")}'
r=$(enroll mtls)
is "$(jq -r '.ok' <<<"$r")" true "ra_client_cert_file + ra_client_key_file: presented on simpleenroll, issued"
# On Windows the file's DACL is what counts (Wine maps the mode's "other" bits to an Everyone entry).
chmod 644 "$T/client.key"
r=$(enroll mtls-open)
is "$(jq -r '"\(.error.code) \(.error.details.key)"' <<<"$r")" "CONFIG_INVALID ra_client_key_file" \
	"a client key others may read is refused"
chmod 600 "$T/client.key"
config mtls "$T/ca.pem" '+ {ra_client_cert_file: ($t + "/client.pem")}'
is "$(session "$login" | jq -r .error.code)" CONFIG_INVALID "a client certificate without its key is a bad configuration"
done_testing
