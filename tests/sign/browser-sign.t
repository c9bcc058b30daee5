#!/usr/bin/env bash
# 憑證簽驗 in real browsers (issue 13): the development RA's 憑證簽驗 page and order form get a signature only after
# the user presses 簽章 in the extension's own window, and the RA reports ✔; 取消 answers CANCELLED; a page of
# another origin gets nothing; the manager's self-test shows ✔ for a good store and the right ✘ for an expired, a
# missing and a key-less certificate. Debian's Chromium (headless, playwright-core) and Firefox ESR (puppeteer-core,
# WebDriver BiDi: the content-script path) with the real host.
# Screenshots go to build/screenshots (E2E_SHOTS=docs/screenshots to refresh the committed ones).
set -u
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
BUILD=${ECM_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecm-bsign.XXXXXX")
export E2E_TMP=$TMP
. tests/e2e/setup.sh
cleanup() { ra_stop; [ -n "${E2E_KEEP:-}" ] || rm -rf "$TMP"; }
trap cleanup EXIT

if [ ! -x /usr/bin/chromium ] || [ ! -d tests/e2e/node_modules/playwright-core ]; then
	echo "ok 1 # SKIP Chromium or tests/e2e/node_modules (playwright-core) missing: run tests/install-deps"
	echo "1..1"
	exit 0
fi
[ -x "$BUILD/ecm" ] && [ -x "$BUILD/ecm-host" ]; ok $? "host binaries in $BUILD"
test_extension "$TMP/ext"; ok $? "the test build of the extension: https://127.0.0.1/* granted (tests/e2e/setup.sh)"

ra_start "$TMP/ra"; ok $? "development RA started"
ORIGIN=$(jq -r '.api_url | sub("/api/v1$"; "")' "$RA_JSON")
ra_host_config "$TMP/ra" "$TMP/base.json"
# two more broker origins the test serves itself (sandboxed and framed pages), both in sign_origins
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SIGN_PORT2=$(free_port) SIGN_PORT3=$(free_port)
export SIGN_PORT2 SIGN_PORT3
jq --arg o "$ORIGIN" --arg d "$TMP/backups" --arg o2 "https://127.0.0.1:$SIGN_PORT2" --arg o3 "https://127.0.0.1:$SIGN_PORT3" \
	'. + {sign_origins: [$o, $o2, $o3], backup_dir: $d}' "$TMP/base.json" >"$TMP/host.json"
export ECM_CONFIG=$TMP/host.json

# ---- a person's home: apply through `ecm session` (installs into ~/.pki/nssdb and the Firefox profile)
H=$TMP/home
setup_home "$H"
ID=A123456789 PW=Demo1234
ECM=$BUILD/ecm T=$TMP
. tests/lib/session.sh
HOME=$H sess_open
rpc l login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" >/dev/null
rpc o otp_request >/dev/null
r=$(rpc a apply "$(jq -cn --arg o "$(ra_otp "$ID")" '{terms_version: "2026.1", otp: $o, backup: {password: "Backup-Pass-1"}}')" | reply)
sess_close
is "$(jq -r '.ok' <<<"$r")" true "apply through ecm session"
SERIAL=$(jq -r .result.certificate.serial <<<"$r")
export SIGN_SERIAL=$SERIAL SIGN_ID=$ID SIGN_ORIGIN=$ORIGIN

# ---- after it, three more Firefox profiles: an expired certificate, none, one without its key; the expired one
# and a second customer's (B, for the family steps) issued by the RA's own CA, so that they are customers'
C=$TMP/ca
mkdir -p "$C"
cp "$RA_CA" "$C/ca.pem" && cp "$RA_DIR/ca-key.pem" "$C/ca.key"
: >"$C/index.txt"; echo 1000 >"$C/serial"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\ncountryName=optional\n' \
	"$C" "$C" "$C" >"$C/ca.cnf"
openssl req -newkey rsa:2048 -nodes -keyout "$C/old.key" -subj "/C=TW/CN=$ID-00-PC001" -out "$C/old.csr" 2>/dev/null
openssl ca -batch -config "$C/ca.cnf" -cert "$C/ca.pem" -keyfile "$C/ca.key" -startdate 20240101000000Z \
	-enddate 20250101000000Z -in "$C/old.csr" -out "$C/old.pem" -notext 2>/dev/null
openssl pkcs12 -export -inkey "$C/old.key" -in "$C/old.pem" -passout pass:x -out "$C/old.p12" 2>/dev/null
SIGN_B_ID=B220000000
sleep 1 # B is issued after A: the newer certificate
openssl req -newkey rsa:2048 -nodes -keyout "$C/b.key" -subj "/C=TW/CN=$SIGN_B_ID-00-PC001" -out "$C/b.csr" 2>/dev/null
openssl ca -batch -config "$C/ca.cnf" -cert "$C/ca.pem" -keyfile "$C/ca.key" \
	-enddate 20401231000000Z -in "$C/b.csr" -out "$C/b.pem" -notext 2>/dev/null
openssl pkcs12 -export -inkey "$C/b.key" -in "$C/b.pem" -passout pass:x -out "$C/b.p12" 2>/dev/null
ok $? "B's certificate, newer than A's, issued by the RA's CA"
export SIGN_B_ID SIGN_B_P12=$C/b.p12 SIGN_NSSDB=$H/.pki/nssdb SIGN_RA_CA=$RA_CA
FF=$H/.mozilla/firefox
for p in expired empty nokey; do
	mkdir -p "$FF/e2e.$p" && certutil -N -d "sql:$FF/e2e.$p" --empty-password
done
pk12util -i "$C/old.p12" -d "sql:$FF/e2e.expired" -W x >/dev/null
certutil -L -d "sql:$H/.pki/nssdb" -n "$ID-00-PC001" -a >"$TMP/current.pem"
certutil -A -d "sql:$FF/e2e.nokey" -n current -t ,, -i "$TMP/current.pem"
i=1
for p in expired empty nokey; do
	printf '[Profile%d]\nName=%s\nIsRelative=1\nPath=e2e.%s\n\n' "$i" "$p" "$p" >>"$FF/profiles.ini"
	i=$((i + 1))
done
is "$(echo '{"id":1,"cmd":"stores"}' | HOME=$H "$BUILD/ecm" session 2>/dev/null | jq '.result.stores | length')" 5 \
	"five stores: Chromium's and four Firefox profiles"

chrome_manifest "$TMP/profile" "$(wrapper host.sh "$H")"
{ node tests/sign/chromium-sign.mjs 2>"$TMP/node-stderr.log"; echo "#exit $?"; } >"$TMP/node.out"
while IFS= read -r line; do
	case $line in
	"ok - "*) ok 0 "${line#ok - }" ;;
	"not ok - "*) ok 1 "${line#not ok - }" ;;
	"#exit "*) ;;
	*) printf '%s\n' "$line" ;;
	esac
