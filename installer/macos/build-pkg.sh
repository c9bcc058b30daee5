#!/bin/sh
# build-pkg.sh VERSION [BUILD]: build BUILD/ecert-manager-VERSION.pkg on macOS (pkgbuild + productbuild, from
# Xcode's command-line tools). Not run on Linux; see docs/installing.md. Signing: set ECM_SIGN_ID to a
# "Developer ID Installer: ..." identity, then notarize with `xcrun notarytool submit --wait` and `xcrun stapler`.
#
# Payload (install-location /):
#   /usr/local/bin/ecm
#   /usr/local/lib/ecert-manager/ecm-host
#   /usr/local/lib/ecert-manager/lib/*.dylib                  (Homebrew's OpenSSL, curl, cJSON, NSS, NSPR:
#                                                             bundle-dylibs.sh, so no Homebrew is needed)
#   /usr/local/lib/ecert-manager/manifests/*.json.in          (postinstall fills them)
#   /Library/Application Support/ecert-manager/config.json   (only if ECM_CONFIG_FILE names one; + ECM_CA_FILE)
set -eu
[ $# -ge 1 ] || { echo "usage: build-pkg.sh VERSION [BUILD]" >&2; exit 2; }
version=$1
build=${2:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$build/pkg
root=$work/root

command -v pkgbuild >/dev/null || { echo "build-pkg.sh: pkgbuild not found (macOS only)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/ecert-manager/manifests"
install -m 0755 "$build/ecm" "$root/usr/local/bin/ecm"
install -m 0755 "$build/ecm-host" "$root/usr/local/lib/ecert-manager/ecm-host"
install -m 0644 "$top"/manifests/*.json.in "$root/usr/local/lib/ecert-manager/manifests/"
install -m 0755 "$here/uninstall.sh" "$root/usr/local/lib/ecert-manager/uninstall.sh"
"$here/bundle-dylibs.sh" "$root"
if [ -n "${ECM_CONFIG_FILE:-}" ]; then
	conf="$root/Library/Application Support/ecert-manager"
	mkdir -p "$conf"
	install -m 0644 "$ECM_CONFIG_FILE" "$conf/config.json"
	[ -z "${ECM_CA_FILE:-}" ] || install -m 0644 "$ECM_CA_FILE" "$conf/"
fi

pkgbuild --root "$root" --install-location / --scripts "$here/scripts" \
	--identifier org.ecertmanager.host --version "$version" "$work/ecert-manager-core.pkg"
sign=
[ -z "${ECM_SIGN_ID:-}" ] || sign="--sign $ECM_SIGN_ID"
# shellcheck disable=SC2086 # $sign is empty or two words
productbuild $sign --package "$work/ecert-manager-core.pkg" "$build/ecert-manager-$version.pkg"
echo "$build/ecert-manager-$version.pkg"
