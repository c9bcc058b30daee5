#!/bin/sh
# bundle-dlls.sh PREFIX DIR: puts beside the programs in DIR every DLL of PREFIX/bin they need (MSYS2's UCRT64
# build, .github/workflows/windows.yml). `ldd` sees only what the programs import; NSS and OpenSSL load more at
# run time, so those are named here and then searched the same way:
#   softokn3.dll, freebl3.dll   NSS's software token and its crypto (loaded by nss3.dll when a database opens)
#   the SQLite DLL              softokn3.dll's import (MSYS2's NSS uses the system SQLite)
#   ossl-modules/legacy.dll     OpenSSL's legacy provider (RC2/3DES .pfx files), into DIR/ossl-modules, where
#                               the programs point OpenSSL (ecm_platform_stdio_init)
# --check: changes nothing, lists what is missing and fails if anything is.
set -eu
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
[ $# -eq 2 ] || { echo "usage: bundle-dlls.sh [--check] PREFIX DIR" >&2; exit 2; }
prefix=$1 dir=$2 missing=0
need() { # need SRC DEST
	[ -f "$2" ] && return 0
	if [ $check = 1 ]; then echo "missing: $2" >&2; missing=1; return 0; fi
	[ -f "$1" ] || { echo "bundle-dlls: $1 not found" >&2; exit 1; }
	mkdir -p "$(dirname "$2")" && cp "$1" "$2"
}
for d in softokn3 freebl3; do need "$prefix/bin/$d.dll" "$dir/$d.dll"; done
need "$prefix/lib/ossl-modules/legacy.dll" "$dir/ossl-modules/legacy.dll"
# Until nothing new: every DLL of PREFIX that a program or a bundled DLL imports.
while :; do
	new=0
	for f in "$dir"/*.exe "$dir"/*.dll "$dir"/ossl-modules/*.dll; do
		[ -f "$f" ] || continue
		for dep in $(ldd "$f" | awk -v p="$prefix/" 'index($3, p) == 1 { print $3 }'); do
			[ -f "$dir/${dep##*/}" ] && continue
			need "$dep" "$dir/${dep##*/}"
			[ $check = 1 ] || new=1
		done
	done
	[ $new = 1 ] || break
done
exit $missing
