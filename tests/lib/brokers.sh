# Broker profiles for tests (issue 20; the profile's keys are in docs/protocol.md "Which broker").
#   . tests/lib/brokers.sh
#   broker_profile brka "$T/ra-a" "$ECM_BROKERS_DIR/brka.json"                   # origin: the RA's own
#   broker_profile brkb "$T/ra-b" "$ECM_BROKERS_DIR/brkb.json" https://127.0.0.1:8443 https://other.test
# Needs jq.
# shellcheck shell=bash

# broker_profile ID RA_DIR OUT_FILE [ORIGIN...]: write the profile of broker ID for the development RA whose state
# folder is RA_DIR (its ra.json): names 「券商 ID」/"Broker ID", the RA's URLs and CA, and sign_origins = the ORIGINs
# given, else the RA's own origin (https://127.0.0.1:PORT, where it serves its order pages).
broker_profile() {
	local id=$1 json=$2/ra.json out=$3 origins
	shift 3
	[ -s "$json" ] || { echo "broker_profile: $json missing" >&2; return 2; }
	if [ $# -gt 0 ]; then
		origins=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
	else
		origins=$(jq -c '[.api_url | capture("^(?<o>https://[^/]+)").o]' "$json")
	fi
	jq --arg id "$id" --argjson o "$origins" \
		'{id: $id, name: {"zh-TW": ("券商 " + $id), en: ("Broker " + $id)},
		  est_url, api_url, ra_ca_file, sign_origins: $o, key_type: "rsa2048"}
		 + (if .revoke_url then {revoke_url} else {} end)' \
		"$json" >"$out.tmp" && mv -f "$out.tmp" "$out"
}
