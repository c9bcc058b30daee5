# shellcheck shell=sh
# shellcheck disable=SC2154 # id, version, work, out, top, here, profile: set by build-broker.sh
# build_macos (sourced by build-broker.sh: id, version, work, out): macos/, the payload of the broker's pkg and the
# script that builds it on a Mac (pkgbuild cannot run here).
build_macos() {
	mac=$out/macos
	dest="$mac/root/Library/Application Support/ecert-manager/brokers"
	mkdir -p "$dest"
	cp -R "$work/profile/." "$dest/"
	sed -e "s/@ID@/$id/g" -e "s/@VERSION@/$version/g" "$here/macos-build-pkg.sh" >"$mac/build-pkg.sh"
	sed -e "s/@ID@/$id/g" "$here/macos-uninstall.sh" >"$mac/uninstall.sh"
	chmod 0755 "$mac/build-pkg.sh" "$mac/uninstall.sh"
}
