#!/bin/bash
# Two brokers side by side on Debian (issue 21 item 2): `make broker` for two profiles, the host's .deb and both
# brokers' .debs installed with dpkg --root in a throwaway root, one broker removed (the other's profile and CA,
# the host and its manifests stay; Chromium still starts the host), the host upgraded (both profiles stay).
# Also: a bad profile is refused up front, naming its file and key; the package's metadata and lintian.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=../lib/tap.sh
. tests/lib/tap.sh
. tests/lib/broker-packages.sh

NAME=org.ecertmanager.host
work=$(mktemp -d "${TMPDIR:-/tmp}/ecm-brokers-t.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
arch=$(dpkg --print-architecture)

# ---- a bad profile stops the build before anything is built, naming the file and the key
test_broker_profile brka "$work" && test_broker_profile brkb "$work"
ok $? "two test profiles with their own CAs"
jq '.id = "Brk A"' "$work/brka/brka.json" >"$work/brka/bad-id.json"
out=$(make -s broker PROFILE="$work/brka/bad-id.json" 2>&1)
rc=$?
[ $rc -ne 0 ]; ok $? "make broker refuses a profile with a bad id"
like "$out" "bad-id\.json: key \"id\": must be" "… naming the file and the key"
jq 'del(.est_url)' "$work/brka/brka.json" >"$work/brka/no-est.json"
like "$(make -s broker PROFILE="$work/brka/no-est.json" 2>&1)" 'no-est\.json: key "est_url": missing' \
	"a profile without est_url: the file and the key"
like "$(make -s broker 2>&1)" 'usage: make broker PROFILE=FILE' "make broker without PROFILE says how"

# ---- build
A=$(make_broker "$work/brka/brka.json" "$work/make-a.log")
ok $? "make broker PROFILE=brka.json"
[ -d "$A" ] || { diag "$(tail -20 "$work/make-a.log")"; done_testing; exit 1; }
B=$(make_broker "$work/brkb/brkb.json" "$work/make-b.log")
ok $? "make broker PROFILE=brkb.json"
is "${A#"$top"/}" build/broker/brka "built into build/broker/<id>"
version=$(jq -r .version extension/manifest.json)
host_version=$(sed -n 's/^#define ECM_VERSION "\(.*\)"/\1/p' include/ecm/core.h)
debA=$A/ecert-manager-broker-brka_${version}_all.deb debB=$B/ecert-manager-broker-brkb_${version}_all.deb
host_deb=$A/ecert-manager_${host_version}_$arch.deb
[ -f "$debA" ] && [ -f "$debB" ]; ok $? "each broker's .deb, versioned as the extension ($version)"
[ -f "$host_deb" ]; ok $? "the host's .deb copied beside it"

# ---- the package: only the broker's profile and its files
want="/etc/ecert-manager/brokers/brka -> /usr/share/ecert-manager/brokers/brka
/etc/ecert-manager/brokers/brka.json -> /usr/share/ecert-manager/brokers/brka.json
/usr/share/doc/ecert-manager-broker-brka/changelog.gz
/usr/share/doc/ecert-manager-broker-brka/copyright
/usr/share/ecert-manager/brokers/brka.json
/usr/share/ecert-manager/brokers/brka/icon.png
/usr/share/ecert-manager/brokers/brka/ra-ca.pem"
got=$(dpkg-deb -c "$debA" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' |
	sed 's|-> \.|-> |' | sort)
is "$got" "$want" "brka's .deb holds its profile, CA and icon (linked from /etc/ecert-manager/brokers) and nothing else"
is "$(dpkg-deb -f "$debA" Package)/$(dpkg-deb -f "$debA" Architecture)/$(dpkg-deb -f "$debA" Depends)" \
	"ecert-manager-broker-brka/all/ecert-manager" "Package, Architecture all, Depends: ecert-manager"
mkdir -p "$work/x" && dpkg-deb -x "$debA" "$work/x"
p=$work/x/usr/share/ecert-manager/brokers/brka.json
is "$(jq -r '"\(.ra_ca_file) \(.icon)"' "$p")" "brka/ra-ca.pem brka/icon.png" \
	"the packaged profile's paths are rewritten, relative to its folder"
is "$(jq -c 'del(.ra_ca_file, .icon)' "$p")" "$(jq -c 'del(.ra_ca_file, .icon)' "$work/brka/brka.json")" \
	"… and the rest of it is the broker's profile as written"
cmp -s "$work/x/usr/share/ecert-manager/brokers/brka/ra-ca.pem" "$work/brka/ca.pem"; ok $? "the CA is the broker's"
lint=$(lintian "$debA" 2>&1 | grep -v 'running with root privileges')
is "$(printf '%s\n' "$lint" | grep -cE '^(E|W):')" 0 "lintian: no errors or warnings"
[ -z "$lint" ] || diag "$lint"

# ---- the macOS folder: the payload, and build-pkg.sh run against stand-ins for Apple's tools (they log their
# arguments and write the file asked for)
mac=$A/macos
cmp -s "$mac/root/Library/Application Support/ecert-manager/brokers/brka.json" "$p"
ok $? "macos/root puts the same profile in /Library/Application Support/ecert-manager/brokers"
mkdir -p "$work/apple"
for t in pkgbuild productbuild; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/apple.log"\nfor a; do last=$a; done\n: >"$last"\n' "$t" "$work" >"$work/apple/$t"
	chmod +x "$work/apple/$t"
done
out=$(PATH=$work/apple:$PATH "$mac/build-pkg.sh" 2>&1)
rc=$?; ok $rc "macos/build-pkg.sh runs (stand-ins for pkgbuild and productbuild)"
like "$(cat "$work/apple.log" 2>&1)" "^pkgbuild --root $mac/root --install-location / .*--identifier org\.ecertmanager\.broker\.brka --version $version " \
	"pkgbuild gets the payload, the broker's own identifier and the version"
[ -f "$A/ecert-manager-broker-brka-$version.pkg" ]; ok $? "productbuild writes ecert-manager-broker-brka-$version.pkg beside the others"

# ---- install the host and both brokers in a throwaway root
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" "$root/var/log"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
dp() { dpkg --root="$root" --force-not-root --force-script-chrootless --log="$root/var/log/dpkg.log" "$@"; }
out=$(dp -i "$debA" 2>&1)
[ $? -ne 0 ]; ok $? "a broker's .deb alone does not install: it depends on the host"
like "$out" 'depends on ecert-manager' "… dpkg says it needs ecert-manager"
dp -r ecert-manager-broker-brka >/dev/null 2>&1
out=$(dp --force-depends -i "$host_deb" 2>&1 && dp -i "$debA" "$debB" 2>&1)
rc=$?; ok $rc "dpkg --root -i the host, then both brokers"
[ $rc -eq 0 ] || diag "$out"
# installed ID: broker ID's link in /etc (absolute, so read under the root), its profile and its own CA are there.
installed() {
	[ "$(readlink "$root/etc/ecert-manager/brokers/$1.json")" = "/usr/share/ecert-manager/brokers/$1.json" ] &&
		[ "$(readlink "$root/etc/ecert-manager/brokers/$1")" = "/usr/share/ecert-manager/brokers/$1" ] &&
		jq -e --arg id "$1" '.id == $id' "$root/usr/share/ecert-manager/brokers/$1.json" >/dev/null 2>&1 &&
		cmp -s "$root/usr/share/ecert-manager/brokers/$1/ra-ca.pem" "$work/$1/ca.pem"
}
for id in brka brkb; do
	like "$(dpkg --root="$root" -s "ecert-manager-broker-$id" 2>&1)" 'Status: install ok installed' "$id installed"
	installed $id; ok $? "$id: /etc/ecert-manager/brokers/$id.json and $id/ link to its profile and CA"
done

# host_hello: the installed host's hello, with the installed profiles (their folder under the root).
host_hello() {
	{ printf '\x16\x00\x00\x00'; printf %s '{"id":1,"cmd":"hello"}'; } |
		HOME=$work/home ECM_CONFIG="$root/etc/ecert-manager/config.json" \
		ECM_BROKERS_DIR="$root/usr/share/ecert-manager/brokers" "$root/usr/lib/ecert-manager/ecm-host" \
		chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/ | tail -c +5
}
reply=$(host_hello)
is "$(jq -r .ok <<<"$reply" 2>&1)" true "the installed host answers hello"
if jq -e '.result | has("brokers")' <<<"$reply" >/dev/null 2>&1; then
	is "$(jq -r '[.result.brokers[].id] | join(" ")' <<<"$reply")" "brka brkb" "hello lists both installed brokers"
	is "$(jq -r '.result.broker_problems | length' <<<"$reply")" 0 "… with no problem in their profiles"
else
	diag "this host has no broker profiles yet (hello has no brokers): only the files are checked"
fi

# /etc/ecert-manager/brokers as the host reads it: the same links, made to point into the root.
view=$work/etc-view
mkdir -p "$view"
for l in "$root"/etc/ecert-manager/brokers/*; do ln -s "$root$(readlink "$l")" "$view/${l##*/}"; done
out=$(HOME=$work/home ECM_CONFIG="$root/etc/ecert-manager/config.json" ECM_BROKERS_DIR=$view \
	"$root/usr/bin/ecm" brokers 2>&1)
