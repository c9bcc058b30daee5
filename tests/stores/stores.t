#!/usr/bin/env bash
# Stores: discovery over fake HOMEs, import / install / backup / query / cleanup / pick_file against real NSS
# databases, checked with certutil, pk12util and openssl. Everything is made at test time under a temp dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$root/tests/lib/tap.sh"
ECM=$(cd "$root" && realpath "${ECM_BUILD:-build}/ecm")
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-stores.XXXXXX")
bg_pids=()
cleanup_all() { for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup_all EXIT
[ -n "${ECM_KEEP:-}" ] && trap - EXIT
# A known OpenSSL leak (see lsan.supp); full stacks so the suppression can match them under sanitizers.
export LSAN_OPTIONS="suppressions=$here/../lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export ECM_CONFIG=$T/config.json XDG_CONFIG_HOME=$T/xdg-none
echo '{"pkcs12_iterations": 2048}' > "$ECM_CONFIG" # fast backups (PBKDF2 under ASan)

# --- fixtures: a CA, an RSA and a P-256 identity, .pfx files (AES and legacy) --------------------------------
cd "$T" || exit 1
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/C=TW/O=Test CA/CN=Test Issuing CA" -days 400
mkcert() { # mkcert NAME SERIAL KEYSPEC CN DAYS
	ossl req -newkey "$3" -nodes -keyout "$1.key" -out "$1.csr" -subj "/C=TW/O=Broker/OU=RA-Broker/CN=$4"
	printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' > ext.cnf
	ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$2" -days "$5" -extfile ext.cnf -out "$1.pem"
}
mkcert rsa 0x1A2B3C rsa:2048 "A123456789-00-00::PCC005" 300
ossl ecparam -name prime256v1 -out p256.par
mkcert ec 0x0ECC01 ec:p256.par "A123456789-00-01::PCC006" 365 # newer: what install picks later
ossl pkcs12 -export -inkey rsa.key -in rsa.pem -certfile ca.pem -passout pass:pfx-pass-1 -out rsa.pfx
ossl pkcs12 -export -legacy -inkey rsa.key -in rsa.pem -passout pass:legacy-pw -out legacy.pfx
ossl pkcs12 -export -inkey ec.key -in ec.pem -passout pass:ec-pass-1 -out ec.pfx
openssl pkcs12 -info -in legacy.pfx -passin pass:legacy-pw -noout -legacy 2>&1 | grep -q 'RC2\|3DES\|TripleDES'
ok $? "fixture: legacy.pfx is RC2/3DES"

# --- a fake HOME with every kind of store -------------------------------------------------------------------
H=$T/home
mkdir -p "$H"
ffdb() { mkdir -p "$1" && certutil -N -d "sql:$1" --empty-password; }
FF=$H/.mozilla/firefox
ffdb "$FF/abc.default-release"
mkdir -p "$FF/never.started"                     # a profile never started: no cert9.db yet
ffdb "$T/elsewhere/abs profile"                  # absolute path, with a space
ffdb "$FF/inst.only"                             # only in installs.ini
mkdir -p "$FF/locked.pw" && echo 'store-pw-1' > "$T/dbpw" && certutil -N -d "sql:$FF/locked.pw" -f "$T/dbpw"
ffdb "$FF/broken.db" && head -c 8192 /dev/urandom > "$FF/broken.db/cert9.db" && cp "$FF/broken.db/cert9.db" "$FF/broken.db/key4.db"
cat > "$FF/profiles.ini" <<INI
[General]
StartWithLastProfile=1
Version=2

[Profile0]
Name=default-release
IsRelative=1
Path=abc.default-release
Default=1

[Profile1]
Name=Absolute
IsRelative=0
Path=$T/elsewhere/abs profile

[Profile2]
Name=Never started
IsRelative=1
Path=never.started

[Profile3]
Name=Protected
IsRelative=1
Path=locked.pw

[Profile4]
Name=Broken
IsRelative=1
Path=broken.db

[Profile5]
Name=Escapes
IsRelative=1
Path=../../outside.profile

[Profile6]
Name=Not absolute
IsRelative=0
Path=cwd.profile
INI
ffdb "$H/outside.profile"                         # reachable only through ".." from the Firefox folder
cat > "$FF/installs.ini" <<INI
[4F96D1932A9F858E]
Default=abc.default-release
Locked=1

[8216C80C92C4E828]
Default=inst.only
INI
for d in "$H/snap/firefox/common/.mozilla/firefox" "$H/.var/app/org.mozilla.firefox/.mozilla/firefox" "$H/xdg/mozilla/firefox"; do
	ffdb "$d/p.default"
	printf '[Profile0]\nName=default\nIsRelative=1\nPath=p.default\n' > "$d/profiles.ini"
done
mkdir -p "$H/snap/chromium/current"
ecm() { HOME=$H XDG_CONFIG_HOME=$H/xdg "$ECM" session; }
req() { printf '{"id":1,"cmd":"%s","args":%s}\n' "$1" "${2:-{\}}" | ecm | tail -n 1; }

# --- hello does not load NSS --------------------------------------------------------------------------------
( printf '{"id":1,"cmd":"hello"}\n'; sleep 1 ) | HOME=$H "$ECM" session > hello.out & hp=$!
sleep 0.5
epid=$(pgrep -P "$hp" -x ecm || echo "$hp")
grep -q softokn "/proc/$epid/maps" 2>/dev/null; ok $((!$?)) "hello does not load the NSS softoken"
wait "$hp"

# --- stores -----------------------------------------------------------------------------------------------
out=$(req stores)
ids=$(jq -r '.result.stores[].id' <<<"$out" | sort | tr '\n' ' ')
is "$ids" "firefox:flatpak:p.default firefox:home:abc.default-release firefox:home:abs profile firefox:home:broken.db firefox:home:inst.only firefox:home:locked.pw firefox:home:never.started firefox:snap:p.default firefox:xdg:p.default nss:pki nss:snap-chromium " "stores: every profile, once (profiles.ini + installs.ini, snap, flatpak, XDG), Chrome family, snap Chromium"
jq -e '[.result.stores[] | select(.id | test("outside"))] | length == 0' <<<"$out" >/dev/null
ok $? "stores: a relative profile path with \"..\" is not followed out of the Firefox folder"
jq -e 'all(.result.stores[].path; startswith("/"))' <<<"$out" >/dev/null
ok $? "stores: an IsRelative=0 path that is not absolute is not read against the working folder"
is "$(jq -r '.result.stores[0] | "\(.id) \(.primary) \(.exists)"' <<<"$out")" "nss:pki true false" "stores: ~/.pki/nssdb is the primary store, not there yet"
is "$(jq -r '.result.stores[] | select(.id=="firefox:home:never.started") | "\(.exists) \(.profile)"' <<<"$out")" "false Never started" "stores: a profile never started is listed without a DB"
is "$(jq -r '.result.stores[] | select(.id=="firefox:home:abs profile") | .path' <<<"$out")" "$T/elsewhere/abs profile" "stores: absolute profile path"

# --- import -----------------------------------------------------------------------------------------------
out=$(req import "{\"path\":\"$T/rsa.pfx\",\"password\":\"wrong\"}")
is "$(jq -r .error.code <<<"$out")" PFX_WRONG_PASSWORD "import: wrong password -> PFX_WRONG_PASSWORD"
[ ! -e "$H/.pki/nssdb/cert9.db" ]; ok $? "import: a wrong password writes nothing"
out=$(req import "{\"path\":\"$T/legacy.pfx\",\"password\":\"legacy-pw\"}")
is "$(jq -r '.result | "\(.status) \(.store) \(.certificate.serial)"' <<<"$out")" "installed nss:pki 1A2B3C" "import: legacy (RC2/3DES) .pfx into ~/.pki/nssdb"
[ "$(stat -c %a "$H/.pki/nssdb")" = 700 ]; ok $? "import: ~/.pki/nssdb created 0700"
jq -e '.result.offer_install | length == 10' <<<"$out" >/dev/null; ok $? "import: offers install into the 10 other stores"
certutil -L -d "sql:$H/.pki/nssdb" | grep -q 'A123456789-00-00::PCC005 *u,u,u'; ok $? "import: certutil -L shows the certificate (u,u,u)"
certutil -K -d "sql:$H/.pki/nssdb" 2>/dev/null | grep -q 'rsa .*A123456789-00-00::PCC005'; ok $? "import: certutil -K shows the key under its nickname"
out=$(req import "{\"data\":\"$(base64 -w0 rsa.pfx)\",\"password\":\"pfx-pass-1\"}")
is "$(jq -r .result.status <<<"$out")" already_present "import: the same identity again (AES .pfx as base64 data) is already present"
is "$(certutil -L -d "sql:$H/.pki/nssdb" | grep -c 'u,u,u')" 1 "import: no duplicate"

# --- query ------------------------------------------------------------------------------------------------
out=$(req query)
is "$(jq -r '.result | "\(.source) \(.local.serial) \(.local.has_key) \(.server) \(.match)"' <<<"$out")" "store 1A2B3C true null false" "query: local certificate without login"

# --- install ----------------------------------------------------------------------------------------------
out=$(req install)
st() { jq -r --arg s "$1" '.result.results[] | select(.store==$s) | if .status=="failed" then .error.code else .status end' <<<"$out"; }
is "$(st nss:pki)" already_present "install: primary already has it"
for s in firefox:home:abc.default-release "firefox:home:abs profile" firefox:home:never.started firefox:home:inst.only firefox:snap:p.default firefox:flatpak:p.default firefox:xdg:p.default nss:snap-chromium; do
	is "$(st "$s")" installed "install: $s installed"
done
is "$(st firefox:home:locked.pw)" STORE_PASSWORD_REQUIRED "install: a password-protected DB answers STORE_PASSWORD_REQUIRED"
is "$(st firefox:home:broken.db)" STORE_CORRUPT "install: a corrupt DB answers STORE_CORRUPT, the others still done"
for d in "$FF/abc.default-release" "$T/elsewhere/abs profile" "$FF/never.started" "$FF/inst.only" "$H/snap/firefox/common/.mozilla/firefox/p.default" "$H/.var/app/org.mozilla.firefox/.mozilla/firefox/p.default" "$H/xdg/mozilla/firefox/p.default" "$H/snap/chromium/current/.pki/nssdb"; do
	l=$(certutil -L -d "sql:$d"); k=$(certutil -K -d "sql:$d" 2>/dev/null)
	grep -q 'PCC005 *u,u,u' <<<"$l" && grep -q 'rsa .*PCC005' <<<"$k"; ok $? "install: certutil -L/-K show cert and key in ${d#"$T"/}"
done
certutil -L -d "sql:$FF/locked.pw" | grep -q PCC005; ok $((!$?)) "install: nothing written into the protected DB"
out=$(req install '{"stores":["firefox:home:locked.pw"],"password_for":{"firefox:home:locked.pw":"nope"}}')
is "$(st firefox:home:locked.pw)" STORE_PASSWORD_WRONG "install: wrong store password -> STORE_PASSWORD_WRONG"
out=$(req install '{"stores":["firefox:home:locked.pw","no:such"],"password_for":{"firefox:home:locked.pw":"store-pw-1"}}')
is "$(st firefox:home:locked.pw) $(st no:such)" "installed STORE_NOT_FOUND" "install: with the store's password; an unknown id is STORE_NOT_FOUND"
certutil -K -d "sql:$FF/locked.pw" -f "$T/dbpw" 2>/dev/null | grep -q 'rsa .*PCC005'; ok $? "install: key in the protected DB"

# --- backup -----------------------------------------------------------------------------------------------
out=$(req backup "{\"path\":\"$T/b/aes.pfx\",\"password\":\"backup-pw-1\"}")
is "$(jq -r .result.path <<<"$out")" "$T/b/aes.pfx" "backup: written"
is "$(stat -c %a "$T/b/aes.pfx")" 600 "backup: mode 0600"
pk12util -l "$T/b/aes.pfx" -W backup-pw-1 2>&1 | grep -q 'Serial Number: 1715004'; ok $? "backup: pk12util -l reads it"
openssl pkcs12 -info -in "$T/b/aes.pfx" -passin pass:backup-pw-1 -nodes 2>/dev/null | grep -q 'BEGIN PRIVATE KEY'; ok $? "backup: openssl pkcs12 reads cert and key"
openssl pkcs12 -info -in "$T/b/aes.pfx" -passin pass:backup-pw-1 -noout 2>&1 | grep -q 'AES-256-CBC'; ok $? "backup: AES by default"
out=$(req backup "{\"path\":\"$T/b/aes.pfx\",\"password\":\"backup-pw-1\"}")
is "$(jq -r .error.code <<<"$out")" FILE_EXISTS "backup: no silent overwrite"
out=$(req backup "{\"path\":\"$T/b/compat.pfx\",\"password\":\"backup-pw-1\",\"compat\":true}")
openssl pkcs12 -info -in "$T/b/compat.pfx" -passin pass:backup-pw-1 -noout -legacy 2>&1 | grep -q 'TripleDES'; ok $? "backup: compat is 3DES"
pk12util -l "$T/b/compat.pfx" -W backup-pw-1 >/dev/null 2>&1; ok $? "backup: pk12util reads the compat file"
out=$(req backup '{"password":"backup-pw-1"}')
like "$(jq -r .result.path <<<"$out")" "^$H/ECM_A123456789_[0-9]{8}\\.pfx$" "backup: default path in the backup folder"
first=$(jq -r .result.path <<<"$out")
out=$(req backup '{"password":"backup-pw-2"}')
is "$(jq -r .result.path <<<"$out")" "${first%.pfx}-2.pfx" "backup: the default name never replaces a file (the apply's backup): -2 (issue 22 item 2)"
openssl pkcs12 -info -in "$first" -passin pass:backup-pw-1 -noout >/dev/null 2>&1; ok $? "backup: the first file still opens with its own password"
out=$(req backup '{"password":"short"}')
is "$(jq -r .error.code <<<"$out")" PASSWORD_TOO_WEAK "backup: short password refused"

# --- EC identity, concurrent writers and readers ----------------------------------------------------------
( while :; do certutil -L -d "sql:$H/.pki/nssdb" >/dev/null 2>&1; done ) & bg_pids+=($!)
( while :; do certutil -L -d "sql:$FF/abc.default-release" >/dev/null 2>&1; done ) & bg_pids+=($!)
out=$(req import "{\"path\":\"$T/ec.pfx\",\"password\":\"ec-pass-1\"}")
is "$(jq -r .result.status <<<"$out")" installed "import: P-256 identity while another process reads the same DB"
# Two hosts installing at once (the EC cert is now the newest with a key, so it is what install picks).
req install > inst1.json & a=$!
req install > inst2.json & b=$!
wait $a; wait $b
for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; bg_pids=()
bad=$(jq -s '[.[].result.results[] | select(.status=="failed") | .store] | unique | join(",")' -r inst1.json inst2.json)
is "$bad" "firefox:home:broken.db,firefox:home:locked.pw" "install x2 at once: no failures besides the broken and the protected DB"
for d in "$H/.pki/nssdb" "$FF/abc.default-release" "$H/xdg/mozilla/firefox/p.default"; do
	l=$(certutil -L -d "sql:$d"); k=$(certutil -K -d "sql:$d" 2>/dev/null)
	[ "$(grep -c 'u,u,u' <<<"$l")" = 2 ] && grep -q 'ec .*PCC006' <<<"$k" && grep -q 'rsa .*PCC005' <<<"$k"
	ok $? "concurrent: ${d#"$H"/} lists both certificates and both keys, once each"
	certutil -V -u C -n 'A123456789-00-01::PCC006' -d "sql:$d" 2>&1 | grep -qv 'corrupt\|SEC_ERROR_BAD_DATABASE'
	ok $? "concurrent: ${d#"$H"/} still answers certutil -V"
done

# --- cleanup ----------------------------------------------------------------------------------------------
out=$(req cleanup '{"serials":["0ECC01"]}')
n=$(jq '[.result.removed[] | select(.serial | ascii_upcase | ltrimstr("0") == "ECC01")] | length' <<<"$out")
[ "$n" -ge 9 ]; ok $? "cleanup: removed from every store holding it ($n)"
for d in "$H/.pki/nssdb" "$FF/abc.default-release"; do
	l=$(certutil -L -d "sql:$d"); k=$(certutil -K -d "sql:$d" 2>/dev/null)
	! grep -q PCC006 <<<"$l$k" && grep -q 'PCC005 *u,u,u' <<<"$l" && grep -q 'rsa .*PCC005' <<<"$k"
	ok $? "cleanup: ${d#"$H"/} lost only the named serial (cert and key)"
done
out=$(req cleanup '{}')
is "$(jq -r .error.code <<<"$out")" BAD_REQUEST "cleanup: nothing is removed without serials"
# Two certificates of one key (a re-issue on the same CSR): removing one keeps the key the other still uses.
H4=$T/shared-key-home; ffdb "$H4/.pki/nssdb"
ossl req -new -key rsa.key -out rsa2.csr -subj "/C=TW/O=Broker/OU=RA-Broker/CN=A123456789-00-02::PCC007"
ossl x509 -req -in rsa2.csr -CA ca.pem -CAkey ca.key -set_serial 0x2B3C4D -days 200 -extfile ext.cnf -out rsa2.pem
ossl pkcs12 -export -inkey rsa.key -in rsa2.pem -passout pass:pfx-pass-2 -out rsa2.pfx
pk12util -i rsa.pfx -d "sql:$H4/.pki/nssdb" -W pfx-pass-1 >/dev/null 2>&1 &&
	pk12util -i rsa2.pfx -d "sql:$H4/.pki/nssdb" -W pfx-pass-2 >/dev/null 2>&1
ok $? "cleanup fixture: two certificates sharing one key"
out=$(printf '{"id":1,"cmd":"cleanup","args":{"serials":["2B3C4D"]}}\n' | HOME=$H4 XDG_CONFIG_HOME=$H4/xdg "$ECM" session)
is "$(jq -r '.result.removed | length' <<<"$out")" 1 "cleanup: the shared-key certificate is removed"
l=$(certutil -L -d "sql:$H4/.pki/nssdb"); k=$(certutil -K -d "sql:$H4/.pki/nssdb" 2>/dev/null)
q=$(printf '{"id":1,"cmd":"query"}\n' | HOME=$H4 XDG_CONFIG_HOME=$H4/xdg "$ECM" session)
! grep -q PCC007 <<<"$l" && grep -q 'PCC005.*u,u,u' <<<"$l" && grep -q '> rsa ' <<<"$k" &&
	[ "$(jq -r '.result.local | "\(.serial) \(.has_key)"' <<<"$q")" = "1A2B3C true" ]
ok $? "cleanup: the certificate that stays keeps its (shared) key"

# --- query with a .pfx when the store has none ------------------------------------------------------------
H2=$T/empty-home; mkdir -p "$H2"
out=$(printf '{"id":1,"cmd":"query","args":{"pfx":{"path":"%s","password":"ec-pass-1"}}}\n' "$T/ec.pfx" | HOME=$H2 "$ECM" session)
is "$(jq -r '.result | "\(.source) \(.local.serial | ltrimstr("0")) \(.local.has_key)"' <<<"$out")" "pfx ECC01 true" "query: a .pfx when the store has none"
out=$(printf '{"id":1,"cmd":"query"}\n' | HOME=$H2 "$ECM" session)
is "$(jq -c '.result | [.local, .match]' <<<"$out")" '[null,false]' "query: empty store, no .pfx"

# --- pick_file --------------------------------------------------------------------------------------------
mkdir -p "$T/bin"
cat > "$T/bin/zenity" <<SH
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done > "$T/zenity.args"
[ -e "$T/cancel" ] && exit 1
echo "$T/picked file.pfx"
SH
chmod +x "$T/bin/zenity"
pick() { printf '{"id":1,"cmd":"pick_file","args":%s}\n' "$1" | env -u DISPLAY -u WAYLAND_DISPLAY "${@:2}" HOME=$H "$ECM" session; }
out=$(pick '{"mode":"open","default_path":"/tmp/a b;$(touch x)"}' PATH="$T/bin:/usr/bin:/bin" DISPLAY=:99)
is "$(jq -r .result.path <<<"$out")" "$T/picked file.pfx" "pick_file: the dialog's path"
grep -qxF -- '--filename=/tmp/a b;$(touch x)' "$T/zenity.args"; ok $? "pick_file: default path passed as one argv entry, no shell"
touch "$T/cancel"
out=$(pick '{"mode":"save"}' PATH="$T/bin:/usr/bin:/bin" DISPLAY=:99)
is "$(jq -r .error.code <<<"$out")" CANCELLED "pick_file: cancel -> CANCELLED"
grep -qx -- '--save' "$T/zenity.args"; ok $? "pick_file: save mode"
out=$(pick '{"mode":"open"}' PATH="$T/bin:/usr/bin:/bin")
is "$(jq -r .error.code <<<"$out")" NO_DIALOG "pick_file: no display -> NO_DIALOG"
out=$(pick '{"mode":"open"}' PATH="$T/none" DISPLAY=:99)
is "$(jq -r .error.code <<<"$out")" NO_DIALOG "pick_file: no dialog program -> NO_DIALOG"
mkdir -p "$T/longbin" && printf '#!/bin/sh\nhead -c 5000 /dev/zero | tr "\\0" a\n' >"$T/longbin/zenity" && chmod +x "$T/longbin/zenity"
out=$(pick '{"mode":"open"}' PATH="$T/longbin:/usr/bin:/bin" DISPLAY=:99)
is "$(jq -r '.result.path // .error.code' <<<"$out")" NO_DIALOG "pick_file: an answer cut at the output limit is not a path"
out=$(cd "$T/bin" && pick '{"mode":"open"}' PATH=".:/nonexistent" DISPLAY=:99)
is "$(jq -r .error.code <<<"$out")" NO_DIALOG "pick_file: a relative PATH entry is not searched"

done_testing
