#!/usr/bin/env bash
# The Windows store backend (host/store/wincrypt_windows.c) cannot run here: type-check it against mingw-w64's
# windows.h / wincrypt.h (Debian gcc-mingw-w64-x86-64) with the host's OpenSSL and cJSON headers overlaid.
# The macOS Keychain backend is not compiled on Linux at all.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$root/tests/lib/tap.sh"
cc=x86_64-w64-mingw32-gcc
if ! command -v $cc >/dev/null; then
	echo "ok 1 # SKIP $cc not installed (tests/deps/apt-stores.txt)"
	echo "1..1"
	exit 0
fi
inc=$(mktemp -d "${TMPDIR:-/tmp}/ecm-wininc.XXXXXX")
trap 'rm -rf "$inc"' EXIT
mkdir -p "$inc/openssl" "$inc/cjson"
ln -s /usr/include/openssl/* "$inc/openssl/"
ln -s /usr/include/x86_64-linux-gnu/openssl/* "$inc/openssl/" 2>/dev/null
ln -s /usr/include/cjson/* "$inc/cjson/"
out=$(cd "$root" && $cc -fsyntax-only -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -I"$inc" \
	host/store/wincrypt_windows.c 2>&1)
ok $? "wincrypt_windows.c type-checks with mingw-w64 (windows.h, wincrypt.h)"
[ -z "$out" ] || diag "$out"
done_testing
