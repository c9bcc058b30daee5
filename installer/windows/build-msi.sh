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
wixl -a x64 -D "Version=$1" -D "SourceDir=." -D "ConfigFile=config.json" -o "$out" "$here/ecert-manager.wxs"
