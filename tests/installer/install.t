#!/bin/bash
# installer/install.sh into a temporary HOME (--user) and a temporary root (--system --root): every manifest is
# where its browser looks, valid JSON, with an absolute executable host path and the right IDs; the host finds
# the installed configuration; uninstall leaves exactly what was there before.
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"

NAME=org.ecertmanager.host
ORIGIN=chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/
GECKO=ecert-manager@ecertmanager.org


work=$(mktemp -d "${TMPDIR:-/tmp}/ecm-install-t.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# The real host when it is built, else a stand-in: the installer only needs an executable.
host=$top/build/ecm-host
if [ ! -x "$host" ]; then
	host=$work/ecm-host
	printf '#!/bin/sh\nexit 0\n' >"$host" && chmod 755 "$host"
fi

# A broker's configuration and CA bundle, as a broker would hand them out.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/broker-ca.pem" -days 1 \
	-subj /CN=test-broker-ca >/dev/null 2>&1
cat >"$work/config.json" <<EOF
{ "est_url": "https://ra.example.test/est", "api_url": "https://ra.example.test/api",
  "ra_ca_file": "broker-ca.pem", "allowed_callers": ["$ORIGIN", "$GECKO"] }
EOF

snapshot() { (cd "$1" && find . -print0 | sort -z | xargs -0 stat -c '%n %s %a' 2>/dev/null) }

# check_manifest FILE KIND(c|f) WHAT
check_manifest() {
	local f=$1 kind=$2 what=$3 path
	[ -f "$f" ]; ok $? "$what: manifest at ${f#"$work"/}"
	jq -e . "$f" >/dev/null 2>&1; ok $? "$what: valid JSON"
	is "$(jq -r .name "$f")" "$NAME" "$what: name"
	is "$(jq -r .type "$f")" stdio "$what: type stdio"
	path=$(jq -r .path "$f")
	like "$path" '^/' "$what: host path is absolute"
	[ -x "$4$path" ] && [ -f "$4$path" ]; ok $? "$what: host path is an executable file"
	if [ "$kind" = c ]; then
		is "$(jq -c .allowed_origins "$f")" "[\"$ORIGIN\"]" "$what: allowed_origins"
		jq -e 'all(.allowed_origins[]; endswith("/"))' "$f" >/dev/null; ok $? "$what: origins end with /"
		is "$(jq -r 'has("allowed_extensions")' "$f")" false "$what: no allowed_extensions"
	else
		is "$(jq -c .allowed_extensions "$f")" "[\"$GECKO\"]" "$what: allowed_extensions"
		is "$(jq -r 'has("allowed_origins")' "$f")" false "$what: no allowed_origins"
	fi
}

hello() { # hello HOST ARGS...: one framed hello (length < 128), prints the reply's JSON
	local req=${REQ:-'{"id":1,"cmd":"hello"}'} len
	len=$(printf '\\x%02x' ${#req})
	# shellcheck disable=SC2059 # the length byte is an escape built above
	{ printf "$len\\x00\\x00\\x00"; printf %s "$req"; } |
		env -u ECM_CONFIG -u XDG_CONFIG_HOME HOME="$home" "$@" | tail -c +5
}

# ---- per user, temporary HOME ----
home=$work/home
mkdir -p "$home/.config" "$home/.mozilla"
echo keep >"$home/.config/unrelated.txt"
before=$(snapshot "$home")

out=$(env -u XDG_CONFIG_HOME HOME="$home" "$top/installer/install.sh" --user --host "$host" \
	--config "$work/config.json" --ca "$work/broker-ca.pem" 2>&1)
rc=$?; ok $rc "user install succeeds"
[ $rc -eq 0 ] || diag "$out"
cfg=$home/.config
for d in google-chrome chromium microsoft-edge BraveSoftware/Brave-Browser vivaldi; do
	check_manifest "$cfg/$d/NativeMessagingHosts/$NAME.json" c "user $d" ""
done
check_manifest "$home/.mozilla/native-messaging-hosts/$NAME.json" f "user firefox" ""
lib=$home/.local/lib/ecert-manager
is "$(jq -r .path "$cfg/chromium/NativeMessagingHosts/$NAME.json")" "$lib/ecm-host" "user host path is ~/.local/lib/ecert-manager/ecm-host"
cmp -s "$work/config.json" "$lib/config.json"; ok $? "user config beside the host"
cmp -s "$work/broker-ca.pem" "$lib/broker-ca.pem"; ok $? "user CA bundle beside the config"
if [ "$host" = "$top/build/ecm-host" ]; then
	like "$(hello "$lib/ecm-host" "$ORIGIN")" "\"file\":\"$lib/config.json\"" "installed host reads the installed config"
	like "$(hello "$lib/ecm-host" "$home/.mozilla/native-messaging-hosts/$NAME.json" "$GECKO")" '"ok":true' \
		"installed host lets the Firefox ID in"
	like "$(hello "$lib/ecm-host" chrome-extension://abcdefghijklmnopabcdefghijklmnop/)" CALLER_NOT_ALLOWED \
		"installed host refuses another extension"
	like "$(REQ='{"id":2,"cmd":"stores"}' hello "$lib/ecm-host" "$ORIGIN")" '"ok":true,"result":\{"stores"' \
		"installed host loads its engine from beside it"
fi

out=$(env -u XDG_CONFIG_HOME HOME="$home" "$top/installer/install.sh" --user --host "$host" 2>&1)
ok $? "user reinstall without --config succeeds"
[ -f "$lib/config.json" ]; ok $? "reinstall keeps the installed config"

mkdir -p "$home/.config/chromium/Default" && echo mine >"$home/.config/chromium/Default/Prefs"
out=$(env -u XDG_CONFIG_HOME HOME="$home" "$top/installer/install.sh" --user --uninstall 2>&1)
ok $? "user uninstall succeeds"
like "$out" "kept .*/chromium \(not empty\)" "uninstall keeps a folder the browser filled"
rm -rf "$home/.config/chromium"
is "$(snapshot "$home")" "$before" "user uninstall leaves HOME as it was"
env -u XDG_CONFIG_HOME HOME="$home" "$top/installer/install.sh" --user --uninstall >/dev/null 2>&1
ok $((! $?)) "second uninstall fails: nothing to uninstall"

# XDG_CONFIG_HOME moves the Chrome family's user folders, not Firefox's.
out=$(XDG_CONFIG_HOME="$home/xdg" HOME="$home" "$top/installer/install.sh" --host "$host" 2>&1)
ok $? "user install with XDG_CONFIG_HOME"
[ -f "$home/xdg/chromium/NativeMessagingHosts/$NAME.json" ] && [ -f "$home/.mozilla/native-messaging-hosts/$NAME.json" ]
ok $? "XDG_CONFIG_HOME used for Chrome family, ~/.mozilla for Firefox"
XDG_CONFIG_HOME="$home/xdg" HOME="$home" "$top/installer/install.sh" --uninstall >/dev/null 2>&1
is "$(snapshot "$home")" "$before" "uninstall after XDG install leaves HOME as it was"

# ---- system-wide, temporary root ----
root=$work/root
mkdir -p "$root/etc/opt" "$root/usr/lib"
before=$(snapshot "$root")
out=$(env HOME="$home" "$top/installer/install.sh" --system --root "$root" --host "$host" \
	--config "$work/config.json" --ca "$work/broker-ca.pem" 2>&1)
rc=$?; ok $rc "system install succeeds"
[ $rc -eq 0 ] || diag "$out"
for d in /etc/opt/chrome/native-messaging-hosts /etc/chromium/native-messaging-hosts \
    /etc/opt/edge/native-messaging-hosts /etc/opt/vivaldi/native-messaging-hosts; do
	check_manifest "$root$d/$NAME.json" c "system $d" "$root"
done
check_manifest "$root/usr/lib/mozilla/native-messaging-hosts/$NAME.json" f "system firefox" "$root"
is "$(jq -r .path "$root/etc/chromium/native-messaging-hosts/$NAME.json")" /usr/local/lib/ecert-manager/ecm-host \
	"system manifest names the host without the staging root"
cmp -s "$work/config.json" "$root/etc/ecert-manager/config.json"; ok $? "system config in /etc/ecert-manager"
[ -f "$root/etc/ecert-manager/broker-ca.pem" ]; ok $? "system CA bundle in /etc/ecert-manager"
out=$(HOME="$work/ecm-home" ECM_CONFIG="$work/config.json" "$root/usr/local/bin/ecm" stores 2>&1)
ok $? "the installed ecm loads its engine from ../lib/ecert-manager"
[ $? -eq 0 ] || diag "$out"
[ ! -e "$home/.config/chromium" ]; ok $? "system install writes nothing in HOME"
out=$("$top/installer/install.sh" --system --root "$root" --uninstall 2>&1)
ok $? "system uninstall succeeds"
is "$(snapshot "$root")" "$before" "system uninstall leaves the root as it was"

# DESTDIR works like --root; --prefix moves the host.
out=$(DESTDIR="$root" "$top/installer/install.sh" --system --prefix /opt/ecm --host "$host" 2>&1)
ok $? "system install with DESTDIR and --prefix"
is "$(jq -r .path "$root/usr/lib/mozilla/native-messaging-hosts/$NAME.json")" /opt/ecm/lib/ecert-manager/ecm-host \
	"--prefix moves the host path in the manifests"
DESTDIR="$root" "$top/installer/install.sh" --system --prefix /opt/ecm --uninstall >/dev/null 2>&1
is "$(snapshot "$root")" "$before" "DESTDIR uninstall leaves the root as it was"

# Refusals.
HOME=relative "$top/installer/install.sh" --host "$host" >/dev/null 2>&1
ok $((! $?)) "refuses a relative HOME"
"$top/installer/install.sh" --system --root "$root" --host "$work/nonexistent" >/dev/null 2>&1
ok $((! $?)) "refuses a missing host"
is "$(snapshot "$root")" "$before" "a refused install writes nothing"

done_testing
