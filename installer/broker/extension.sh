# shellcheck shell=sh
# shellcheck disable=SC2154 # id, version, work, out, top, here, profile: set by build-broker.sh
# build_extension, build_policies (sourced by build-broker.sh: profile, top, out, ext_version): the extension's
# packages and the policy templates for brokers who deploy by policy. No host name is written here: the update
# and install URLs come from the profile's "_chrome_update_url", "_edge_update_url" and "_firefox_install_url"
# (keys the host ignores), else a placeholder that names what to put there.

# chromium_id: the extension's ID on Chromium, from its manifest key (sha256 of the DER key, 32 hex digits as a-p).
chromium_id() {
	jq -r .key "$top/extension/manifest.json" | base64 -d | sha256sum | cut -c1-32 | tr 0-9a-f a-p
}

# One archive of extension/ (manifest at the top, no dot files) for both stores: the Chrome Web Store and Edge
# Add-ons take the .zip, Firefox the .xpi. Unsigned: signing is the stores' (AMO signs the .xpi).
build_extension() {
	zip_to() { rm -f "$1" && (cd "$top/extension" && find . -type f ! -name '.*' | sort | zip -qX -@ "$1"); }
	zip_to "$out/ecert-manager-$ext_version.zip"
	zip_to "$out/ecert-manager-$ext_version.xpi"
}

# reg_file PATH KEY VALUE: a .reg file setting KEY "1"=VALUE, in the UTF-16 with BOM and CRLF that regedit writes.
reg_file() {
	{ printf '\377\376'
	  printf 'Windows Registry Editor Version 5.00\r\n\r\n[%s]\r\n"1"="%s"\r\n' "$2" "$3" | iconv -f UTF-8 -t UTF-16LE
	} >"$1"
}

build_policies() {
	p=$out/policies
	mkdir -p "$p"
	cid=$(chromium_id)
	url() { jq -r --arg k "$1" --arg d "$2" '.[$k] // $d' "$profile"; }
	reg_file "$p/chrome-extension-forcelist.reg" \
		'HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Google\Chrome\ExtensionInstallForcelist' \
		"$cid;$(url _chrome_update_url REPLACE-WITH-CHROME-UPDATE-URL)"
	reg_file "$p/edge-extension-forcelist.reg" \
		'HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge\ExtensionInstallForcelist' \
		"$cid;$(url _edge_update_url REPLACE-WITH-EDGE-UPDATE-URL)"
	gid=$(jq -r .browser_specific_settings.gecko.id "$top/extension/manifest.json")
	jq -n --arg id "$gid" --arg u "$(url _firefox_install_url REPLACE-WITH-XPI-URL)" \
		'{policies: {ExtensionSettings: {($id): {installation_mode: "force_installed", install_url: $u}}}}' \
		>"$p/firefox-policies.json"
}
