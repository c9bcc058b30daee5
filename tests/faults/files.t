#!/usr/bin/env bash
# Files the host reads by path cannot hang it or make it read without bound: a FIFO (no writer), a device, a
# folder, an oversized file — as import's path, query's pfx.path, renew's current.path, the configuration file,
# ra_ca_file and Firefox's profiles.ini. Each is refused at once (FILE_READ_FAILED with details.reason, or the
# command's own code) and the host keeps serving. Also: a failed login, for any reason, ends the previous login.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-faults-files.XXXXXX")
trap 'ra_stop; rm -rf "$T"' EXIT
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
ra_start "$T/ra" || { echo "Bail out! the development RA did not start"; exit 1; }
ra_host_config "$T/ra" "$T/host.json"
export ECM_CONFIG=$T/host.json
mkfifo "$T/fifo"
head -c $((2 * 1024 * 1024)) /dev/zero >"$T/big.pfx"
mkdir "$T/folder.pfx"
session() { printf '%s\n' "$@" | timeout 20 "$ECM" session 2>>"$T/stderr"; }
login='{"id":"l","cmd":"login","args":{"id":"A123456789","password":"Demo1234"}}'
hello='{"id":"h","cmd":"hello"}'
why() { jq -r '"\(.error.code) \(.error.details.reason)"'; }
# refused REQUEST WANT NAME: the request (then hello) answered within 20 s, the first with WANT
refused() {
	local out
	out=$(session "$1" "$hello")
	is "$(head -n 1 <<<"$out" | why)" "$2" "$3"
	is "$(tail -n 1 <<<"$out" | jq -r .ok)" true "  and the host answers the next request"
}
imp() { jq -cn --arg p "$1" '{id: 1, cmd: "import", args: {path: $p, password: "x"}}'; }
qry() { jq -cn --arg p "$1" '{id: 1, cmd: "query", args: {pfx: {path: $p, password: "x"}}}'; }

refused "$(imp "$T/fifo")" "FILE_READ_FAILED not_regular" "import of a FIFO: refused, not blocked"
refused "$(qry "$T/fifo")" "FILE_READ_FAILED not_regular" "query pfx.path a FIFO: refused"
refused "$(imp /dev/zero)" "FILE_READ_FAILED not_regular" "import of /dev/zero: refused"
refused "$(imp "$T/folder.pfx")" "FILE_READ_FAILED not_regular" "import of a folder: refused"
refused "$(imp "$T/big.pfx")" "FILE_READ_FAILED too_large" "import of a 2 MiB file: refused (too_large)"
ln -s "$T/fifo" "$T/link.pfx"
refused "$(imp "$T/link.pfx")" "FILE_READ_FAILED not_regular" "a symlink to a FIFO: refused"

renew=$(jq -cn --arg p "$T/fifo" '{id: 2, cmd: "renew", args: {terms_version: "2026.1", otp: "123456",
	backup: {password: "Backup-Pass-1"}, current: {path: $p, password: "x"}}}')
out=$(session "$login" "$renew" "$hello")
is "$(grep '"id":2' <<<"$out" | why)" "FILE_READ_FAILED not_regular" "renew current.path a FIFO: refused"
is "$(grep '"id":"h"' <<<"$out" | jq -r .result.logged_in)" true "  and the session goes on, logged in"

# the configuration file and the RA's CA bundle
out=$(ECM_CONFIG=$T/fifo session "$hello")
is "$(jq -r .result.config.error.code <<<"$out")" CONFIG_INVALID "a FIFO as the configuration file: hello reports CONFIG_INVALID"
jq --arg ca "$T/fifo" '. + {ra_ca_file: $ca}' "$T/host.json" >"$T/fifo-ca.json"
out=$(ECM_CONFIG=$T/fifo-ca.json session "$login" "$hello")
is "$(head -n 1 <<<"$out" | jq -r .error.code)" CONFIG_INVALID "a FIFO as ra_ca_file: login is CONFIG_INVALID at once"
# Firefox's profiles.ini
mkdir -p "$HOME/.mozilla/firefox" && mkfifo "$HOME/.mozilla/firefox/profiles.ini"
out=$(session '{"id":1,"cmd":"stores"}')
is "$(jq -r '.ok' <<<"$out")" true "a FIFO as profiles.ini: stores answers (the file is skipped)"
rm -rf "$HOME/.mozilla"
# a profiles.ini of 10 000 profiles (within its 256 KiB cap): bounded work, at most 64 stores
mkdir -p "$HOME/.mozilla/firefox"
for i in $(seq 1 10000); do printf '[Profile%d]\nPath=p%d\n' "$i" "$i"; done >"$HOME/.mozilla/firefox/profiles.ini"
start=$(date +%s)
out=$(session '{"id":1,"cmd":"stores"}')
is "$(jq -r '"\(.ok) \(.result.stores | length)"' <<<"$out")" "true 64" "10 000 profiles in profiles.ini: stores answers with 64 stores"
ok $(( $(date +%s) - start <= 15 ? 0 : 1 )) "  within 15 s"
rm -rf "$HOME/.mozilla"

# the command line's --store-passwords-file: a device that never ends is read only up to its cap
timeout 20 "$ECM" install --store-passwords-file /dev/zero </dev/null >/dev/null 2>>"$T/stderr"
ok $(( $? != 124 ? 0 : 1 )) "ecm install --store-passwords-file /dev/zero ends (bounded read)"

# ---------------------------------------------------------------- read-only HOME: login, list, hello, logout
if mount -t tmpfs -o ro,size=64k tmpfs "$HOME" 2>/dev/null; then
	out=$(session "$login" '{"id":"c","cmd":"list"}' "$hello" '{"id":"q","cmd":"query"}' '{"id":"o","cmd":"logout"}')
	is "$(jq -sr 'map(.ok) | join(" ")' <<<"$out")" "true true true true true" \
		"read-only HOME: login, list, hello, query, logout all answer"
	umount "$HOME"
else
	echo "ok $((_tap_n += 1)) # SKIP cannot mount a read-only tmpfs here"
fi

# ---------------------------------------------------------------- a failed login ends the previous one
for bad in '{"id":"x","cmd":"login","args":{"id":"A123456788","password":"Demo1234"}}|an ID with a bad checksum' \
	'{"id":"x","cmd":"login","args":{"id":"A123456789"}}|no password' \
	'{"id":"x","cmd":"login","args":{"id":"A123456789","password":"wrong-one"}}|a wrong password' \
	'{"id":"x","cmd":"login","args":{"id":"A123456789","password":7}}|a password of the wrong type'; do
	out=$(session "$login" "${bad%%|*}" "$hello")
	is "$(grep '"id":"l"' <<<"$out" | jq -r .ok)/$(grep '"id":"x"' <<<"$out" | jq -r .ok)/$(grep '"id":"h"' <<<"$out" |
		jq -r .result.logged_in)" "true/false/false" "a failed login (${bad#*|}) leaves nobody logged in"
done
! grep -E "Sanitizer|runtime error" "$T/stderr"
ok $? "no sanitizer report"
done_testing
