#!/bin/sh
# Run on macOS (Xcode's command-line tools): builds ../ecert-manager-broker-@ID@-@VERSION@.pkg from root/, which
# puts the broker's profile in /Library/Application Support/ecert-manager/brokers/ beside other brokers'. The
# host comes from its own pkg (installer/macos/build-pkg.sh). Signing: set ECM_SIGN_ID to a "Developer ID
# Installer: ..." identity, then notarize with `xcrun notarytool submit --wait` and `xcrun stapler`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v pkgbuild >/dev/null || { echo "build-pkg.sh: pkgbuild not found (macOS only)" >&2; exit 1; }
pkgbuild --root "$here/root" --install-location / --ownership recommended \
	--identifier org.ecertmanager.broker.@ID@ --version @VERSION@ "$here/broker-core.pkg"
sign=
[ -z "${ECM_SIGN_ID:-}" ] || sign="--sign $ECM_SIGN_ID"
# shellcheck disable=SC2086 # $sign is empty or two words
productbuild $sign --package "$here/broker-core.pkg" "$here/../ecert-manager-broker-@ID@-@VERSION@.pkg"
rm -f "$here/broker-core.pkg"
echo "$here/../ecert-manager-broker-@ID@-@VERSION@.pkg"
