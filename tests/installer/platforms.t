#!/bin/bash
# What of the macOS and Windows installers can be checked on Linux: the pkg postinstall run against a temporary
# volume, the WiX source built into an MSI with wixl (its tables and manifests checked), the .reg template, the
# Safari wrapper's plists and its use of the core's C API. Building the pkg, the MSI with WiX and the Xcode
# project needs macOS or Windows (docs/installing.md).
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"

NAME=org.ecertmanager.host
ORIGINS='["chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/"]'
GECKO='["ecert-manager@ecertmanager.org"]'

work=$(mktemp -d "${TMPDIR:-/tmp}/ecm-platforms-t.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# ---- macOS pkg postinstall ----
vol=$work/vol
lib=$vol/usr/local/lib/ecert-manager
mkdir -p "$lib/manifests" "$vol/Users/me"
printf '#!/bin/sh\n' >"$lib/ecm-host" && chmod 755 "$lib/ecm-host"
cp "$top"/manifests/*.json.in "$lib/manifests/"
ECM_USER_HOME=/Users/me sh "$top/installer/macos/scripts/postinstall" pkg / "$vol"
ok $? "postinstall succeeds"
as="Library/Application Support"
for d in "Library/Google/Chrome" "$as/Chromium" "Library/Microsoft/Edge" "$as/Vivaldi" \
    "Users/me/$as/Google/Chrome" "Users/me/$as/Chromium" "Users/me/$as/Microsoft Edge" \
    "Users/me/$as/BraveSoftware/Brave-Browser" "Users/me/$as/Vivaldi"; do
	m=$vol/$d/NativeMessagingHosts/$NAME.json
	is "$(jq -c '[.path, .allowed_origins]' "$m" 2>&1)" "[\"/usr/local/lib/ecert-manager/ecm-host\",$ORIGINS]" "macOS $d"
done
for d in "$as/Mozilla" "Users/me/$as/Mozilla"; do
	m=$vol/$d/NativeMessagingHosts/$NAME.json
	is "$(jq -c '[.path, .allowed_extensions]' "$m" 2>&1)" "[\"/usr/local/lib/ecert-manager/ecm-host\",$GECKO]" "macOS $d"
done
is "$(find "$vol" -name "$NAME.json" | wc -l)" 11 "postinstall writes 11 manifests (5 system, 6 user), no more"
sh -n "$top/installer/macos/build-pkg.sh" && sh -n "$top/installer/macos/uninstall.sh"
ok $? "build-pkg.sh and uninstall.sh parse"

# ---- Safari wrapper ----
for p in "$top"/installer/macos/safari/Extension/*.plist "$top"/installer/macos/safari/*/*.entitlements; do
	xmllint --noout "$p" 2>/dev/null; ok $? "well-formed ${p#"$top"/}"
done
swift=$top/installer/macos/safari/Extension/SafariWebExtensionHandler.swift
for f in ecm_core_new ecm_core_handle ecm_core_free ecm_emit_fn ecm_error_init ecm_error_clear; do
	grep -q "$f" "$swift" && grep -Eq "\\b$f\\b" "$top/include/ecm/core.h" "$top/include/ecm/error.h"
	ok $? "Swift handler uses $f, which the C headers declare"
done
grep -q "^#include \"ecm/core.h\"" "$top/installer/macos/safari/Extension/ECMBridge.h"; ok $? "bridging header includes ecm/core.h"

# ---- Windows ----
wxs=$top/installer/windows/ecert-manager.wxs
xmllint --noout "$wxs"; ok $? "ecert-manager.wxs is well-formed XML"
if command -v wixl >/dev/null; then
	src=$work/win
	mkdir -p "$src"
	printf 'MZ' >"$src/ecm-host.exe" && printf 'MZ' >"$src/ecm.exe"
	"$top/installer/windows/build-msi.sh" 0.1.0 "$src" "$top/installer/debian/config.json" "$work/e.msi" \
		>"$work/wixl.log" 2>&1
	rc=$?; ok $rc "wixl builds the MSI"
	[ $rc -eq 0 ] || diag "$(tail -5 "$work/wixl.log")"
	reg=$(msiinfo export "$work/e.msi" Registry 2>/dev/null)
	for k in 'Google\Chrome' 'Chromium' 'Microsoft\Edge'; do
		like "$reg" "^[^	]*	-1	SOFTWARE\\\\${k//\\/\\\\}\\\\NativeMessagingHosts\\\\$NAME		\\[INSTALLDIR\\]$NAME.chrome.json	" "MSI registers $k (HKMU: HKLM per machine, HKCU per user)"
	done
	like "$reg" "	-1	SOFTWARE\\\\Mozilla\\\\NativeMessagingHosts\\\\$NAME		\\[INSTALLDIR\\]$NAME.firefox.json	" "MSI registers Mozilla (HKMU)"
	files=$(msiinfo export "$work/e.msi" File 2>/dev/null | awk -F'\t' 'NR > 3 { print $3 }' | sort | tr '\n' ' ')
	is "$files" "config.json ecm-host.exe ecm.exe $NAME.chrome.json $NAME.firefox.json " "MSI file list"
	mkdir -p "$work/x" && (cd "$work/x" && msiextract "$work/e.msi" >/dev/null 2>&1)
	m=$(find "$work/x" -name "$NAME.chrome.json" | head -1)
	is "$(jq -c '[.path, .allowed_origins]' "$m" 2>&1)" "[\"ecm-host.exe\",$ORIGINS]" "MSI Chrome manifest: host beside it"
	m=$(find "$work/x" -name "$NAME.firefox.json" | head -1)
	is "$(jq -c '[.path, .allowed_extensions]' "$m" 2>&1)" "[\"ecm-host.exe\",$GECKO]" "MSI Firefox manifest"
else
	diag "wixl not installed: MSI not built"
fi
regin=$top/installer/windows/$NAME.reg.in
is "$(grep -c "^\\[HKEY_CURRENT_USER\\\\Software\\\\.*\\\\NativeMessagingHosts\\\\$NAME\\]\$" "$regin")" 4 ".reg template: 4 HKCU keys"
head -1 "$regin" | grep -q '^Windows Registry Editor Version 5.00'; ok $? ".reg template header"

done_testing
