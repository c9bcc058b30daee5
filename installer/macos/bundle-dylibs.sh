#!/bin/sh
# bundle-dylibs.sh ROOT: makes the pkg's programs carry their libraries, so they run without Homebrew. Every
# dylib ecm and ecm-host link from outside the system (/usr/lib, /System) goes into
# ROOT/usr/local/lib/ecert-manager/lib, found through @rpath; so do the ones NSS dlopen()s beside libnss3
# (libsoftokn3, libfreebl3: otool cannot see them). Then each changed file is signed again ad hoc (arm64 runs
# nothing whose signature install_name_tool broke); build-pkg.sh signs for distribution afterwards.
# Apple's tools: otool -L (dependencies), install_name_tool -id/-change/-add_rpath, codesign.
set -eu
[ $# -eq 1 ] || { echo "usage: bundle-dylibs.sh ROOT" >&2; exit 2; }
root=$1
libdir=$root/usr/local/lib/ecert-manager/lib
host=$root/usr/local/lib/ecert-manager/ecm-host
cli=$root/usr/local/bin/ecm
mkdir -p "$libdir"

# The non-system libraries a Mach-O file links (absolute paths; already-bundled @rpath names are skipped).
deps() { otool -L "$1" | awk 'NR > 1 { print $1 }' | grep -v -e '^/usr/lib/' -e '^/System/' -e '^@' || true; }

# Copy one library in (once) and give it an @rpath install name.
take() {
	dst=$libdir/${1##*/}
	[ -f "$dst" ] && return 0
	cp "$1" "$dst" && chmod 0644 "$dst"
	install_name_tool -id "@rpath/${1##*/}" "$dst"
	install_name_tool -add_rpath @loader_path "$dst" 2>/dev/null || true
	echo "$dst"
}

# NSS's run-time modules, beside the libnss3 the programs link.
nss=$(for f in "$host" "$cli"; do deps "$f"; done | grep '/libnss3\.dylib$' | head -1)
queue="$host $cli"
if [ -n "$nss" ]; then
	for m in libsoftokn3.dylib libfreebl3.dylib libfreeblpriv3.dylib; do
		[ -f "${nss%/*}/$m" ] && queue="$queue $(take "${nss%/*}/$m")"
	done
fi
# Until nothing new: rewrite each file's references and pull in what it references.
while [ -n "$queue" ]; do
	next=
	for f in $queue; do
		for d in $(deps "$f"); do
			[ -f "$d" ] || { echo "bundle-dylibs: $f needs $d, which is missing" >&2; exit 1; }
			new=$(take "$d")
			next="$next $new"
			install_name_tool -change "$d" "@rpath/${d##*/}" "$f"
		done
	done
	queue=$next
done
install_name_tool -add_rpath @executable_path/lib "$host"
install_name_tool -add_rpath @executable_path/../lib/ecert-manager/lib "$cli"
for f in "$host" "$cli" "$libdir"/*.dylib; do
	[ -f "$f" ] && codesign --force --sign - "$f" >/dev/null 2>&1
done
# Nothing left that points outside the pkg.
left=$(for f in "$host" "$cli" "$libdir"/*.dylib; do [ -f "$f" ] && deps "$f"; done)
[ -z "$left" ] || { echo "bundle-dylibs: still linked from outside: $left" >&2; exit 1; }
