#!/bin/sh
# build-broker.sh --check PROFILE          check a broker profile (docs/installing.md "Shipping for a broker")
# build-broker.sh PROFILE BUILD [HOST_DEB]  build what the broker hands its customers into BUILD/broker/<id>/:
#   ecert-manager-broker-<id>_<v>_all.deb   the profile and its files under /etc/ecert-manager/brokers (Depends:
#                                           ecert-manager; HOST_DEB, the host's package, is copied beside it)
#   ecert-manager-broker-<id>-<v>.msi       the same under %ProgramData%\ecert-manager\brokers (+ the host's MSI,
#                                           when BUILD/windows/ecert-manager.msi is built)
#   macos/                                  the pkg's payload and build-pkg.sh, to run on a Mac
#   ecert-manager-<ext v>.zip, .xpi         the extension for the Chrome Web Store / Edge Add-ons, and Firefox
#   policies/                               ExtensionInstallForcelist .reg files (Chrome, Edge), Firefox policies.json
# <v> is $BROKER_VERSION, else the extension's version. Needs jq, dpkg-deb, wixl and msibuild (msitools), zip.
set -eu
umask 022
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=installer/windows/guid.sh
. "$top/installer/windows/guid.sh"
# The profile's keys (docs/protocol.md "Which broker"); the file keys are the ones packaged beside it.
KEYS='id name est_url api_url ra_ca_file ra_tls_ca_file ra_client_cert_file ra_client_key_file revoke_url subject_ou renew_days sign_origins icon key_type'
FILE_KEYS='ra_ca_file:ra-ca.pem ra_tls_ca_file:ra-tls-ca.pem ra_client_cert_file:ra-client.pem icon:icon.png'

die() { echo "build-broker.sh: $*" >&2; exit 1; }

# check_profile FILE: the first problem as "KEY<tab>MESSAGE" on stderr (exit 1), else prints the id.
check_profile() {
	f=$1
	[ -f "$f" ] && [ -r "$f" ] || die "$f: cannot read the profile"
	[ "$(wc -c <"$f")" -le 262144 ] || die "$f: larger than 256 KiB"
	problem=$(jq -r --arg keys "$KEYS" -f "$here/check-profile.jq" "$f" 2>/dev/null) ||
		die "$f: not valid JSON"
	case $problem in
	'') ;;
	-*) die "$f: $(printf '%s' "$problem" | cut -f2)" ;;
	*) die "$f: key \"$(printf '%s' "$problem" | cut -f1)\": $(printf '%s' "$problem" | cut -f2)" ;;
	esac
	dir=$(dirname "$f")
	for kn in $FILE_KEYS; do
		k=${kn%%:*}
		p=$(jq -r --arg k "$k" '.[$k] // empty' "$f")
		[ -n "$p" ] || continue
		case $p in /*) ;; *) p=$dir/$p ;; esac
		[ -f "$p" ] || die "$f: key \"$k\": no file $p"
		case $k in
		icon) [ "$(head -c 8 "$p" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
			die "$f: key \"icon\": $p is not a PNG"
			[ "$(wc -c <"$p")" -le 65536 ] || die "$f: key \"icon\": $p is larger than 64 KiB" ;;
		*) grep -q -- '-----BEGIN CERTIFICATE-----' "$p" || die "$f: key \"$k\": $p holds no PEM certificate" ;;
		esac
	done
	jq -r .id "$f"
}

# stage_profile FILE DEST: DEST/<id>.json with its files in DEST/<id>/ under fixed names, the profile's paths
# rewritten to them (relative to the profile's folder, so they hold wherever the folder is installed).
stage_profile() {
	src=$1 dest=$2 dir=$(dirname "$1")
	mkdir -p "$dest/$id"
	cp "$src" "$dest/$id.json.tmp"
	for kn in $FILE_KEYS; do
		k=${kn%%:*} name=${kn#*:}
		p=$(jq -r --arg k "$k" '.[$k] // empty' "$src")
		[ -n "$p" ] || continue
		case $p in /*) ;; *) p=$dir/$p ;; esac
		install -m 0644 "$p" "$dest/$id/$name"
		jq --arg k "$k" --arg v "$id/$name" '.[$k] = $v' "$dest/$id.json.tmp" >"$dest/$id.json.tmp2"
		mv "$dest/$id.json.tmp2" "$dest/$id.json.tmp"
	done
	mv "$dest/$id.json.tmp" "$dest/$id.json"
	chmod 0644 "$dest/$id.json"
}

if [ "${1:-}" = --check ] && [ $# -eq 2 ]; then check_profile "$2" >/dev/null; exit 0; fi
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: build-broker.sh [--check] PROFILE [BUILD [HOST_DEB]]" >&2; exit 2; }
profile=$1 build=$2 host_deb=${3:-}
id=$(check_profile "$profile")
ext_version=$(jq -r .version "$top/extension/manifest.json")
version=${BROKER_VERSION:-$ext_version}
printf '%s' "$version" | grep -Eq '^[0-9]{1,3}(\.[0-9]{1,5}){1,3}$' ||
	die "version \"$version\": digits and dots only (BROKER_VERSION), as Windows Installer wants"
out=$build/broker/$id
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/.work
stage_profile "$profile" "$work/profile"
name_en=$(jq -r '.name.en' "$profile")

# shellcheck source=installer/broker/deb.sh
. "$here/deb.sh"
# shellcheck source=installer/broker/msi.sh
. "$here/msi.sh"
# shellcheck source=installer/broker/macos.sh
. "$here/macos.sh"
# shellcheck source=installer/broker/extension.sh
. "$here/extension.sh"
build_deb
build_msi
build_macos
build_extension
build_policies
[ -z "$host_deb" ] || cp "$host_deb" "$out/"
[ ! -f "$build/windows/ecert-manager.msi" ] || cp "$build/windows/ecert-manager.msi" "$out/"
rm -rf "$work"
echo "$out"