if [ "$(jq -r '.result | has("brokers")' <<<"$reply" 2>/dev/null)" = true ]; then
	is "$(printf '%s\n' "$out" | awk -F'\t' '/^[a-z]/ { print $1 }' | tr '\n' ' ')" "brka brkb " \
		"ecm brokers reads both profiles through /etc's links (file and folder)"
fi

# ---- remove one: only its own files go
out=$(dp -r ecert-manager-broker-brka 2>&1)
rc=$?; ok $rc "dpkg --root -r ecert-manager-broker-brka"
[ $rc -eq 0 ] || diag "$out"
[ ! -e "$root/etc/ecert-manager/brokers/brka.json" ] && [ ! -L "$root/etc/ecert-manager/brokers/brka.json" ] &&
	[ ! -e "$root/usr/share/ecert-manager/brokers/brka" ]
ok $? "brka's profile, link and CA are gone (removed, not left as conffiles)"
installed brkb; ok $? "brkb's profile, links and CA remain"
[ -x "$root/usr/lib/ecert-manager/ecm-host" ] && [ -f "$root/etc/ecert-manager/config.json" ]
ok $? "the host and its configuration remain"
for f in etc/chromium etc/opt/chrome etc/opt/edge usr/lib/mozilla; do
	[ -f "$root/$f/native-messaging-hosts/$NAME.json" ]; ok $? "the host's manifest in /$f remains"
