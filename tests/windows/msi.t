#!/usr/bin/env bash
# The MSI built with wixl from the real ecm-host.exe, ecm.exe and DLLs, installed with Wine's msiexec: a machine
# install registers the native-messaging host for Chrome, Chromium, Edge and Firefox under HKLM, a per-user one
# under HKCU (checked with `wine reg query`); the installed host answers through a pipe (its DLLs came with it);
# uninstalling removes the keys and the files.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecm-win-msi.XXXXXX")
trap 'win_cleanup; rm -rf "$tmp"' EXIT
NAME=org.ecertmanager.host
FT=tests/host/frame-tool.pl
KEYS='Google\Chrome Chromium Microsoft\Edge Mozilla'

command -v wixl >/dev/null || win_skip_all "wixl not installed (tests/deps/apt-installer.txt)"
make -s windows-msi >"$tmp/msi.log" 2>&1
ok $? "make windows-msi builds the MSI from the Windows build"
MSI=$WIN/ecert-manager.msi
files=$(msiinfo export "$MSI" File 2>/dev/null | awk -F'\t' 'NR > 3 { print $3 }' | sort | tr '\n' ' ')
# softokn3, freebl3 and the SQLite DLL are loaded by NSS at run time: no import table names them.
for f in ecm-host.exe ecm.exe nss3.dll softokn3.dll freebl3.dll sqlite3.dll nspr4.dll; do
	like "$files" "(^| )$f " "the MSI carries $f"
done
mkdir -p "$tmp/x" && (cd "$tmp/x" && msiextract "$OLDPWD/$MSI" >/dev/null 2>&1)
cmp -s "$(find "$tmp/x" -name ecm-host.exe | head -1)" "$WIN/ecm-host.exe"
ok $? "its ecm-host.exe is the one built here"

# reg_value ROOT KEY: the default value of ROOT\SOFTWARE\KEY\NativeMessagingHosts\NAME, or "none".
reg_value() {
	local v
	v=$(timeout 60 "$WINE" reg query "$1\\SOFTWARE\\$2\\NativeMessagingHosts\\$NAME" /ve 2>/dev/null | tr -d '\r' |
		awk -F'REG_SZ' 'NF > 1 { sub(/^[ \t]+/, "", $2); print $2 }')
	echo "${v:-none}"
}
msiexec() { timeout 300 "$WINE" msiexec "$@" >/dev/null 2>&1; }
msi_win=$(win_path "$PWD/$MSI")

# ---- machine install
msiexec /i "$msi_win" /qn
ok $? "msiexec /i installs it (machine)"
for k in $KEYS; do
	t=chrome; [ "$k" = Mozilla ] && t=firefox
	like "$(reg_value HKLM "$k")" "e-Cert Manager\\\\$NAME\\.$t\\.json\$" "HKLM $k names the installed $t manifest"
done
manifest=$(timeout 60 "$WINE" winepath -u "$(reg_value HKLM 'Google\Chrome')" 2>/dev/null | tr -d '\r')
is "$(jq -r .path "$manifest" 2>&1)" ecm-host.exe "the installed Chrome manifest names ecm-host.exe beside it"
host_exe=$(dirname "$manifest")/ecm-host.exe
out=$(printf '{"id":1,"cmd":"hello"}\n' | perl $FT encode | timeout 60 "$WINE" "$host_exe" \
	chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/ 2>/dev/null | perl $FT decode)
is "$(jq -r '"\(.ok) \(.result.platform)"' <<<"$out")" "true windows" "the installed ecm-host.exe answers hello through a pipe"
out=$(printf '{"id":1,"cmd":"stores"}\n' | timeout 60 "$WINE" "$(dirname "$host_exe")/ecm.exe" session 2>/dev/null | tail -1)
is "$(jq -r .ok <<<"$out")" true "the installed ecm.exe runs a command that loads NSS (its DLLs were installed)"
# OpenSSL's legacy provider (built in here; ossl-modules\legacy.dll in an MSYS2 build): an RC2-40 .pfx imports.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/l.key" -out "$tmp/l.pem" -subj /CN=A123456789-00-PC001 -days 2 2>/dev/null
openssl pkcs12 -export -legacy -inkey "$tmp/l.key" -in "$tmp/l.pem" -passout pass:legacy-pw -out "$tmp/l.pfx" 2>/dev/null
win_reset_my
out=$(printf '{"id":1,"cmd":"import","args":{"path":"%s","password":"legacy-pw"}}\n' "$tmp/l.pfx" |
	timeout 60 "$WINE" "$(dirname "$host_exe")/ecm.exe" session 2>/dev/null | tail -1)
