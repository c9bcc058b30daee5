#!/usr/bin/env bash
# tests/windows/build-deps's cache, in a throwaway cache folder and with --cached-only (never a cold build): a
# folder of the old layout (named by the versions apt lists, holding what was really built) is renamed to the
# versions actually built and linked from the old name; the answer is that folder, at once, every time; a
# listed version that could not be fetched is asked again at most once a day.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
command -v x86_64-w64-mingw32-gcc >/dev/null && apt-cache showsrc nss 2>/dev/null | grep -q '^Version:' ||
	{ echo "ok 1 # SKIP no mingw-w64 or no deb-src entries (tests/windows/build-deps installs them)"; echo "1..1"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-build-deps.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_CACHE_HOME=$T
root=$T/ecert-manager
newest() { apt-cache showsrc "$1" | awk '/^Package:/ { p = $2 } /^Version:/ && p == "'"$1"'" { print $2 }' | sort -rV | sed -n 1p; }

# Which name the script looks for: its own answer with an empty cache.
bash tests/windows/build-deps --cached-only >/dev/null 2>"$T/err"
ok "$([ $? -ne 0 ]; echo $?)" "--cached-only with no cache fails (and builds nothing)"
is "$(ls "$root" 2>/dev/null | grep -c win64)" 0 "it created no cache folder"

# The old layout: win64-<listed versions' hash>, a real folder, openssl built older than listed.
want_hash=$(bash -c 'source <(sed -n "/^build_openssl()/,/^main() {/p" tests/windows/build-deps | sed "\$d")
	LIBS=(openssl cjson curl nspr nss); HOSTT=x86_64-w64-mingw32
	printf "%s" "'"$(for p in openssl cjson curl nspr nss; do printf '%s=%s;' "$p" "$(newest "$p")"; done)"'recipe=$(declare -f "${LIBS[@]/#/build_}" | sha256sum | cut -c1-16);$($HOSTT-gcc -dumpversion)" | sha256sum | cut -c1-12')
old=$root/win64-$want_hash
mkdir -p "$old" && touch "$old/.complete"
for p in openssl cjson curl nspr nss; do
	v=$(newest "$p"); [ "$p" = openssl ] && v=0.0.1-built-older
	echo "$p $v"
done >"$old/versions"
echo marker >"$old/lib-marker"
out=$(bash tests/windows/build-deps --cached-only 2>"$T/err")
ok $? "the old folder is used as it is (no build): $(tr '\n' ' ' <"$T/err")"
like "$out" "^$root/win64-[0-9a-f]{12}\$" "the answer is a cache folder"
ok "$([ "$out" != "$old" ]; echo $?)" "named by the versions actually built, not the listed ones"
is "$(cat "$out/lib-marker" 2>&1)" marker "the same files (moved, not rebuilt)"
is "$(readlink "$old")" "${out##*/}" "the old name is a link to it (paths recorded before still resolve)"
like "$(cat "$out/wanted")" "openssl=$(newest openssl);" "it records the listed versions it stands for"
start=$SECONDS
is "$(bash tests/windows/build-deps --cached-only 2>/dev/null)" "$out" "a second run gives the same folder"
ok "$([ $((SECONDS - start)) -lt 30 ]; echo $?)" "at once ($((SECONDS - start)) s)"
touch -d '2 days ago' "$out/.checked"
bash tests/windows/build-deps --cached-only >/dev/null 2>&1
ok "$([ -n "$(find "$out/.checked" -mmin -5)" ]; echo $?)" "a day later the missing listed version is asked for again"
done_testing
