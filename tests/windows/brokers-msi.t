#!/usr/bin/env bash
# Two brokers' MSIs side by side under Wine (issue 21 item 2): each built by `make broker` is its own product
# (its UpgradeCode from its id, the same on every rebuild); both install into %ProgramData%\ecert-manager\brokers
# with HKLM\Software\ecert-manager\Brokers\<id> naming the profile (`wine reg query`); uninstalling one leaves
# the other's files and key; the Windows build's ecm.exe lists the installed brokers (`ecm brokers`, reading
# %ProgramData%). The Chrome policy template imports with `reg import` and sets the force-install list.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
. tests/lib/broker-packages.sh
command -v wixl >/dev/null || win_skip_all "wixl not installed (tests/deps/apt-installer.txt)"
win_setup
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecm-win-brokers.XXXXXX")
trap 'win_cleanup; rm -rf "$tmp"' EXIT

test_broker_profile brka "$tmp" && test_broker_profile brkb "$tmp"
ok $? "two test profiles with their own CAs"
A=$(make_broker "$tmp/brka/brka.json" "$tmp/make-a.log") && B=$(make_broker "$tmp/brkb/brkb.json" "$tmp/make-b.log")
ok $? "make broker for brka and brkb"
[ -d "$A" ] && [ -d "$B" ] || { diag "$(tail -20 "$tmp/make-a.log" "$tmp/make-b.log")"; done_testing; exit 1; }
version=$(jq -r .version extension/manifest.json)
msiA=$A/ecert-manager-broker-brka-$version.msi msiB=$B/ecert-manager-broker-brkb-$version.msi
[ -f "$msiA" ] && [ -f "$msiB" ]; ok $? "each broker's MSI"

prop() { msiinfo export "$1" Property 2>/dev/null | tr -d '\r' | awk -F'\t' -v k="$2" '$1 == k { print $2 }'; }
uA=$(prop "$msiA" UpgradeCode) uB=$(prop "$msiB" UpgradeCode)
ok "$([ -n "$uA" ] && [ "$uA" != "$uB" ] && [ "$uA" != "{AC360AE1-2E06-4D7D-B02C-41E59835C709}" ]; echo $?)" \
	"each broker has its own UpgradeCode, not the host's ($uA, $uB)"
cp "$msiA" "$tmp/a-first.msi"
A=$(make_broker "$tmp/brka/brka.json" "$tmp/make-a2.log")
is "$(prop "$msiA" UpgradeCode) $(prop "$msiA" ProductCode)" "$uA $(prop "$tmp/a-first.msi" ProductCode)" \
	"a rebuild keeps the UpgradeCode and ProductCode (derived from the id and version)"
files=$(msiinfo export "$msiA" File 2>/dev/null | awk -F'\t' 'NR > 3 { print $3 }' | sort | tr '\n' ' ')
is "$files" "brka.json icon.png ra-ca.pem " "brka's MSI carries its profile, icon and CA, nothing of the host"

# reg_profile ID: the Profile value of HKLM\Software\ecert-manager\Brokers\ID, or "none".
reg_profile() {
	local v
	v=$(timeout 60 "$WINE" reg query "HKLM\\Software\\ecert-manager\\Brokers\\$1" /v Profile 2>/dev/null | tr -d '\r' |
		awk -F'REG_SZ' 'NF > 1 { sub(/^[ \t]+/, "", $2); print $2 }')
	echo "${v:-none}"
}
msiexec() { timeout 300 "$WINE" msiexec "$@" >/dev/null 2>&1; }
DIR=$(win_unix_env ProgramData)/ecert-manager/brokers

msiexec /i "$(win_path "$msiA")" /qn && msiexec /i "$(win_path "$msiB")" /qn
ok $? "msiexec /i both brokers' MSIs"
for id in brka brkb; do
	like "$(reg_profile $id)" "ecert-manager\\\\brokers\\\\$id\\.json\$" "HKLM\\Software\\ecert-manager\\Brokers\\$id names its profile"
	f=$(timeout 60 "$WINE" winepath -u "$(reg_profile $id)" 2>/dev/null | tr -d '\r')
	is "$(jq -r '"\(.id) \(.ra_ca_file)"' "$f" 2>&1)" "$id $id/ra-ca.pem" "$id's installed profile is where the key says"
	cmp -s "$DIR/$id/ra-ca.pem" "$tmp/$id/ca.pem"; ok $? "$id's CA installed beside it ($id\\ra-ca.pem)"
done

# ecm_brokers: the ids `ecm.exe brokers` lists (the system folder: no ECM_BROKERS_DIR, no per-user profiles).
ecm_brokers() {
	env -u ECM_BROKERS_DIR -u ECM_CONFIG HOME="$tmp/home" "$WRAP/ecm" brokers 2>&1 | tr -d '\r' |
		awk -F'\t' '/^[a-z0-9]/ { print $1 }' | tr '\n' ' '
}
is "$(ecm_brokers)" "brka brkb " "ecm.exe brokers lists both installed brokers"
msiexec /x "$(win_path "$msiA")" /qn
ok $? "msiexec /x brka"
is "$(ecm_brokers)" "brkb " "ecm.exe brokers lists only brkb now"
is "$(reg_profile brka)" none "brka's key is gone"
ok "$([ ! -e "$DIR/brka.json" ] && [ ! -e "$DIR/brka" ]; echo $?)" "brka's profile and CA are gone"
like "$(reg_profile brkb)" 'brkb\.json$' "brkb's key remains"
ok "$([ -f "$DIR/brkb.json" ] && cmp -s "$DIR/brkb/ra-ca.pem" "$tmp/brkb/ca.pem"; echo $?)" "brkb's profile and CA remain"
msiexec /x "$(win_path "$msiB")" /qn
ok "$([ "$(reg_profile brkb)" = none ] && [ ! -e "$DIR/brkb.json" ]; echo $?)" "msiexec /x brkb removes the last one"

# The policy template: regedit's format, imported as an administrator would.
KEY='HKLM\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist'
timeout 60 "$WINE" reg import "$(win_path "$A/policies/chrome-extension-forcelist.reg")" >/dev/null 2>&1
ok $? "reg import chrome-extension-forcelist.reg"
like "$(timeout 60 "$WINE" reg query "$KEY" /v 1 2>/dev/null | tr -d '\r')" \
	'mainajikbmfkgohgpkhpgioaimbggpmo;REPLACE-WITH-CHROME-UPDATE-URL' \
	"the force-install list names the extension's ID and the update URL to fill in"
timeout 60 "$WINE" reg delete "$KEY" /f >/dev/null 2>&1
done_testing