done <"$TMP/node.out"
grep -q '^#exit 0$' "$TMP/node.out"; ok $? "chromium-sign.mjs ran to the end"
grep -q '^#exit 0$' "$TMP/node.out" || sed 's/^/# stderr: /' "$TMP/node-stderr.log" | tail -n 30
# ---- Firefox ESR: the content-script path
if [ -x /usr/bin/firefox-esr ] && [ -d tests/e2e/node_modules/puppeteer-core ]; then
	firefox_manifest "$H" "$(wrapper host-ff.sh "$H")"
	{ HOME=$H MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1 node tests/sign/firefox-sign.mjs 2>"$TMP/ff-stderr.log"; echo "#exit $?"; } >"$TMP/ff.out"
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		"#exit "*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$TMP/ff.out"
	grep -q '^#exit 0$' "$TMP/ff.out"; ok $? "firefox-sign.mjs ran to the end"
	grep -q '^#exit 0$' "$TMP/ff.out" || sed 's/^/# stderr: /' "$TMP/ff-stderr.log" | tail -n 30
else
	echo "ok $((_tap_n + 1)) # SKIP Firefox ESR or puppeteer-core missing"
	_tap_n=$((_tap_n + 1))
fi
! grep -qE 'Sanitizer|runtime error:' "$TMP/host-stderr.log" 2>/dev/null
ok $? "no sanitizer report from the host processes Chromium started"
done_testing
