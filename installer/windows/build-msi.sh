#!/bin/sh
# build-msi.sh VERSION SOURCEDIR CONFIG OUT.msi: fill the Windows manifests into SOURCEDIR (which holds
# ecm-host.exe and ecm.exe), copy CONFIG there, and build the MSI with wixl (msitools: Debian's wixl package,
# MSYS2's mingw-w64-ucrt-x86_64-msitools). wixl ignores NeverOverwrite/Permanent/Platform (it warns): the
# configuration's component gets them here with msibuild. WiX 3 on Windows builds the same .wxs:
#   candle -arch x64 -dVersion=V -dProductCode=GUID -dSourceDir=DIR -dConfigFile=F ecert-manager.wxs
#   light -out OUT.msi ecert-manager.wixobj
# (GUID: `build-msi.sh --product-code V`).
set -eu
UPGRADE_CODE=AC360AE1-2E06-4D7D-B02C-41E59835C709
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=installer/windows/guid.sh
. "$here/guid.sh"
# One product per version, the same for every rebuild of it.
product_code() { name_guid "$UPGRADE_CODE $1"; }
if [ "${1:-}" = --product-code ] && [ $# -eq 2 ]; then product_code "$2"; exit 0; fi
[ $# -eq 4 ] || { echo "usage: build-msi.sh VERSION SOURCEDIR CONFIG OUT.msi" >&2; exit 2; }
top=$(cd "$here/../.." && pwd)
for t in chrome firefox; do
	sed 's|@HOST_PATH@|ecm-host.exe|' "$top/manifests/org.ecertmanager.host.$t.json.in" \
		>"$2/org.ecertmanager.host.$t.json"
done
if [ "$3" != "$2/config.json" ]; then
	cp "$3" "$2/config.json" || exit 1
fi
out=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
# wixl takes source paths relative to the current folder only.
cd "$2"
# Every DLL beside the programs, one File each (the first is the component's key path; none: a key file anyway).
files=
key=' KeyPath="yes"'
for d in *.dll; do
	[ -f "$d" ] || continue
	id=Lib_$(printf '%s' "$d" | tr -c 'A-Za-z0-9_' '_')
	files="$files<File Id=\"$id\" Name=\"$d\" Source=\"\$(var.SourceDir)/$d\"$key />"
	key=
done
[ -n "$files" ] || files='<CreateFolder />'
modules='<CreateFolder />'
[ -f ossl-modules/legacy.dll ] &&
	modules='<File Id="OsslLegacy" Name="legacy.dll" Source="$(var.SourceDir)/ossl-modules/legacy.dll" KeyPath="yes" />'
wxs=$(mktemp "${TMPDIR:-/tmp}/ecm-wxs.XXXXXX")
trap 'rm -f "$wxs"' EXIT
sed -e "s|<!-- @LIBRARIES@ -->|$files|" -e "s|<!-- @MODULES@ -->|$modules|" "$here/ecert-manager.wxs" >"$wxs"
wixl -a x64 -D "Version=$1" -D "ProductCode=$(product_code "$1")" -D "SourceDir=." -D "ConfigFile=config.json" -o "$out" "$wxs" || exit 1
# wixl writes HKMU as Root 4, which Windows Installer does not know: the table's value for "HKLM for a machine
# install, HKCU for a per-user one" is -1.
msibuild "$out" -q "UPDATE \`Registry\` SET \`Root\` = -1 WHERE \`Root\` = 4"
# msidbComponentAttributes64bit (256) + Permanent (16: uninstall leaves it) + NeverOverwrite (128: an upgrade
# keeps the broker's file as the person or the broker left it).
msibuild "$out" -q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'Config'"
