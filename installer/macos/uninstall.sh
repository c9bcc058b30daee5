#!/bin/sh
# Removes what the e-Cert Manager pkg installed (run with sudo). Installed as
# /usr/local/lib/ecert-manager/uninstall.sh. Leaves /Library/Application Support/ecert-manager (the broker's
# configuration) unless --purge is given.
set -u
NAME=org.ecertmanager.host
[ "$(id -u)" -eq 0 ] || { echo "uninstall.sh: run with sudo" >&2; exit 1; }
for d in "/Library/Google/Chrome" "/Library/Application Support/Chromium" "/Library/Microsoft/Edge" \
    "/Library/Application Support/Vivaldi" "/Library/Application Support/Mozilla"; do
	rm -f "$d/NativeMessagingHosts/$NAME.json"
done
for h in /Users/*; do
	as="$h/Library/Application Support"
	for d in "Google/Chrome" Chromium "Microsoft Edge" BraveSoftware/Brave-Browser Vivaldi Mozilla; do
		rm -f "$as/$d/NativeMessagingHosts/$NAME.json"
	done
done
rm -f /usr/local/bin/ecm
rm -rf /usr/local/lib/ecert-manager
[ "${1:-}" != --purge ] || rm -rf "/Library/Application Support/ecert-manager"
pkgutil --forget org.ecertmanager.host >/dev/null 2>&1
echo "e-Cert Manager removed."
