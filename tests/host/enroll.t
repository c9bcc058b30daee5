#!/usr/bin/env bash
# Enrollment against the development RA (real TLS, real EST): login, terms, otp_request, list, revoke_url, apply,
# renew, each with its failures, plus the guided `ecm apply`. Passwords travel on stdin only, never in argv.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
ECM=${ECM_BUILD:-build}/ecm

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecm-enroll.XXXXXX")
trap 'ra_stop; rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config
mkdir -p "$HOME"

ra_start "$tmp/ra" || { echo "Bail out! the development RA did not start"; exit 1; }
ra_host_config "$tmp/ra" "$tmp/base.json"
BK=$tmp/backups
jq --arg d "$BK" '. + {backup_dir: $d}' "$tmp/base.json" >"$tmp/host.json"
export ECM_CONFIG=$tmp/host.json
PW=Demo1234
BPW=Backup-Pass-1
A=A123456789 B=B220134565 C=C120045679 D=D220334567 E=E120556786

# session LINES…: one `ecm session` with those request lines; prints every output line.
session() { printf '%s\n' "$@" | "$ECM" session 2>>"$tmp/stderr"; }
login_req() { printf '{"id":"login","cmd":"login","args":{"id":"%s","password":"%s"}}' "$1" "${2:-$PW}"; }
# call ID CMD [ARGS]: log in as ID, then CMD; prints the CMD's lines (progress events and reply).
call() { session "$(login_req "$1")" "{\"id\":\"c\",\"cmd\":\"$2\",\"args\":${3:-{\}}}" | grep '"id":"c"'; }
reply() { grep -v '"progress"' | tail -n 1; }
code() { jq -r '.error.code // "OK"'; }
# otp ID: has the RA send an OTP (through the host) and reads it from the RA's test sink.
otp() { call "$1" otp_request >/dev/null && ra_otp "$1"; }
# enroll_args OTP PATH [EXTRA-BACKUP-JSON] [EXTRA-TOP-JSON]
enroll_args() {
	local path=""
	[ -n "$2" ] && path="\"path\":\"$2\","
	printf '{"terms_version":"2026.1","otp":"%s","backup":{%s"password":"%s"%s}%s}' "$1" "$path" "$BPW" "${3:-}" "${4:-}"
}
pfx_info() { openssl pkcs12 -info -nokeys -passin "file:$2" -in "$1" 2>&1; }
printf '%s\n' "$BPW" >"$tmp/bpw"
mode() { stat -c %a "$1"; }
# ra_api_as ID METHOD PATH [JSON]: the account API with Basic credentials from a curl config on stdin.
ra_api_as() {
	printf 'user = "%s:%s"\n' "$1" "$PW" | ra_curl -K - -X "$2" -H 'Content-Type: application/json' \
		${4:+-d "$4"} "$RA_API$3"
}

