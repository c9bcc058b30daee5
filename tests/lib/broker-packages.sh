# Broker packages for tests (issue 21): a profile with a throwaway CA, and `make broker` around it.
#   . tests/lib/broker-packages.sh
#   test_broker_profile brka "$work"          # $work/brka/brka.json, its CA $work/brka/ca.pem
#   dir=$(make_broker "$work/brka/brka.json" "$log")   # build/broker/brka (make's output in $log)
# The RA URLs name 127.0.0.1 (no RA runs: these suites check packages, not enrolment). Needs openssl and jq.
# shellcheck shell=bash

# test_broker_profile ID DIR: DIR/ID/ID.json, broker ID's profile, with a fresh CA (DIR/ID/ca.pem) and an icon.
test_broker_profile() {
	local id=$1 d=$2/$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
		-subj "/O=Broker $id/CN=$id test CA" -days 30 2>/dev/null || return 1
	printf '\211PNG\r\n\032\n%s' "$id" >"$d/icon.png"
	jq -n --arg id "$id" '{id: $id, name: {"zh-TW": ("券商 " + $id), en: ("Broker " + $id)},
		est_url: "https://127.0.0.1:8443/.well-known/est", api_url: "https://127.0.0.1:8443/api",
		ra_ca_file: "ca.pem", icon: "icon.png", sign_origins: ["https://127.0.0.1:8443"]}' >"$d/$id.json"
}

# make_broker PROFILE LOG [MAKE ARGS...]: make broker for PROFILE (plain build/) and print its folder.
make_broker() {
	local p=$1 log=$2
	shift 2
	make -s broker PROFILE="$p" "$@" >"$log" 2>&1 || return 1
	tail -n 1 "$log"
}
