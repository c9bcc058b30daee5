#!/bin/sh
# build-deb.sh BUILD VERSION ARCH: build BUILD/ecert-manager_VERSION_ARCH.deb from BUILD/ecm-host and BUILD/ecm
# with dpkg-deb (no debhelper). The layout comes from install.sh --package; this adds the Debian metadata.
set -eu
umask 022

[ $# -eq 3 ] || { echo "usage: build-deb.sh BUILD VERSION ARCH" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
version=$2
arch=$3
[ -n "$version" ] || { echo "build-deb.sh: empty version" >&2; exit 1; }
[ -n "$arch" ] || { echo "build-deb.sh: empty architecture" >&2; exit 1; }

work=$build/deb
stage=$work/root
doc=$stage/usr/share/doc/ecert-manager
out=$build/ecert-manager_${version}_$arch.deb
rm -rf "$work"
mkdir -p "$stage"

"$top/installer/install.sh" --package --root "$stage" --prefix /usr \
	--host "$build/ecm-host" --ecm "$build/ecm" --config "$here/config.json" >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
	"$stage/usr/bin/ecm" "$stage/usr/lib/ecert-manager/ecm-host" "$stage/usr/lib/ecert-manager/libecm-engine.so" \
	"$stage/usr/lib/ecert-manager/libecm-ra.so"

install -d "$doc" "$stage/usr/share/man/man1" "$stage/usr/share/lintian/overrides"
install -m 0644 "$here/copyright" "$doc/copyright"
sed "s/@VERSION@/$version/" "$here/changelog" | gzip -9n >"$doc/changelog.gz"
gzip -9n <"$here/ecm.1" >"$stage/usr/share/man/man1/ecm.1.gz"
install -m 0644 "$here/lintian-overrides" "$stage/usr/share/lintian/overrides/ecert-manager"
chmod 0644 "$doc/changelog.gz" "$stage/usr/share/man/man1/ecm.1.gz"

# Depends: from the binaries' libraries when dpkg-shlibdeps is there (it wants a debian/control), else by hand.
depends="libc6, libssl3, libcurl4, libcjson1, libnss3"
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
	mkdir -p "$work/src/debian"
	printf 'Source: ecert-manager\n\nPackage: ecert-manager\nArchitecture: any\n' >"$work/src/debian/control"
	d=$(cd "$work/src" && dpkg-shlibdeps -O "-e$stage/usr/bin/ecm" "-e$stage/usr/lib/ecert-manager/ecm-host" \
		"-e$stage/usr/lib/ecert-manager/libecm-engine.so" "-e$stage/usr/lib/ecert-manager/libecm-ra.so" \
		2>/dev/null | sed -n 's/^shlibs:Depends=//p')
	[ -z "$d" ] || depends=$d
	rm -rf "$work/src"
fi

mkdir -p "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
	"$here/control.in" >"$stage/DEBIAN/control"
(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"