is "$(jq -r '.result.status // .error.code' <<<"$out")" installed "the installed ecm.exe reads a legacy RC2 .pfx"
win_reset_my
msiexec /x "$msi_win" /qn
ok $? "msiexec /x uninstalls it"
for k in $KEYS; do
	is "$(reg_value HKLM "$k")" none "uninstall removes HKLM $k"
done
ok "$([ ! -e "$host_exe" ]; echo $?)" "uninstall removes ecm-host.exe"

# ---- per-user install
msiexec /i "$msi_win" /qn 'ALLUSERS=""'
ok $? 'msiexec /i installs it per user (ALLUSERS="")'
for k in $KEYS; do
	t=chrome; [ "$k" = Mozilla ] && t=firefox
	like "$(reg_value HKCU "$k")" "$NAME\\.$t\\.json\$" "HKCU $k names the $t manifest"
	is "$(reg_value HKLM "$k")" none "a per-user install writes nothing under HKLM $k"
done
msiexec /x "$msi_win" /qn 'ALLUSERS=""'
ok $? "msiexec /x uninstalls the per-user install"
for k in $KEYS; do
	is "$(reg_value HKCU "$k")" none "uninstall removes HKCU $k"
done
# ---- upgrade: v1, then v2 (a major upgrade: v1 is removed), then uninstall with a rebuilt v2. The broker's
# config.json, edited after v1, survives both (Permanent + NeverOverwrite, set by build-msi.sh).
build() { installer/windows/build-msi.sh "$1" "$WIN" installer/debian/config.json "$2" >>"$tmp/msi.log" 2>&1; }
pc() { msiinfo export "$1" Property 2>/dev/null | tr -d '\r' | awk -F'\t' '$1 == "ProductCode" { print $2 }'; }
uninst() { # the DisplayVersion Windows Installer registered for product code $1, or "none"
	local v
	v=$(timeout 60 "$WINE" reg query "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$1" /v DisplayVersion 2>/dev/null |
		tr -d '\r' | awk '/DisplayVersion/ { print $NF }')
	echo "${v:-none}"
}
build 0.1.0 "$tmp/v1.msi" && build 0.2.0 "$tmp/v2.msi" && build 0.2.0 "$tmp/v2-rebuilt.msi"
ok $? "v1 (0.1.0), v2 (0.2.0) and v2 again built"
P1=$(pc "$tmp/v1.msi") P2=$(pc "$tmp/v2.msi")
ok "$([ -n "$P1" ] && [ "$P1" != "$P2" ]; echo $?)" "each version is its own product ($P1, $P2)"
is "$(pc "$tmp/v2-rebuilt.msi")" "$P2" "a rebuild of the same version is the same product"
is "$(msiinfo export "$tmp/v2.msi" Upgrade 2>/dev/null | tr -d '\r' | awk -F'\t' '$NF == "WIX_UPGRADE_DETECTED" { print $1 }')" \
	"{AC360AE1-2E06-4D7D-B02C-41E59835C709}" "v2 finds older versions by the UpgradeCode (Upgrade table)"
CONF=$(win_unix_env ProgramData)/ecert-manager/config.json
rm -f "$CONF"
msiexec /i "$(win_path "$tmp/v1.msi")" /qn
ok $? "v1 installs"
is "$(uninst "$P1")" 0.1.0 "Windows Installer has v1 registered"
ok "$([ -s "$CONF" ]; echo $?)" "v1 installed the broker's config.json"
jq '. + {broker_edit: "kept"}' "$CONF" >"$tmp/c.json" && cp "$tmp/c.json" "$CONF"
msiexec /i "$(win_path "$tmp/v2.msi")" /qn
ok $? "v2 installs over it"
is "$(uninst "$P1") $(uninst "$P2")" "none 0.2.0" "v1 is gone, v2 registered (major upgrade)"
like "$(reg_value HKLM 'Google\Chrome')" "org.ecertmanager.host.chrome.json\$" "the Chrome key is still there after the upgrade"
ok "$([ -f "$host_exe" ]; echo $?)" "ecm-host.exe is installed"
is "$(jq -r .broker_edit "$CONF" 2>&1)" kept "the edited config.json is kept across the upgrade"
msiexec /x "$(win_path "$tmp/v2-rebuilt.msi")" /qn
ok $? "msiexec /x with a rebuilt v2 uninstalls"
is "$(uninst "$P2")" none "v2 is no longer registered"
is "$(reg_value HKLM 'Google\Chrome')" none "its keys are removed"
ok "$([ ! -e "$host_exe" ]; echo $?)" "its files are removed"
is "$(jq -r .broker_edit "$CONF" 2>&1)" kept "the broker's config.json stays after uninstall"
rm -f "$CONF"
done_testing
