# The two-broker fixture of tests/e2e/e2e.t's "brokers" part (issue 20): two more development RAs (each its own CA
# and port, so its own page origin), a broker profile for each in $TMP/brokers (tests/lib/brokers.sh), a host
# configuration with only the global settings, and customer A123456789 applying at both through `ecm session`.
# Source it from e2e.t (TMP, BUILD set; tests/lib/ra.sh, setup.sh loaded). The main RA's RA_* stay as they were.
# shellcheck shell=bash
. tests/lib/brokers.sh
. tests/lib/session.sh

BROKER_PIDS=

# broker_ra DIR: another development RA in DIR (its ra.json), started without touching RA_*.
broker_ra() {
	local pid
	pid=$(ra_start "$1" >/dev/null && echo "$RA_PID") || return 1
	BROKER_PIDS="$BROKER_PIDS $pid"
}
broker_ras_stop() { local p; for p in $BROKER_PIDS; do kill -TERM "$p" 2>/dev/null; done; BROKER_PIDS=; }

# origin_of RA_DIR: where the RA serves its pages (https://127.0.0.1:PORT)
origin_of() { jq -r '.api_url | sub("/api/v1$"; "")' "$1/ra.json"; }

# apply_at BROKER RA_DIR ID: login, OTP, apply for customer ID at BROKER through one `ecm session` (the envelope's
# `broker`); prints the issued certificate's serial.
apply_at() {
	local b=$1 ra=$2 id=$3 otp r
	q() { send "$(jq -cn --arg b "$b" --arg c "$2" --argjson a "$3" --arg i "$1" '{id: $i, cmd: $c, broker: $b, args: $a}')" && recv "$1" | reply; }
	sess_open
	q l login "$(jq -cn --arg i "$id" '{id: $i, password: "Demo1234"}')" >/dev/null
	q o otp_request '{}' >/dev/null
	otp=$(RA_TEST=$(jq -r .test_url "$ra/ra.json") RA_CA=$(jq -r .ra_ca_file "$ra/ra.json") ra_otp "$id")
	r=$(q a apply "$(jq -cn --arg o "$otp" '{terms_version: "2026.1", otp: $o, backup: {password: "Backup-Pass-1"}}')")
	sess_close
	jq -er '.result.certificate.serial' <<<"$r" || { echo "# apply at $b: $r" >&2; return 1; }
}

# brokers_fixture: RAs $TMP/ra-brka and $TMP/ra-brkb; profiles brka (its RA's origin and https://127.0.0.2:PORT,
# a loopback host the test build does not grant) and brkb; the home $TMP/brkhome with A's certificate of each.
# Exports what tests/e2e/brokers*.mjs read: BRK_{A,B}_{RA,ORIGIN,SERIAL,CA}, BRK_UNGRANTED, BRK_HOME.
brokers_fixture() {
	local d=$TMP/brokers
	mkdir -p "$d" || return 1
	broker_ra "$TMP/ra-brka" && broker_ra "$TMP/ra-brkb" || return 1
	BRK_A_RA=$TMP/ra-brka BRK_B_RA=$TMP/ra-brkb
	BRK_A_ORIGIN=$(origin_of "$BRK_A_RA") BRK_B_ORIGIN=$(origin_of "$BRK_B_RA")
	BRK_A_CA=$(jq -r .ra_ca_file "$BRK_A_RA/ra.json") BRK_B_CA=$(jq -r .ra_ca_file "$BRK_B_RA/ra.json")
	BRK_UNGRANTED=https://127.0.0.2:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0)); print(s.getsockname()[1])')
	broker_profile brka "$BRK_A_RA" "$d/brka.json" "$BRK_A_ORIGIN" "$BRK_UNGRANTED" &&
		broker_profile brkb "$BRK_B_RA" "$d/brkb.json" "$BRK_B_ORIGIN" || return 1
	# the global settings only: no est_url, so no third ("default") broker
	jq '{allowed_callers, pkcs12_iterations}' "$TMP/host.json" >"$TMP/brokers-host.json" || return 1
	BRK_HOME=$TMP/brkhome
	setup_home "$BRK_HOME"
	BRK_A_SERIAL=$(ECM_CONFIG=$TMP/brokers-host.json ECM_BROKERS_DIR=$d HOME=$BRK_HOME ECM=$BUILD/ecm T=$TMP apply_at brka "$BRK_A_RA" A123456789) &&
		BRK_B_SERIAL=$(ECM_CONFIG=$TMP/brokers-host.json ECM_BROKERS_DIR=$d HOME=$BRK_HOME ECM=$BUILD/ecm T=$TMP apply_at brkb "$BRK_B_RA" A123456789) ||
		return 1
	export BRK_A_RA BRK_B_RA BRK_A_ORIGIN BRK_B_ORIGIN BRK_A_CA BRK_B_CA BRK_UNGRANTED BRK_HOME BRK_A_SERIAL BRK_B_SERIAL
}