# ---- login
r=$(call $A terms | reply)
is "$(jq -r .ok <<<"$r")" true "login + terms"
is "$(jq -r .result.version <<<"$r")" 2026.1 "terms carry the version"
like "$(jq -r .result.text <<<"$r")" "憑證" "terms text is zh-TW"
r=$(session "$(login_req $A)")
is "$(jq -r .result.suggestion <<<"$r")" apply "a new customer is told to apply"
is "$(jq -r .result.server_cert <<<"$r")" null "no server certificate yet"
is "$(jq -r .result.account.phone_masked <<<"$r")" "0912-***-678" "account shows the masked phone"
is "$(jq -r .result.renewal_window_days <<<"$r")" 30 "renewal window from the RA"
r=$(session "$(login_req a123456789)")
is "$(jq -r .result.account.id <<<"$r")" $A "a lower-case ID is upper-cased"
r=$(session "$(login_req A123456788)")
is "$(code <<<"$r")/$(jq -r .error.details.field <<<"$r")" BAD_REQUEST/id "a bad ID checksum never reaches the RA"
r=$(session "$(login_req $D wrong-password)")
is "$(code <<<"$r")" WRONG_PASSWORD "wrong password"
is "$(jq -r .error.details.attempts_left <<<"$r")" 4 "wrong password reports attempts left"
r=$(session "$(login_req $C)")
is "$(code <<<"$r")" ACCOUNT_LOCKED "locked account"
# The wrong password that uses the last attempt locks the account: ACCOUNT_LOCKED then, not "0 attempts left"
# (issue 22 item 4). C100000003 is no customer of the RA; it counts its attempts all the same.
for _ in 1 2 3 4; do r=$(session "$(login_req C100000003 wrong-password)"); done
is "$(code <<<"$r")/$(jq -r .error.details.attempts_left <<<"$r")" WRONG_PASSWORD/1 "4th wrong password: 1 attempt left"
r=$(session "$(login_req C100000003 wrong-password)")
is "$(code <<<"$r")/$(jq -r .error.details.attempts_left <<<"$r")" ACCOUNT_LOCKED/0 "5th wrong password: ACCOUNT_LOCKED at once"
r=$(session "$(login_req $D wrong-password)" '{"id":2,"cmd":"list"}' | tail -n 1)
is "$(code <<<"$r")" NOT_LOGGED_IN "a failed login leaves the session logged out"
r=$(session '{"id":1,"cmd":"terms"}')
is "$(code <<<"$r")" NOT_LOGGED_IN "terms needs a login"

# ---- otp_request, list, revoke_url
r=$(call $A otp_request | reply)
is "$(jq -r .result.sent_to <<<"$r")/$(jq -r .result.expires_in <<<"$r")" "0912-***-678/300" "otp_request says where and how long"
r=$(call $B list | reply)
is "$(jq -r '[.result.certificates[] | .device] | sort | join(",")' <<<"$r")" "GPhone,iPhone" "list shows the other devices"
is "$(jq -r '[.result.certificates[] | .sn] | join(",")' <<<"$r")" "1,2" "list numbers the rows"
is "$(jq -r '.result.certificates[0].national_id' <<<"$r")" $B "list rows carry the national ID"
r=$(session '{"id":1,"cmd":"revoke_url"}')
is "$(jq -r .result.url <<<"$r")" "$RA_REVOKE" "revoke_url from the configuration"

# ---- apply: refusals before anything is made
r=$(call $A apply "$(enroll_args 123456 "" | sed 's/"Backup-Pass-1"/"short"/')" | reply)
is "$(code <<<"$r")" PASSWORD_TOO_WEAK "a backup password under 8 characters is refused"
r=$(call $A apply '{"otp":"123456","backup":{"password":"Backup-Pass-1"}}' | reply)
is "$(code <<<"$r")/$(jq -r .error.details.field <<<"$r")" BAD_REQUEST/terms_version "terms_version is required"
o=$(otp $A)
r=$(call $A apply "$(enroll_args "$o" "" "" | sed 's/2026.1/1999.9/')" | reply)
is "$(code <<<"$r")" TERMS_NOT_ACCEPTED "old terms version"
wrong=$([ "$o" = 000000 ] && echo 111111 || echo 000000)
r=$(call $A apply "$(enroll_args "$wrong" "")" | reply)
is "$(code <<<"$r")" OTP_INVALID "wrong OTP"
like "$(jq -r .error.details.attempts_left <<<"$r")" '^[0-9]+$' "wrong OTP reports attempts left"
o=$(otp $A)
ra_clock 0.01 # 864 s later: past the 300 s lifetime
r=$(call $A apply "$(enroll_args "$o" "")" | reply)
is "$(code <<<"$r")" OTP_EXPIRED "expired OTP"
ra_clock 0

