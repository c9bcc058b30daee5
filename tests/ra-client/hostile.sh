# The hostile RA (tests/ra-client/hostile-ra.py) and its PKI, for the suites of this folder. Source it after
# `set -u`; it gives T (scratch, removed on exit), ECM, HOME, the TAP helpers, `port` (the RA is running) and
#   config MODE [CA] [JQ-EXTRA]   writes $T/host.json (ECM_CONFIG) for an RA answering in MODE
# PKI in $T: ca (TLS and issuing), other-ca, root (unrelated to ca) with inter under it, client-ca with client,
# fakeca (a self-signed certificate named like ca, under another key).
# shellcheck shell=bash
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-ra-client.XXXXXX")
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
ossl() { openssl "$@" 2>/dev/null; }
mkca() { ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" -out "$T/$1.pem" -subj "/CN=$1" -days 2; }
mkca ca && mkca other-ca && mkca root && mkca client-ca
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/fakeca.key" -out "$T/fakeca.pem" -subj /CN=ca \
	-days 2
# an intermediate under root (never sent by the RA), and a client identity under client-ca
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$T/ca.cnf"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/inter.key" -out "$T/inter.csr" -subj /CN=inter
ossl x509 -req -in "$T/inter.csr" -CA "$T/root.pem" -CAkey "$T/root.key" -set_serial 3 -days 2 -extfile "$T/ca.cnf" \
	-out "$T/inter.pem"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/client.key" -out "$T/client.csr" -subj /CN=bootstrap
ossl x509 -req -in "$T/client.csr" -CA "$T/client-ca.pem" -CAkey "$T/client-ca.key" -set_serial 4 -days 2 -out "$T/client.pem"
chmod 600 "$T/client.key"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.cnf"
ossl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -set_serial 2 -days 2 -extfile "$T/san.cnf" -out "$T/srv.pem"
python3 tests/ra-client/hostile-ra.py "$T/srv.pem" "$T/srv.key" "$T" >"$T/port" 2>"$T/ra.log" & srv=$!
for _ in $(seq 1 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(head -n 1 "$T/port")
[ -n "$port" ] || { echo "Bail out! the hostile RA did not start"; exit 1; }

# config MODE [CA] [JQ-EXTRA]: a host configuration whose RA answers in MODE.
config() {
	jq -n --arg u "https://127.0.0.1:$port/$1" --arg ca "${2:-$T/ca.pem}" --arg bk "$T/backups" --arg t "$T" \
		--arg kt "${RA_CLIENT_KEY_TYPE:-p256}" \
		'{est_url: $u, api_url: $u, ra_ca_file: $ca, revoke_url: "https://127.0.0.1/revoke", backup_dir: $bk,
		  pkcs12_iterations: 2048, connect_timeout_s: 15, request_timeout_s: 60, key_type: $kt}'"${3:-}" >"$T/host.json"
}
export ECM_CONFIG=$T/host.json
