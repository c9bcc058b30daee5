#!/usr/bin/env bash
# The host rules that guard the user's flows (issue 12), against the development RA in one `ecm session` each:
# apply refuses to supersede a valid PC certificate unless replace_existing (VALID_CERT_EXISTS, before the OTP is
# spent or a key made); renew outside the window is refused before anything is spent, with the date it opens;
# query gives the broker's certificate with days_left, and says when the broker side is unknown (logged out);
# the one backup password rule is announced in hello and applied by apply and backup; `session` reports the
# login as it is now (after an apply, the new certificate) instead of a copy a front end would have to patch.
set -u
SUITE=flows
. "$(dirname "$0")/../lib/ra-suite.sh"
jq --arg d "$BK" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
PW=Demo1234 BPW=Backup-Pass-1
A=A123456789 B=B220134565 D=D220334567

login() { rpc login login "$(jq -cn --arg i "$1" --arg p "$PW" '{id: $i, password: $p}')" | reply; }
new_otp() { rpc otp otp_request >/dev/null && ra_otp "$1"; }
# enroll CMD OTP [EXTRA-JSON]: CMD's lines
enroll() {
	rpc c "$1" "$(jq -cn --arg o "$2" --arg p "$BPW" --argjson x "${3:-{\}}" \
		'{terms_version: "2026.1", otp: $o, backup: {password: $p}} + $x')"
}
iso_minus_days() { date -u -d "$1 - $2 days" +%Y-%m-%dT%H:%M:%SZ; }

# ================================================================ hello, session, query while logged out
sess_open
r=$(rpc h hello | reply)
is "$(jq -c .result.password_rule <<<"$r")" '{"needs":["letter","digit"],"min_length":8,"not_national_id":true}' \
	"hello announces the one backup password rule"
ok "$(jq -e '.result.commands | index("session")' <<<"$r" >/dev/null; echo $?)" "hello lists the session command"
r=$(rpc s session | reply)
is "$(jq -c .result <<<"$r")" '{"issued_unsaved":null,"logged_in":false,"login":null}' "session when logged out (issued_unsaved too: issue 22 item 1)"
r=$(rpc q query | reply)
is "$(jq -r .result.logged_in <<<"$r")/$(jq -r .result.server <<<"$r")" "false/null" \
	"query logged out: logged_in false (the broker side is unknown, not empty)"

# ================================================================ 1. apply does not silently supersede
is "$(login $A | jq -r .ok)" true "login $A (a new customer)"
OTP=$(new_otp $A)
r=$(enroll apply "$OTP" | reply)
is "$(jq -r .ok <<<"$r")" true "the first apply needs no replace_existing"
A1=$(jq -r .result.certificate.serial <<<"$r")
r=$(rpc s session | reply)
is "$(jq -r .result.logged_in <<<"$r")/$(jq -r .result.login.server_cert.serial <<<"$r")" "true/$A1" \
	"session after apply: the broker's current certificate is the new one (asked, not patched)"
is "$(jq -r .result.login.suggestion <<<"$r")" none "session after apply: nothing to do"
NA=$(jq -r .result.login.server_cert.not_after <<<"$r")
is "$(jq -r .result.login.server_cert.renewable_from <<<"$r")" "$(iso_minus_days "$NA" 30)" \
	"session: renewable_from is 30 days (the RA's window) before not_after"

OTP=$(new_otp $A)
out=$(enroll apply "$OTP")
r=$(reply <<<"$out")
is "$(code <<<"$r")" VALID_CERT_EXISTS "a second apply while the certificate is valid is refused"
is "$(detail serial "$r")/$(detail device "$r")/$(detail not_after "$r")" "$A1/PC/$NA" \
	"VALID_CERT_EXISTS names the existing serial, device and expiry"
like "$(detail days_left "$r")" '^3[0-9][0-9]$' "…and its days left"
is "$(steps <<<"$out")" "" "refused before a key is made (no progress step)"
is "$(find "$BK" -type f | wc -l)" 1 "no backup written by the refused apply"
r=$(rpc l list | reply)
is "$(jq -r --arg s "$A1" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" valid \
	"the existing certificate is still valid"
