# Helpers to run the extension against the real host: a fake home with browser stores, the wrapper script that
# a browser starts as the native host, and the host manifests. Source it with TMP (a temp dir) and BUILD
# (absolute path of the build folder) set, after ra_host_config wrote "$TMP/host.json".
# shellcheck shell=bash

# test_extension DIR [HOST...]: the build the tests load, in DIR, exported as E2E_EXT (tests/e2e/lib.mjs): extension/
# with host_permissions for the hosts the test pages use (default 127.0.0.1), granted at load, so the broker
# profiles' origins there are heard at once. The shipped manifest lists none: a person grants a broker's pages in
# the popup (optional_host_permissions).
test_extension() {
	local out=$1
	shift
	rm -rf "$out" && cp -r "$ROOT/extension" "$out" || return 1
	jq '. + {host_permissions: [$ARGS.positional[] | "https://\(.)/*"]}' --args "${@:-127.0.0.1}" \
		<"$ROOT/extension/manifest.json" >"$out/manifest.json" || return 1
	E2E_EXT=$out
	export E2E_EXT
}

# setup_home DIR: a fake home with the stores a person has: Chromium's NSS database and a Firefox profile.
setup_home() {
	local home=$1
	mkdir -p "$home/.pki/nssdb" "$home/.mozilla/firefox/e2e.default-release"
	certutil -N -d "sql:$home/.pki/nssdb" --empty-password >/dev/null 2>&1
	certutil -N -d "sql:$home/.mozilla/firefox/e2e.default-release" --empty-password >/dev/null 2>&1
	printf '[Profile0]\nName=default-release\nIsRelative=1\nPath=e2e.default-release\nDefault=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n' \
		>"$home/.mozilla/firefox/profiles.ini"
}

# wrapper NAME HOME [CONFIG [BROKERS_DIR]]: the script the browser starts as the native host (configuration
# $TMP/host.json unless CONFIG; ECM_BROKERS_DIR when given). The host's stderr (its log, and any sanitizer report
# under ECM_BUILD=build/san) goes to $TMP/host-stderr.log, which the browsers would swallow.
wrapper() {
	local w=$TMP/$1
	cat >"$w" <<EOW
#!/bin/sh
ECM_CONFIG='${3:-$TMP/host.json}' HOME='$2'
export ECM_CONFIG HOME
${4:+ECM_BROKERS_DIR='$4'; export ECM_BROKERS_DIR}
exec '$BUILD/ecm-host' "\$@" 2>>'$TMP/host-stderr.log'
EOW
	chmod +x "$w"
	printf '%s\n' "$w"
}

# chrome_manifest PROFILE WRAPPER: Chromium reads NativeMessagingHosts/ inside its --user-data-dir.
chrome_manifest() {
	mkdir -p "$1/NativeMessagingHosts"
	jq -n --arg p "$2" '{name: "org.ecertmanager.host", description: "e-Cert Manager native host (e2e)", path: $p,
		type: "stdio", allowed_origins: ["chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/"]}' \
		>"$1/NativeMessagingHosts/org.ecertmanager.host.json"
}

# firefox_manifest HOME WRAPPER: Firefox (153) reads $HOME/.mozilla/native-messaging-hosts/.
firefox_manifest() {
	mkdir -p "$1/.mozilla/native-messaging-hosts"
	jq -n --arg p "$2" '{name: "org.ecertmanager.host", description: "e-Cert Manager native host (e2e)", path: $p,
		type: "stdio", allowed_extensions: ["ecert-manager@ecertmanager.org"]}' \
		>"$1/.mozilla/native-messaging-hosts/org.ecertmanager.host.json"
}

# customer_cert HOME ID DAYS: a certificate of customer ID issued by the development RA's CA (as the RA would),
# valid for DAYS more days, with its key, in HOME's Chromium NSS database. Needs RA_DIR and RA_CA (ra_start).
customer_cert() {
	local d=$TMP/cert-$2
	mkdir -p "$d"
	openssl req -newkey rsa:2048 -nodes -keyout "$d/k.pem" -out "$d/r.csr" -subj "/C=TW/O=e2e/CN=$2-00-00::PC001" 2>/dev/null &&
		openssl x509 -req -in "$d/r.csr" -CA "$RA_CA" -CAkey "$RA_DIR/ca-key.pem" -set_serial "0x$(openssl rand -hex 8)" \
			-days "$3" -out "$d/c.pem" 2>/dev/null &&
		openssl pkcs12 -export -inkey "$d/k.pem" -in "$d/c.pem" -passout pass:p12 -out "$d/c.p12" &&
		pk12util -i "$d/c.p12" -d "sql:$1/.pki/nssdb" -W p12 >/dev/null
}