done
reply=$(host_hello)
if jq -e '.result | has("brokers")' <<<"$reply" >/dev/null 2>&1; then
	is "$(jq -r '[.result.brokers[].id] | join(" ")' <<<"$reply")" brkb "hello lists only brkb now"
fi

# Chromium finds the installed host: the manifest from the root, in a user's NativeMessagingHosts (Chromium's
# system folder is the machine's /etc), its path moved under the root; the built extension asks for hello.
if [ -x /usr/bin/chromium ] && [ -d tests/e2e/node_modules/playwright-core ]; then
	profile=$work/chromium
	mkdir -p "$profile/NativeMessagingHosts" "$work/ext"
	jq --arg p "$root/usr/lib/ecert-manager/ecm-host" '.path = $p' \
		"$root/etc/chromium/native-messaging-hosts/$NAME.json" >"$profile/NativeMessagingHosts/$NAME.json"
	(cd "$work/ext" && unzip -q "$A/ecert-manager-$version.zip")
	res=$(HOME=$work/home ECM_CONFIG="$root/etc/ecert-manager/config.json" \
		ECM_BROKERS_DIR="$root/usr/share/ecert-manager/brokers" timeout 180 \
		node tests/e2e/packages.mjs chromium-hello "$profile" "$work/ext" 2>"$work/node.err")
	ok $? "Chromium ran the built extension"
	is "$(jq -r .reply.ok <<<"$res" 2>&1)" true "Chromium started the installed host (its manifest under the root): hello ok"
	[ "$(jq -r .reply.ok <<<"$res" 2>&1)" = true ] || diag "$res $(tail -5 "$work/node.err")"
	if jq -e '.reply.result | has("brokers")' <<<"$res" >/dev/null 2>&1; then
		is "$(jq -r '[.reply.result.brokers[].id] | join(" ")' <<<"$res")" brkb "… and it serves the remaining broker"
	fi
else
	ok 0 "# SKIP Chromium or tests/e2e's playwright-core missing"
fi

# ---- upgrade the host: every profile stays
dp -i "$debA" >/dev/null 2>&1
mkdir -p "$work/host2"
cp build/ecm-host build/ecm build/libecm-engine.so build/libecm-ra.so "$work/host2/"
new=$(installer/debian/build-deb.sh "$work/host2" "$host_version.1" "$arch" 2>"$work/host2.log")
ok $? "a newer host .deb ($host_version.1)"
out=$(dp --force-depends -i "$new" 2>&1)
rc=$?; ok $rc "dpkg --root -i the newer host over the old one"
[ $rc -eq 0 ] || diag "$out"
is "$(dpkg --root="$root" -s ecert-manager 2>&1 | sed -n 's/^Version: //p')" "$host_version.1" "the host is upgraded"
for id in brka brkb; do
	installed $id; ok $? "$id's profile and CA are still there after the upgrade"
done
done_testing