r=$(enroll apply "$OTP" '{"replace_existing": "yes"}' | reply)
is "$(code <<<"$r")/$(detail field "$r")" BAD_REQUEST/replace_existing "replace_existing must be a boolean"
out=$(enroll apply "$OTP" '{"replace_existing": true}')
r=$(reply <<<"$out")
is "$(jq -r .ok <<<"$r")" true "replace_existing: true supersedes it, with the OTP the refused tries did not spend"
A2=$(jq -r .result.certificate.serial <<<"$r")
r=$(rpc l list | reply)
is "$(jq -r --arg s "$A1" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" superseded \
	"…and the old one is superseded"
sess_close; ok $? "session ends cleanly"

# A certificate issued from another computer after this login counts too: the rule asks the RA afresh.
sess_open
login $D >/dev/null
s2=$(printf '%s\n' "{\"id\":1,\"cmd\":\"login\",\"args\":{\"id\":\"$D\",\"password\":\"$PW\"}}" \
	'{"id":2,"cmd":"otp_request"}' | "$ECM" session 2>>"$T/stderr" | tail -n 1)
OTHER_OTP=$(ra_otp $D)
r=$(printf '%s\n' "{\"id\":1,\"cmd\":\"login\",\"args\":{\"id\":\"$D\",\"password\":\"$PW\"}}" \
	"$(jq -cn --arg o "$OTHER_OTP" --arg p "$BPW" '{id: 2, cmd: "apply", args: {terms_version: "2026.1", otp: $o, backup: {password: $p}}}')" |
	"$ECM" session 2>>"$T/stderr" | tail -n 1)
is "$(jq -r .ok <<<"$r")" true "another computer applies for $D after this session logged in"
D1=$(jq -r .result.certificate.serial <<<"$r")
OTP=$(new_otp $D)
r=$(enroll apply "$OTP" | reply)
is "$(code <<<"$r")/$(detail serial "$r")" "VALID_CERT_EXISTS/$D1" \
	"this session's apply is refused with the other computer's certificate (not the stale login answer)"
sess_close >/dev/null

# Valid certificates of other device types (iPhone, GPhone) are not superseded by a PC apply.
sess_open
login $B >/dev/null
OTP=$(new_otp $B)
r=$(enroll apply "$OTP" | reply)
is "$(jq -r .ok <<<"$r")" true "apply with valid phone certificates only: no refusal (same device type only)"
sess_close >/dev/null

# ================================================================ 3. renew window before anything is spent
sess_open
login $A >/dev/null
r=$(rpc q query | reply)
is "$(jq -r .result.logged_in <<<"$r")/$(jq -r .result.server.serial <<<"$r")" "true/$A2" "query logged in: the broker's certificate"
like "$(jq -r .result.server.days_left <<<"$r")" '^3[0-9][0-9]$' "query: the broker's certificate has days_left (as login's)"
is "$(jq -r .result.server.renewable_from <<<"$r")" "$(iso_minus_days "$(jq -r .result.server.not_after <<<"$r")" 30)" \
	"query: the broker's certificate has renewable_from"
OTP=$(new_otp $A)
out=$(enroll renew "$OTP")
r=$(reply <<<"$out")
is "$(code <<<"$r")" NOT_IN_RENEWAL_WINDOW "renew of a fresh certificate: NOT_IN_RENEWAL_WINDOW"
is "$(detail renewable_from "$r")/$(detail window_days "$r")" "$(jq -r .result.server.renewable_from <<<"$(rpc q query | reply)")/30" \
	"…with the date the window opens and its length"
is "$(steps <<<"$out")" "" "…before a key is made (no progress step)"
out=$(enroll apply "$OTP" '{"replace_existing": true}')
is "$(reply <<<"$out" | jq -r .ok)" true "the OTP the refused renew did not spend still works"
sess_close >/dev/null

