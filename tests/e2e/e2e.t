#!/usr/bin/env bash
# End-to-end tests of the extension in real browsers with the real host (build/ecm-host, or $ECM_BUILD/ecm-host)
# and the development RA: Debian's Chromium (headless, playwright-core) and Firefox ESR (puppeteer-core over
# WebDriver BiDi), plus addons-linter. Prints TAP. Screenshots (zh-TW) go to docs/screenshots/.
#   bash tests/e2e/e2e.t            E2E_ONLY=chromium|flows|firefox|stores|whose|brokers|lint to run one part
# shellcheck shell=bash
set -u
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
. tests/e2e/setup.sh

BUILD=${ECM_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
ONLY=${E2E_ONLY:-all}
export PUPPETEER_SKIP_DOWNLOAD=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecm-e2e.XXXXXX")
export E2E_TMP=$TMP
cleanup() { ra_stop; broker_ras_stop 2>/dev/null; [ -n "${E2E_KEEP:-}" ] || rm -rf "$TMP"; }
trap cleanup EXIT

# run_tap CMD...: pass the "ok - …" / "not ok - …" lines of a script through tap.sh's numbering.
run_tap() {
	local line code=
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		"#exit "*) code=${line#\#exit } ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <("$@" 2>"$TMP/stderr.log"; echo "#exit $?")
	[ "$code" = 0 ] || sed 's/^/# stderr: /' "$TMP/stderr.log" | tail -n 30
	[ "$code" = 0 ]; ok $? "$* ran to the end"
}

npm_status=0
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
	npm ci --prefix tests/e2e --silent --no-audit --no-fund >"$TMP/npm-ci.log" 2>&1 || npm_status=$?
	[ $npm_status -eq 0 ] || sed 's/^/# /' "$TMP/npm-ci.log"
fi
ok $npm_status "npm packages of tests/e2e present (playwright-core, puppeteer-core, addons-linter, axe-core)"

# --- addons-linter: no errors -------------------------------------------------------------------------------
if [ "$ONLY" = all ] || [ "$ONLY" = lint ]; then
	tests/e2e/node_modules/.bin/addons-linter --output json extension >"$TMP/lint.json" 2>/dev/null
	errs=$(jq '.summary.errors' "$TMP/lint.json" 2>/dev/null)
	jq -r '(.errors + .warnings)[] | "# lint \(._type): \(.code) \(.file // ""): \(.message)"' "$TMP/lint.json" 2>/dev/null
	is "$errs" 0 "addons-linter reports no errors for extension/"
	# every host error code (docs/protocol.md's table) has a sentence in both languages; both have the same keys
	codes=$(sed -n 's/^| `\([A-Z_]*\)` |.*/\1/p' docs/protocol.md)
	miss=
	for c in $codes; do
		for l in zh_TW en; do
			jq -e --arg k "err_$c" 'has($k)' "extension/_locales/$l/messages.json" >/dev/null || miss="$miss $l:$c"
		done
	done
	ok $([ -n "$codes" ] && [ -z "$miss" ]; echo $?) "every error code of docs/protocol.md ($(echo $codes | wc -w)) has a zh-TW and an English sentence${miss:+ (missing:$miss)}"
	is "$(jq -c 'keys' extension/_locales/zh_TW/messages.json)" "$(jq -c 'keys' extension/_locales/en/messages.json)" \
		"zh_TW and en messages have the same keys"
	# issue 22 item 10: one name for the program, one word for the SMS code (the page's nonce is another thing)
	zh=extension/_locales/zh_TW/messages.json
	is "$(jq -r '[to_entries[] | select(.value.message | test("e-Cert Manager")) | .key] | join(" ")' $zh)" "" \
		"zh-TW: the program is 憑證e總管 everywhere (never 「e-Cert Manager 主程式」)"
	is "$(jq -r '[to_entries[] | select(.value.message | test("(^|[^訊])驗證碼")) | .key] | join(" ")' $zh)" "" \
		"zh-TW: the one-time password is always 「簡訊驗證碼」"
	# one word per thing in the whole extension, the signing window's own strings too: 憑證庫 (not 存放處), 註銷 (not 廢止)
	is "$( { jq -r '.[].message' $zh; cat extension/sign/strings.js; } | grep -cE '存放處|廢止')" 0 \
		"zh-TW: a store is 憑證庫 and revocation 註銷 everywhere, the signing window included"
	grep -rnE 'eval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write|https?://' extension --include='*.js' --include='*.html' >"$TMP/unsafe.txt"
	ok $([ ! -s "$TMP/unsafe.txt" ]; echo $?) "no eval, no HTML injection sinks, no remote URLs in extension/"
	[ -s "$TMP/unsafe.txt" ] && sed 's/^/# /' "$TMP/unsafe.txt"
	is "$(jq -c '.permissions' extension/manifest.json)" '["nativeMessaging","alarms","notifications","storage","scripting"]' \
		"permissions are only nativeMessaging, alarms, notifications, storage, scripting"
	# issue 20: a broker's pages are heard by what the person grants, never by what the build lists
	is "$(jq -c '[.host_permissions, .externally_connectable, .content_scripts, .optional_host_permissions]' extension/manifest.json)" \
		'[null,null,null,["https://*/*"]]' \
		"the shipped manifest: no host permissions, no externally_connectable, no static content script; optional https://*/*"
	ok $(! grep -qiE '127\.0\.0\.1|localhost' extension/manifest.json; echo $?) "the shipped manifest names no development origin (127.0.0.1, localhost)"
fi
[ "$ONLY" = lint ] && { done_testing; exit; }

test_extension "$TMP/ext"; ok $? "the test build of the extension: https://127.0.0.1/* granted (tests/e2e/setup.sh)"

[ -x "$BUILD/ecm-host" ] || make -s >"$TMP/make.log" 2>&1
[ -x "$BUILD/ecm-host" ]; ok $? "host binary $BUILD/ecm-host exists"

ra_start "$TMP/ra"; ok $? "development RA started"
ra_host_config "$TMP/ra" "$TMP/host.json"

if [ "$ONLY" = all ] || [ "$ONLY" = chromium ]; then
	[ -x /usr/bin/chromium ]; ok $? "Debian's chromium is installed"
	setup_home "$TMP/home"
	setup_home "$TMP/home2"
	chrome_manifest "$TMP/chromium-profile" "$(wrapper host-chromium.sh "$TMP/home")"
	chrome_manifest "$TMP/chromium-profile-reminder" "$(wrapper host-reminder.sh "$TMP/home2")"
	run_tap node tests/e2e/chromium.mjs
fi

# Issue 22's flows and issue 17's reminder (two customers: A's certificate has 24 days left, B's newer one 364),
# with axe-core on every state shown.
if [ "$ONLY" = all ] || [ "$ONLY" = chromium ] || [ "$ONLY" = flows ]; then
	setup_home "$TMP/home3"
	customer_cert "$TMP/home3" A123456789 24; ok $? "fixture: A's certificate (24 days) in home3's NSS database"
	sleep 1
	customer_cert "$TMP/home3" B123456780 364; ok $? "fixture: B's newer certificate (364 days) in the same database"
	chrome_manifest "$TMP/chromium-profile-flows" "$(wrapper host-flows.sh "$TMP/home3")"
	run_tap node tests/e2e/chromium-flows.mjs
fi

if [ "$ONLY" = all ] || [ "$ONLY" = firefox ]; then
	[ -x /usr/bin/firefox-esr ]; ok $? "Firefox ESR is installed"
	setup_home "$TMP/ffhome"
	firefox_manifest "$TMP/ffhome" "$(wrapper host-firefox.sh "$TMP/ffhome")"
	HOME=$TMP/ffhome MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1 run_tap node tests/e2e/firefox.mjs
fi

# Where a certificate goes on a family's shared home (issue 17 items 5, 6): its own RA state and home.
if [ "$ONLY" = all ] || [ "$ONLY" = stores ]; then
	ra_reset
	. tests/e2e/family.sh
	family_home "$TMP/family"; ok $? "a family's home: 爸爸, 媽媽 (master password), 孩子 (his own certificate)"
	chrome_manifest "$TMP/chromium-family" "$(wrapper host-family.sh "$TMP/family")"
	run_tap node tests/e2e/stores-choice.mjs
fi

# Whose certificate without a login (issue 17 item 2): two customers' certificates in the shared Chrome store; the
# manager asks whose. A time zone ahead of UTC, so that a date in local time is told from one in UTC.
if [ "$ONLY" = all ] || [ "$ONLY" = whose ]; then
	setup_home "$TMP/whose"
	customer_cert "$TMP/whose" A123456789 200; ok $? "fixture: A's certificate (200 days) in the Chrome store"
	sleep 1
	customer_cert "$TMP/whose" B123456780 300; ok $? "fixture: B's newer certificate (300 days) in the same store"
	chrome_manifest "$TMP/chromium-whose" "$(wrapper host-whose.sh "$TMP/whose")"
	TZ=Asia/Taipei run_tap node tests/e2e/whose-choice.mjs
fi

# Several brokers (issue 20): two RAs with their own CAs and page origins, the same customer at both; login picks
# the broker, each broker's order page is signed with its own certificate, the reminder names the broker; an origin
# no profile lists and one the person did not grant get nothing. Chromium, then Firefox ESR.
if [ "$ONLY" = all ] || [ "$ONLY" = brokers ]; then
	. tests/e2e/brokers.sh
	brokers_fixture; ok $? "two brokers (brka, brkb), each its own RA, CA and origin; A123456789 applied at both (serials ${BRK_A_SERIAL:-?}, ${BRK_B_SERIAL:-?})"
	chrome_manifest "$TMP/chromium-brokers" "$(wrapper host-brokers.sh "$BRK_HOME" "$TMP/brokers-host.json" "$TMP/brokers")"
	run_tap node tests/e2e/brokers.mjs
	firefox_manifest "$BRK_HOME" "$(wrapper host-brokers-ff.sh "$BRK_HOME" "$TMP/brokers-host.json" "$TMP/brokers")"
	HOME=$BRK_HOME MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1 run_tap node tests/e2e/brokers-firefox.mjs
fi

if [ "$ONLY" != lint ]; then
	! grep -qE 'Sanitizer|runtime error:' "$TMP/host-stderr.log" 2>/dev/null
	ok $? "no sanitizer report from the host processes the browsers started ($(basename "$BUILD"))"
	grep -E -A12 'Sanitizer|runtime error:' "$TMP/host-stderr.log" 2>/dev/null | head -n 40 | sed 's/^/# /'
fi

done_testing