# ---- apply: success, default backup path
o=$(otp $A)
out=$(call $A apply "$(enroll_args "$o" "")")
r=$(reply <<<"$out")
is "$(jq -r .ok <<<"$r")" true "apply succeeds"
is "$(grep progress <<<"$out" | jq -r .progress.step | tr '\n' ' ')" "keygen enroll backup install " "apply reports the four steps"
A1=$(jq -r .result.backup.path <<<"$r")
A1_SERIAL=$(jq -r .result.certificate.serial <<<"$r")
like "$A1" "^$BK/ECM_${A}_[0-9]{8}\.pfx$" "default backup name ECM_<ID>_<expiry>.pfx in backup_dir"
is "$(basename "$A1" .pfx | cut -d_ -f3)" "$(date -u -d "$(jq -r .result.certificate.not_after <<<"$r")" +%Y%m%d)" "backup name carries notAfter"
is "$(mode "$A1")" 600 "backup is mode 0600"
is "$(jq -r .result.certificate.cn <<<"$r")" "$A-00-PC001" "issued CN is <ID>-00-PC001"
is "$(jq -r .result.certificate.device <<<"$r")" PC "issued device is PC"
is "$(jq -r '.result.install.results | type' <<<"$r")" array "apply reports the install step's results"
info=$(pfx_info "$A1" "$tmp/bpw")
like "$info" "AES-256-CBC" "backup: AES-256-CBC"
like "$info" "PBKDF2" "backup: PBKDF2"
like "$info" "PRF hmacWithSHA256" "backup: PBKDF2 with HMAC-SHA256"
like "$info" "MAC: sha256, Iteration 2048" "backup: SHA-256 MAC at pkcs12_iterations"
is "$(grep -c '^subject=' <<<"$info")" 2 "backup holds the certificate and the CA"
openssl pkcs12 -in "$A1" -passin "file:$tmp/bpw" -nocerts -nodes 2>/dev/null | grep -q 'PRIVATE KEY'
ok $? "backup holds the private key"
r=$(call $A list | reply)
is "$(jq -r --arg s "$A1_SERIAL" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" valid "list shows the new certificate valid"
r=$(session "$(login_req $A)")
is "$(jq -r .result.suggestion <<<"$r")/$(jq -r .result.server_cert.serial <<<"$r")" "none/$A1_SERIAL" "after apply: nothing to do"

# ---- apply: explicit path, no overwrite, overwrite, compat
P=$tmp/explicit.pfx
: >"$P"
o=$(otp $D)
r=$(call $D apply "$(enroll_args "$o" "$P")" | reply)
is "$(code <<<"$r")" FILE_EXISTS "an existing backup file is not replaced"
is "$(stat -c %s "$P")" 0 "the existing file is untouched"
r=$(call $D apply "$(enroll_args "$o" "$P" ',"overwrite":true')" | reply)
is "$(jq -r .ok <<<"$r")/$(jq -r .result.backup.path <<<"$r")" "true/$P" "overwrite replaces it (the refused try did not use the OTP)"
is "$(mode "$P")" 600 "replaced backup is mode 0600"
like "$(pfx_info "$P" "$tmp/bpw")" "PBES2, PBKDF2, AES-256-CBC" "explicit backup is AES"
o=$(otp $D)
r=$(call $D apply "$(enroll_args "$o" "$tmp/compat.pfx" ',"compat":true' ',"replace_existing":true')" | reply)
is "$(jq -r .result.backup.format <<<"$r")" compat "compat backup"
info=$(pfx_info "$tmp/compat.pfx" "$tmp/bpw")
like "$info" "pbeWithSHA1And3-KeyTripleDES-CBC" "compat backup is 3DES"
like "$info" "MAC: sha1" "compat backup has a SHA-1 MAC"