# ================================================================ 8. one password rule, applied everywhere
sess_open
login $A >/dev/null
r=$(enroll apply 123456 '{"backup": {"password": "abcdefghijk"}}' | reply)
is "$(code <<<"$r")/$(detail rule "$r")" PASSWORD_TOO_WEAK/digit "apply: letters only is too weak (rule digit)"
r=$(enroll apply 123456 '{"backup": {"password": "1234567890"}}' | reply)
is "$(code <<<"$r")/$(detail rule "$r")" PASSWORD_TOO_WEAK/letter "apply: digits only is too weak (rule letter)"
r=$(enroll apply 123456 '{"backup": {"password": "x'$A'"}}' | reply)
is "$(code <<<"$r")/$(detail rule "$r")" PASSWORD_TOO_WEAK/national_id "apply: a password with the ID is too weak"
r=$(enroll apply 123456 '{"backup": {"password": "Ab1"}}' | reply)
is "$(code <<<"$r")/$(detail rule "$r")/$(detail min_length "$r")" PASSWORD_TOO_WEAK/min_length/8 "apply: too short"
r=$(rpc b backup '{"password":"onlyletters","path":"'"$T"'/x.pfx"}' | reply)
is "$(code <<<"$r")/$(detail rule "$r")" PASSWORD_TOO_WEAK/digit "backup: the same rule"
r=$(rpc b backup '{"password":"Backup-Pass-1","path":"'"$T"'/x.pfx"}' | reply)
is "$(jq -r .ok <<<"$r")" true "backup: a password the rule accepts"

# ================================================================ 6. a folder as the backup path
mkdir -p "$T/folder"
r=$(rpc b backup '{"password":"Backup-Pass-1","path":"'"$T"'/folder"}' | reply)
like "$(jq -r .result.path <<<"$r")" "^$T/folder/ECM_${A}_[0-9]{8}\.pfx$" "backup to a folder: the default name inside it (not FILE_EXISTS)"
[ -f "$(jq -r .result.path <<<"$r")" ]; ok $? "…and the file is there"
mkdir -p "$T/folder2"
OTP=$(new_otp $A)
r=$(enroll apply "$OTP" '{"replace_existing": true, "backup": {"password": "Backup-Pass-1", "path": "'"$T"'/folder2"}}' | reply)
like "$(jq -r .result.backup.path <<<"$r")" "^$T/folder2/ECM_${A}_[0-9]{8}\.pfx$" "apply to a folder: the default name inside it"
r=$(rpc b backup '{"password":"Backup-Pass-1","path":"'"$T"'/no-extension"}' | reply)
is "$(jq -r .result.path <<<"$r")" "$T/no-extension.pfx" "backup: .pfx is added to a name without it"
[ -f "$T/no-extension.pfx" ] && [ ! -e "$T/no-extension" ]; ok $? "…and only that file is written"
r=$(rpc b backup '{"password":"Backup-Pass-1","path":"'"$T"'/no-extension"}' | reply)
is "$(code <<<"$r")/$(detail path "$r")" "FILE_EXISTS/$T/no-extension.pfx" "…and the overwrite question names the real file"
sess_close >/dev/null

# ================================================================ 13. ecm's prompts follow the locale
printf '%s\n' "$PW" >"$T/pw"
zh=$(cd "$T" && env -u LC_ALL -u LC_MESSAGES LANG=zh_TW.UTF-8 setsid "$ECM" apply --id $D --password-file "$T/pw" \
	--accept-terms </dev/null 2>&1 >/dev/null)
like "$zh" "用戶約定條款（版本 2026.1）" "ecm apply under zh_TW: the terms heading in zh-TW"
like "$zh" "簡訊驗證碼已傳送至 0945-\*\*\*-123" "…and where the OTP went, in zh-TW"
en=$(cd "$T" && env -u LC_ALL -u LC_MESSAGES LANG=C setsid "$ECM" apply --id $D --password-file "$T/pw" \
	--accept-terms </dev/null 2>&1 >/dev/null)
like "$en" "A one-time password was sent to 0945-\*\*\*-123" "…and in English under another locale"
printf '123456\n' >"$T/otp"
printf '%s\n' "$BPW" >"$T/bpw"
zh=$(env LC_ALL=zh_TW.UTF-8 setsid "$ECM" apply --id $D --password-file "$T/pw" --accept-terms \
	--otp-file "$T/otp" --backup-password-file "$T/bpw" 2>&1 >/dev/null)
like "$zh" "已有有效的憑證.*--replace-existing" "VALID_CERT_EXISTS: ecm says what to do instead (zh-TW)"

r=$(printf '%s\n' '{"id":1,"cmd":"session"}' | "$ECM" session 2>>"$T/stderr")
is "$(jq -r .result.logged_in <<<"$r")" false "a new connection starts logged out"
done_testing
