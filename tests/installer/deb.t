#!/bin/bash
# make deb: the package's file list and metadata, its manifests, lintian, and a clean install / remove / purge
# in a throwaway root with dpkg --root (no chroot, no maintainer scripts: the package has none).
# DEB_T_MAKEFLAGS="-o build/ecm-host -o build/ecm" packages the binaries already built without remaking them.
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"

NAME=org.ecertmanager.host
BUILD=${BUILD:-build}
version=$(sed -n 's/^#define ECM_VERSION "\(.*\)"/\1/p' "$top/include/ecm/core.h")
arch=$(dpkg --print-architecture)
deb=$top/$BUILD/ecert-manager_${version}_$arch.deb


work=$(mktemp -d "${TMPDIR:-/tmp}/ecm-deb-t.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

out=$(cd "$top" && make ${DEB_T_MAKEFLAGS:-} deb BUILD="$BUILD" 2>&1)
rc=$?; ok $rc "make deb"
[ $rc -eq 0 ] || { diag "$(printf '%s' "$out" | tail -20)"; done_testing; exit 1; }
[ -f "$deb" ]; ok $? "built ${deb#"$top"/}"

# ---- file list ----
want="/etc/chromium/native-messaging-hosts/$NAME.json
/etc/ecert-manager/config.json
/etc/opt/chrome/native-messaging-hosts/$NAME.json
/etc/opt/edge/native-messaging-hosts/$NAME.json
/etc/opt/vivaldi/native-messaging-hosts/$NAME.json
/usr/bin/ecm
/usr/lib/ecert-manager/ecm-host
/usr/lib/ecert-manager/libecm-engine.so
/usr/lib/ecert-manager/libecm-ra.so
/usr/lib/mozilla/native-messaging-hosts/$NAME.json
/usr/share/doc/ecert-manager/changelog.gz
/usr/share/doc/ecert-manager/copyright
/usr/share/lintian/overrides/ecert-manager
/usr/share/man/man1/ecm.1.gz"
list=$(dpkg-deb -c "$deb")
got=$(printf '%s\n' "$list" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort)
is "$got" "$want" "file list"
like "$(printf '%s\n' "$list" | grep ' ./usr/lib/ecert-manager/ecm-host$')" '^-rwxr-xr-x root/root ' "host is 0755 root:root"
like "$(printf '%s\n' "$list" | grep ' ./usr/bin/ecm$')" '^-rwxr-xr-x root/root ' "ecm is 0755 root:root"
is "$(printf '%s\n' "$list" | awk '$2 != "root/root"' | wc -l)" 0 "everything owned by root:root"

# ---- metadata ----
is "$(dpkg-deb -f "$deb" Package)" ecert-manager "Package"
is "$(dpkg-deb -f "$deb" Version)" "$version" "Version from include/ecm/core.h"
is "$(dpkg-deb -f "$deb" Architecture)" "$arch" "Architecture"
like "$(dpkg-deb -f "$deb" Depends)" 'libc6' "Depends computed (libc6)"
like "$(dpkg-deb -f "$deb" Depends)" 'libcjson1' "Depends computed (libcjson1)"
dpkg-deb -e "$deb" "$work/DEBIAN"
like "$(cat "$work/DEBIAN/conffiles")" '^/etc/ecert-manager/config.json$' "config.json is a conffile"
is "$(grep -c native-messaging-hosts "$work/DEBIAN/conffiles")" 4 "manifests under /etc are conffiles"
(cd "$work" && mkdir x && dpkg-deb -x "$deb" x && cd x && md5sum --quiet -c ../DEBIAN/md5sums)
ok $? "md5sums match"

# ---- manifests ----
for f in etc/chromium etc/opt/chrome etc/opt/edge etc/opt/vivaldi; do
	m=$work/x/$f/native-messaging-hosts/$NAME.json
	is "$(jq -r .path "$m")" /usr/lib/ecert-manager/ecm-host "$f manifest names /usr/lib/ecert-manager/ecm-host"
	is "$(jq -c .allowed_origins "$m")" '["chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/"]' "$f allowed_origins"
done
m=$work/x/usr/lib/mozilla/native-messaging-hosts/$NAME.json
is "$(jq -r .path "$m")" /usr/lib/ecert-manager/ecm-host "Firefox manifest names the host"
is "$(jq -c .allowed_extensions "$m")" '["ecert-manager@ecertmanager.org"]' "Firefox allowed_extensions"
jq -e '.allowed_callers | length == 2' "$work/x/etc/ecert-manager/config.json" >/dev/null
ok $? "shipped config allows the Chrome and Firefox extension IDs"

# ---- lintian ----
lint=$(lintian "$deb" 2>&1 | grep -v 'running with root privileges')
is "$(printf '%s\n' "$lint" | grep -c '^E:')" 0 "lintian: no errors"
is "$(printf '%s\n' "$lint" | grep -c '^W:')" 0 "lintian: no warnings"
[ -z "$lint" ] || diag "$lint"

# ---- install, remove, purge in a throwaway root ----
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" "$root/var/log"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
snap() { (cd "$root" && find . -path ./var -prune -o -print | sort) }
before=$(snap)
dp() { dpkg --root="$root" --force-not-root --force-script-chrootless --force-depends \
	--log="$root/var/log/dpkg.log" "$@"; }

out=$(dp -i "$deb" 2>&1)
rc=$?; ok $rc "dpkg --root -i"
[ $rc -eq 0 ] || diag "$out"
like "$(dpkg --root="$root" -s ecert-manager 2>&1)" 'Status: install ok installed' "status: installed"
[ -x "$root/usr/lib/ecert-manager/ecm-host" ]; ok $? "host installed and executable"
req='{"id":1,"cmd":"hello"}'
reply=$({ printf '\x16\x00\x00\x00'; printf %s "$req"; } |
	ECM_CONFIG="$root/etc/ecert-manager/config.json" "$root/usr/lib/ecert-manager/ecm-host" \
	chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/ | tail -c +5)
like "$reply" '"ok":true' "installed host answers hello with the shipped config"
req='{"id":2,"cmd":"stores"}'
reply=$({ printf '\x17\x00\x00\x00'; printf %s "$req"; } |
	HOME=$work/deb-home ECM_CONFIG="$root/etc/ecert-manager/config.json" "$root/usr/lib/ecert-manager/ecm-host" \
	chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/ | tail -c +5)
like "$reply" '"ok":true,"result":\{"stores"' "installed host loads its engine for an NSS command"
# ecm in /usr/bin loads the engine from /usr/lib/ecert-manager (host/core/engine.c), and only from there
out=$(HOME=$work/deb-home ECM_CONFIG="$root/etc/ecert-manager/config.json" "$root/usr/bin/ecm" stores 2>&1)
ok $? "installed ecm runs an engine command from /usr/bin"
like "$out" 'nss:pki' "installed ecm lists the stores through its engine"
mkdir -p "$work/elsewhere" && cp "$root/usr/bin/ecm" "$work/elsewhere/ecm"
out=$(HOME=$work/deb-home ECM_CONFIG="$root/etc/ecert-manager/config.json" "$work/elsewhere/ecm" stores 2>&1)
rc=$?
[ $rc -ne 0 ]; ok $? "ecm copied away from its engine fails an engine command"
like "$out" 'cannot load .*libecm-engine\.so' "… and names the engine it could not load"

echo '{"allowed_callers": []}' >"$root/etc/ecert-manager/config.json"
out=$(dp -r ecert-manager 2>&1)
rc=$?; ok $rc "dpkg --root -r"
[ $rc -eq 0 ] || diag "$out"
[ ! -e "$root/usr/lib/ecert-manager" ] && [ ! -e "$root/usr/bin/ecm" ]; ok $? "remove deletes the binaries"
[ -f "$root/etc/ecert-manager/config.json" ]; ok $? "remove keeps the edited conffile"
out=$(dp -P ecert-manager 2>&1)
rc=$?; ok $rc "dpkg --root -P"
[ $rc -eq 0 ] || diag "$out"
is "$(snap)" "$before" "purge leaves the root as it was"
like "$(dpkg --root="$root" -s ecert-manager 2>&1)" 'not installed|is not installed' "status: not installed"

done_testing
