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
for f in ecm-host.exe ecm.exe nss3.dll softokn3.dll freebl3.dll nspr4.dll; do
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
done_testing
