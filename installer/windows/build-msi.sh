#!/bin/sh
# build-msi.sh VERSION SOURCEDIR CONFIG OUT.msi: fill the Windows manifests into SOURCEDIR (which holds
# ecm-host.exe and ecm.exe), copy CONFIG there, and build the MSI with wixl (Debian package wixl), which
# ignores NeverOverwrite/Permanent/Platform (it warns): release MSIs are built on Windows with WiX 3:
#   candle -arch x64 -dVersion=V -dSourceDir=DIR -dConfigFile=F ecert-manager.wxs
#   light -out OUT.msi ecert-manager.wixobj
set -eu
[ $# -eq 4 ] || { echo "usage: build-msi.sh VERSION SOURCEDIR CONFIG OUT.msi" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
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
wxs=$(mktemp "${TMPDIR:-/tmp}/ecm-wxs.XXXXXX")
trap 'rm -f "$wxs"' EXIT
sed "s|<!-- @LIBRARIES@ -->|$files|" "$here/ecert-manager.wxs" >"$wxs"
wixl -a x64 -D "Version=$1" -D "SourceDir=." -D "ConfigFile=config.json" -o "$out" "$wxs" || exit 1
# wixl writes HKMU as Root 4, which Windows Installer does not know: the table's value for "HKLM for a machine
# install, HKCU for a per-user one" is -1.
msibuild "$out" -q "UPDATE \`Registry\` SET \`Root\` = -1 WHERE \`Root\` = 4"
