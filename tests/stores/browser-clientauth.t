#!/usr/bin/env bash
# Installed means usable: the host imports a .pfx and installs it into ~/.pki/nssdb and a Firefox profile of a
# fake HOME; then real headless Chromium and Firefox ESR, using exactly those databases, present the certificate
# to `openssl s_server -Verify 1` on 127.0.0.1, and the server's page shows the client certificate's serial.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$root/tests/lib/tap.sh"
ECM=$(cd "$root" && realpath "${ECM_BUILD:-build}/ecm")
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-clientauth.XXXXXX")
policy=/etc/chromium/policies/managed/ecm-clientauth-test-$$.json
srv_pid=
finish() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -f "$policy"; rm -rf "$T"; }
trap finish EXIT
export ECM_CONFIG=$T/config.json
echo '{}' > "$ECM_CONFIG"
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1)

cd "$T" || exit 1
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/C=TW/O=Test CA/CN=Test Issuing CA" -days 30
ossl req -x509 -newkey rsa:2048 -nodes -keyout srv.key -out srv.pem -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" -days 30
ossl req -newkey rsa:2048 -nodes -keyout u.key -out u.csr -subj "/C=TW/O=Broker/CN=A123456789-00-00::PCC005"
printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' > ext.cnf
ossl x509 -req -in u.csr -CA ca.pem -CAkey ca.key -set_serial 0x5EC1A7 -days 30 -extfile ext.cnf -out u.pem
ossl pkcs12 -export -inkey u.key -in u.pem -certfile ca.pem -passout pass:pfx-pass-1 -out u.pfx

H=$T/home
mkdir -p "$H/.mozilla/firefox"
printf '[Profile0]\nName=default\nIsRelative=1\nPath=ff.default\nDefault=1\n' > "$H/.mozilla/firefox/profiles.ini"
req() { printf '{"id":1,"cmd":"%s","args":%s}\n' "$1" "$2" | HOME=$H XDG_CONFIG_HOME=$H/.config "$ECM" session | tail -n 1; }
r=$(req import "{\"path\":\"$T/u.pfx\",\"password\":\"pfx-pass-1\"}")
is "$(jq -r .result.status <<<"$r")" installed "host imported the .pfx into ~/.pki/nssdb"
r=$(req install '{}')
is "$(jq -r '.result.results[] | select(.store=="firefox:home:ff.default") | .status' <<<"$r")" installed "host installed it into a Firefox profile never started"

port=$(( 20000 + RANDOM % 20000 ))
openssl s_server -accept "$port" -cert srv.pem -key srv.key -Verify 1 -CAfile ca.pem -www > s_server.log 2>&1 &
srv_pid=$!
sleep 0.5
url="https://127.0.0.1:$port/"
serial_re='Serial Number: [0-9]+ \(0x5ec1a7\)'

# --- Chromium ---------------------------------------------------------------------------------------------
if [ ! -x /usr/lib/chromium/chromium ] || ! mkdir -p "$(dirname "$policy")" 2>/dev/null; then
	echo "ok 3 # SKIP Chromium missing or its managed policy folder is not writable"; _tap_n=3
else
	# The only headless way to auto-select a client certificate: the managed policy (needs root; CI runs as root).
	printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"https://127.0.0.1:%s\\",\\"filter\\":{}}"]}\n' "$port" > "$policy"
	page=$(cd "$here" && HOME=$H timeout 60 node chromium-clientauth.mjs "$url" "$T/chromium-profile" 2>"$T/chromium.err")
	like "$page" "$serial_re" "Chromium presented the host-installed certificate (server saw serial 5EC1A7)"
	[ -n "$page" ] || diag "$(tail -5 "$T/chromium.err")"
	rm -f "$policy"
fi

# --- Firefox ESR ------------------------------------------------------------------------------------------
if ! command -v firefox-esr >/dev/null || ! perl -MFirefox::Marionette -e1 2>/dev/null; then
	echo "ok $((_tap_n + 1)) # SKIP firefox-esr or Firefox::Marionette missing"; _tap_n=$((_tap_n + 1))
else
	printf 'user_pref("security.default_personal_cert", "Select Automatically");\n' > "$H/.mozilla/firefox/ff.default/user.js"
	page=$(HOME=$H MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1 timeout 90 perl "$here/firefox-clientauth.pl" "$url" 2>"$T/firefox.err")
	like "$page" "$serial_re" "Firefox ESR presented the host-installed certificate (server saw serial 5EC1A7)"
	[ -n "$page" ] || diag "$(tail -5 "$T/firefox.err")"
fi
done_testing
