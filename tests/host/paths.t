#!/usr/bin/env bash
# Where the user's words land (issue 18): every command that takes a path resolves a relative one and "~" against
# the home folder, never the host's working folder (a browser starts it anywhere); pick_file returns a name as it
# is, and a name that is not UTF-8 is FILE_NAME_NOT_UTF8 instead of a path mended into one that does not exist;
# sign_origins holds only origins a browser reports, a bad entry named.
set -u
SUITE=paths
. "$(dirname "$0")/../lib/ra-suite.sh"
jq --arg d "$BK" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
ID=A123456789 PW=Demo1234 BPW=Backup-Pass-1
CWD=$T/cwd
mkdir -p "$CWD"
cd "$CWD" || exit 1

# ---- backup, apply and import: relative and ~ against home
sess_open
is "$(rpc l login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" | reply | jq -r .ok)" true "login"
rpc o otp_request >/dev/null
OTP=$(ra_otp "$ID")
r=$(rpc a apply "$(jq -cn --arg o "$OTP" --arg p "$BPW" \
	'{terms_version: "2026.1", otp: $o, backup: {password: $p, path: "~/applied.pfx"}}')" | reply)
is "$(jq -r '"\(.ok) \(.result.backup.path)"' <<<"$r")" "true $HOME/applied.pfx" "apply: backup \"~/applied.pfx\" is in home"
for p in "~/b1.pfx:$HOME/b1.pfx" "rel/b2.pfx:$HOME/rel/b2.pfx" "~:$HOME/ECM_"; do
	r=$(rpc b backup "$(jq -cn --arg p "$BPW" --arg path "${p%%:*}" '{password: $p, path: $path}')" | reply)
	like "$(jq -r '.result.path // .error.code' <<<"$r")" "^${p#*:}" "backup \"${p%%:*}\" lands in home (${p#*:}…)"
done
[ -z "$(ls -A "$CWD")" ]; ok $? "nothing was written in the host's working folder (no folder named \"~\")"
r=$(rpc i import "$(jq -cn --arg p "$BPW" '{path: "applied.pfx", password: $p}')" | reply)
is "$(jq -r '.error.code // "OK"' <<<"$r")" OK "import \"applied.pfx\" reads the file in home"
sess_close
ok $? "the session ends cleanly"

# ---- pick_file: the name as it is, or FILE_NAME_NOT_UTF8
mkdir -p "$T/bin"
printf '#!/bin/sh\nprintf "%%s\\n" "$(cat %s)"\n' "$T/answer" >"$T/bin/zenity"
chmod +x "$T/bin/zenity"
pick() { printf '{"id":1,"cmd":"pick_file","args":{"mode":"open"}}\n' | PATH="$T/bin:/usr/bin:/bin" DISPLAY=:99 "$ECM" session 2>>"$T/stderr"; }
printf '%s' "$HOME/憑證 備份.pfx" >"$T/answer"
is "$(pick | jq -r .result.path)" "$HOME/憑證 備份.pfx" "pick_file: a UTF-8 name comes back as it is"
printf '%s/bad\377name.pfx' "$HOME" >"$T/answer"
r=$(pick)
is "$(jq -r '"\(.error.code) \(.result.path)"' <<<"$r")" "FILE_NAME_NOT_UTF8 null" \
	"pick_file: a name that is not UTF-8 is FILE_NAME_NOT_UTF8, not a mended path"
is "$(jq -r .error.details.shown <<<"$r")" "bad�name.pfx" "  details.shown: the name as far as it reads"

# ---- sign_origins: only what a browser reports
for o in "https://a.example:443" "https://a.example:99999" "https://a.example:abc" "https://a:b:c" \
	"https://a.example:0" "https://..a" "https://a.example." "https://a..example" "https://u@a.example"; do
	jq --arg o "$o" '. + {sign_origins: ["https://ok.example", $o]}' "$T/host.json" >"$T/bad.json"
	r=$(printf '{"id":1,"cmd":"hello"}\n' | ECM_CONFIG=$T/bad.json "$ECM" session 2>>"$T/stderr")
	is "$(jq -r .result.config.error.code <<<"$r")" CONFIG_INVALID "sign_origins \"$o\": CONFIG_INVALID"
	like "$(jq -r .result.config.error.message <<<"$r")" "entry \"${o//./\\.}\"" "  the message names the entry"
done
jq --arg o "${RA_API%%/api*}" '. + {sign_origins: [$o]}' "$T/host.json" >"$T/good.json"
r=$(printf '{"id":1,"cmd":"hello"}\n' | ECM_CONFIG=$T/good.json "$ECM" session 2>>"$T/stderr")
is "$(jq -c .result.config.sign_origins <<<"$r")" "[\"${RA_API%%/api*}\"]" \
	"the development RA's https://127.0.0.1:<port> is still an origin"
! grep -E "Sanitizer|runtime error" "$T/stderr"
ok $? "no sanitizer report"
done_testing