# ---- renew
cur() { printf ',"current":{"path":"%s","password":"%s"}' "$1" "$BPW"; }
o=$(otp $A)
r=$(call $A renew "$(enroll_args "$o" "" "" "$(cur "$A1")")" | reply)
is "$(code <<<"$r")" NOT_IN_RENEWAL_WINDOW "renew outside the window"
r=$(call $A renew "$(enroll_args 123456 "" "" ',"current":{"path":"'"$A1"'","password":"wrong-password"}')" | reply)
is "$(code <<<"$r")" PFX_WRONG_PASSWORD "renew with the wrong .pfx password"
r=$(call $B renew "$(enroll_args 123456 "" "")" | reply)
like "$(code <<<"$r")" "^(NO_CERTIFICATE|STORE_NOT_FOUND)$" "renew with no current certificate given or in a store"
r=$(call $D renew "$(enroll_args 123456 "" "" "$(cur "$A1")")" | reply)
is "$(code <<<"$r")" SUBJECT_MISMATCH "renew with another customer's certificate"
ra_clock 340
r=$(session "$(login_req $A)")
is "$(jq -r .result.suggestion <<<"$r")" renew "inside the window: renew is suggested"
o=$(otp $A)
out=$(call $A renew "$(enroll_args "$o" "" "" "$(cur "$A1")")")
r=$(reply <<<"$out")
is "$(jq -r .ok <<<"$r")" true "renew succeeds inside the window"
is "$(grep -c progress <<<"$out")" 4 "renew reports four steps"
A2=$(jq -r .result.backup.path <<<"$r")
A2_SERIAL=$(jq -r .result.certificate.serial <<<"$r")
is "$(jq -r .result.previous.serial <<<"$r")" "$A1_SERIAL" "renew names the previous certificate"
is "$(mode "$A2")" 600 "renewed backup is mode 0600"
info=$(pfx_info "$A2" "$tmp/bpw")
like "$info" "PBES2, PBKDF2, AES-256-CBC" "renewed backup: AES-256-CBC/PBKDF2"
like "$info" "MAC: sha256" "renewed backup: SHA-256 MAC"
r=$(call $A list | reply)
is "$(jq -r --arg s "$A1_SERIAL" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" superseded "list: old certificate superseded"
is "$(jq -r --arg s "$A2_SERIAL" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" valid "list: new certificate valid"
o=$(otp $A)
r=$(call $A renew "$(enroll_args "$o" "" "" "$(cur "$A1")")" | reply)
is "$(code <<<"$r")" CERT_REVOKED "renew with the superseded certificate"
ra_clock 400
o=$(otp $A)
r=$(call $A renew "$(enroll_args "$o" "" "" "$(cur "$A2")")" | reply)
is "$(code <<<"$r")" NOT_IN_RENEWAL_WINDOW "renew a fresh certificate a month later is too early"
ra_clock 800
o=$(otp $A)
r=$(call $A renew "$(enroll_args "$o" "" "" "$(cur "$A2")")" | reply)
is "$(code <<<"$r")" CERT_EXPIRED "renew with an expired certificate"
r=$(session "$(login_req $A)")
is "$(jq -r .result.suggestion <<<"$r")" apply "after expiry: apply again"
ra_clock 0
D_SERIAL=$(call $D list | reply | jq -r '[.result.certificates[] | select(.status == "valid")][0].serial')
ra_api_as $D POST /revoke "{\"serial\":\"$D_SERIAL\"}" >/dev/null
ra_clock 340
o=$(otp $D)
r=$(call $D renew "$(enroll_args "$o" "" "" "$(cur "$tmp/compat.pfx")")" | reply)
is "$(code <<<"$r")" CERT_REVOKED "renew with a revoked certificate (read from a compat .pfx)"
ra_clock 0

