#!/usr/bin/env bash
# The extension's packages as `make broker` builds them (issue 21 item 1): the store .zip and the Firefox .xpi pass
# addons-linter, hold exactly the files of extension/, and the built .xpi (not the source folder) installs in
# Firefox ESR, whose popup loads and reaches the real host. The .zip loads in Chromium in tests/installer/brokers.t
# (with the host the .deb installed). The policy templates name the extension's IDs and no host.
set -u
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/lib/tap.sh
. tests/lib/broker-packages.sh
. tests/e2e/setup.sh
BUILD=${ECM_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export PUPPETEER_SKIP_DOWNLOAD=1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecm-packages.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [ ! -d tests/e2e/node_modules/addons-linter ] || [ ! -d tests/e2e/node_modules/puppeteer-core ]; then
	npm ci --prefix tests/e2e --silent --no-audit --no-fund >"$TMP/npm-ci.log" 2>&1 || sed 's/^/# /' "$TMP/npm-ci.log"
fi
[ -d tests/e2e/node_modules/addons-linter ]; ok $? "tests/e2e's npm packages (addons-linter, puppeteer-core)"

test_broker_profile brka "$TMP" && jq '._firefox_install_url = "REPLACE-WITH-THE-BROKERS-XPI-URL"' \
	"$TMP/brka/brka.json" >"$TMP/brka/p.json" && mv "$TMP/brka/p.json" "$TMP/brka/brka.json"
D=$(make_broker "$TMP/brka/brka.json" "$TMP/make.log")
ok $? "make broker"
[ -d "$D" ] || { diag "$(tail -20 "$TMP/make.log")"; done_testing; exit 1; }
version=$(jq -r .version extension/manifest.json)
zip=$D/ecert-manager-$version.zip xpi=$D/ecert-manager-$version.xpi

want=$(cd extension && find . -type f ! -name '.*' | sed 's|^\./||' | sort)
for f in "$zip" "$xpi"; do
	is "$(unzip -Z1 "$f" 2>&1 | sort)" "$want" "${f##*/} holds the files of extension/, manifest at the top"
	tests/e2e/node_modules/.bin/addons-linter --output json "$f" >"$TMP/lint.json" 2>/dev/null
	jq -r '(.errors + .warnings)[] | "# lint \(._type): \(.code) \(.file // ""): \(.message)"' "$TMP/lint.json" 2>/dev/null
	is "$(jq '.summary.errors' "$TMP/lint.json" 2>&1)" 0 "addons-linter: no errors in ${f##*/}"
done

# ---- policy templates
gecko=$(jq -r .browser_specific_settings.gecko.id extension/manifest.json)
is "$(jq -c --arg g "$gecko" '.policies.ExtensionSettings[$g]' "$D/policies/firefox-policies.json" 2>&1)" \
	'{"installation_mode":"force_installed","install_url":"REPLACE-WITH-THE-BROKERS-XPI-URL"}' \
	"Firefox policies.json force-installs $gecko from the profile's _firefox_install_url"
reg=$(iconv -f UTF-16 -t UTF-8 "$D/policies/edge-extension-forcelist.reg" 2>&1 | tr -d '\r')
like "$reg" '^Windows Registry Editor Version 5\.00' "the Edge .reg is regedit's format (UTF-16)"
like "$reg" 'Policies\\Microsoft\\Edge\\ExtensionInstallForcelist\]' "… for Edge's ExtensionInstallForcelist"
like "$reg" '"1"="mainajikbmfkgohgpkhpgioaimbggpmo;REPLACE-WITH-EDGE-UPDATE-URL"' \
	"… with the ID from the manifest key and a named placeholder (no host name)"

# ---- the built .xpi in Firefox ESR, with the real host
if [ -x /usr/bin/firefox-esr ]; then
	home=$TMP/home
	mkdir -p "$home"
	printf '{"allowed_callers": ["chrome-extension://%s/", "%s"]}\n' mainajikbmfkgohgpkhpgioaimbggpmo "$gecko" >"$TMP/host.json"
	firefox_manifest "$home" "$(wrapper host-wrapper "$home")"
	res=$(HOME=$home timeout 240 node tests/e2e/packages.mjs firefox-hello "$TMP/firefox-profile" "$xpi" 2>"$TMP/node.err")
	ok $? "Firefox ESR ran with the built .xpi"
	[ -n "$res" ] || diag "$(tail -5 "$TMP/node.err")"
	is "$(jq -r .id <<<"$res" 2>&1)" "$gecko" "the .xpi installs as $gecko"
	is "$(jq -r .ready <<<"$res" 2>&1)" true "its popup page loads"
	is "$(jq -r '.reply.ok' <<<"$res" 2>&1)" true "its event page reaches the host: hello ok"
	[ "$(jq -r '.reply.ok' <<<"$res" 2>&1)" = true ] || diag "$res"
else
	ok 0 "# SKIP firefox-esr not installed"
fi
done_testing
