#!/usr/bin/env bash
# The configuration's paths under Wine, with Windows' rules (host/core/path.c): an absolute ra_ca_file in the
# Windows form (Z:\…) is taken as it is, not joined to the configuration's folder; a relative one is beside the
# configuration file whether its path is written with '\' or '/'.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-win-config.XXXXXX")
trap 'rm -rf "$T"; win_cleanup' EXIT
mkdir -p "$T/conf" "$T/ca"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca/ca.key" -out "$T/ca/ca.pem" -subj /CN=ca -days 2 2>/dev/null
cp "$T/ca/ca.pem" "$T/conf/beside.pem"
# hello_with CONFIG-PATH RA-CA-FILE: the configuration error code hello reports (null: none)
hello_with() {
	jq -n --arg ca "$2" '{est_url: "https://127.0.0.1:1/est", api_url: "https://127.0.0.1:1/api", ra_ca_file: $ca}' \
		>"$T/conf/config.json"
	printf '{"id":1,"cmd":"hello"}\n' | ECM_CONFIG=$1 timeout 120 "$WRAP/ecm" session 2>>"$T/stderr" |
		jq -r '.result.config.error.code'
}
is "$(hello_with "$T/conf/config.json" "$(win_path "$T/ca/ca.pem")")" null \
	"an absolute ra_ca_file Z:\\… is taken as it is (configuration named with '/')"
is "$(hello_with "$(win_path "$T/conf/config.json")" beside.pem)" null \
	"a relative ra_ca_file is beside the configuration named with '\\'"
is "$(hello_with "$(win_path "$T/conf/config.json")" missing.pem)" CONFIG_INVALID \
	"and a relative ra_ca_file that is not there is still refused"
done_testing