# ---- the RA misbehaving
o=$(otp $E)
ra_fault simpleenroll error500
r=$(call $E apply "$(enroll_args "$o" "")" | reply)
is "$(code <<<"$r")" RA_SERVER_ERROR "RA answers 500"
ra_fault simpleenroll garbage
r=$(call $E apply "$(enroll_args "$o" "")" | reply)
is "$(code <<<"$r")" RA_BAD_RESPONSE "RA answers garbage"
ra_fault simpleenroll pending 7
r=$(call $E apply "$(enroll_args "$o" "")" | reply)
is "$(code <<<"$r")/$(jq -r .error.details.retry_after <<<"$r")" RA_PENDING/7 "RA answers 202 + Retry-After"
ra_fault simpleenroll none
ra_fault account garbage
r=$(session "$(login_req $E)")
is "$(code <<<"$r")" RA_BAD_RESPONSE "account answer is garbage"
ra_fault account error500
r=$(session "$(login_req $E)")
is "$(code <<<"$r")" RA_SERVER_ERROR "account answer is 500"
ra_fault account slow 4
jq '. + {request_timeout_s: 1}' "$tmp/host.json" >"$tmp/slow.json"
t0=$(date +%s)
r=$(ECM_CONFIG=$tmp/slow.json session "$(login_req $E)")
is "$(code <<<"$r")" RA_TIMEOUT "RA too slow"
ok $(( $(date +%s) - t0 < 4 ? 0 : 1 )) "the timeout comes from request_timeout_s"
ra_fault account none
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=Other-CA -days 2 \
	-keyout "$tmp/other.key" -out "$tmp/other-ca.pem" 2>/dev/null
jq --arg ca "$tmp/other-ca.pem" '. + {ra_ca_file: $ca}' "$tmp/host.json" >"$tmp/other.json"
r=$(ECM_CONFIG=$tmp/other.json session "$(login_req $E)")
is "$(code <<<"$r")" RA_TLS_FAILED "RA certificate not in the pinned bundle"
jq '. + {api_url: "https://127.0.0.1:1/api/v1", est_url: "https://127.0.0.1:1/.well-known/est"}' "$tmp/host.json" >"$tmp/down.json"
r=$(ECM_CONFIG=$tmp/down.json session "$(login_req $E)")
is "$(code <<<"$r")" RA_UNREACHABLE "RA down"
r=$(session "$(login_req $E)" '{"id":"c","cmd":"hello"}' | tail -n 1)
is "$(jq -r .result.logged_in <<<"$r")" true "after the faults, the RA serves again"

# ---- the guided `ecm apply`: files for every secret; the OTP through a FIFO once the RA sent it
printf '%s\n' "$PW" >"$tmp/pw"
mkfifo "$tmp/otp.fifo"
before=$(ra_otp $E || true)
"$ECM" apply --id $E --password-file "$tmp/pw" --backup-password-file "$tmp/bpw" --otp-file "$tmp/otp.fifo" \
	--accept-terms --backup-path "$tmp/guided.pfx" >"$tmp/guided.out" 2>"$tmp/guided.err" </dev/null &
gpid=$!
for _ in $(seq 1 100); do
	now=$(ra_otp $E || true)
	[ -n "$now" ] && [ "$now" != "$before" ] && break
	sleep 0.1
done
printf '%s\n' "$now" >"$tmp/otp.fifo"
wait $gpid
ok $? "guided ecm apply exits 0"
like "$(cat "$tmp/guided.out")" "Backup written to $tmp/guided.pfx" "guided apply says where the backup is"
like "$(cat "$tmp/guided.err")" "enroll 2/4" "guided apply shows the steps"
like "$(cat "$tmp/guided.err")" "0956-\*\*\*-234" "guided apply says where the OTP went"
is "$(mode "$tmp/guided.pfx")" 600 "guided backup is mode 0600"
like "$(pfx_info "$tmp/guided.pfx" "$tmp/bpw")" "PBES2, PBKDF2, AES-256-CBC" "guided backup is AES"
"$ECM" apply --id $E --password-file "$tmp/pw" --backup-password-file "$tmp/bpw" --otp-file /dev/null \
	>/dev/null 2>"$tmp/refused.err" <<<"n"
ok $(( $? != 0 ? 0 : 1 )) "guided apply stops when the terms are refused"
! grep -q -- "$PW\|$BPW" "$tmp/stderr" "$tmp/guided.err" "$tmp/guided.out"
ok $? "no password in any output"
! grep -E "Sanitizer|runtime error" "$tmp/stderr" "$tmp/guided.err" "$tmp/refused.err"
ok $? "no sanitizer report"

done_testing
