# shellcheck shell=sh
# shellcheck disable=SC2154 # id, version, work, out, top, here, profile: set by build-broker.sh
# build_deb (sourced by build-broker.sh: id, version, name_en, work, out): ecert-manager-broker-<id>_<v>_all.deb.
# The files live in /usr/share/ecert-manager/brokers/ and /etc/ecert-manager/brokers/ holds symbolic links to
# them: not conffiles, so removing the package removes the profile (a conffile would stay until purge, and the
# host would go on offering a broker that was removed). The folder <id>/ is linked too, so the profile's relative
# paths (<id>/ra-ca.pem) hold from either place. Absolute links, as Debian policy wants between top-level folders.
build_deb() {
	pkg=ecert-manager-broker-$id
	stage=$work/deb
	share=$stage/usr/share/ecert-manager/brokers
	doc=$stage/usr/share/doc/$pkg
	mkdir -p "$share" "$stage/etc/ecert-manager/brokers" "$doc" "$stage/DEBIAN"
	cp -R "$work/profile/." "$share/"
	ln -s "/usr/share/ecert-manager/brokers/$id.json" "$stage/etc/ecert-manager/brokers/$id.json"
	ln -s "/usr/share/ecert-manager/brokers/$id" "$stage/etc/ecert-manager/brokers/$id"
	install -m 0644 "$top/installer/debian/copyright" "$doc/copyright"
	maint=$(sed -n 's/^Maintainer: //p' "$top/installer/debian/control.in")
	when=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}")
	printf '%s (%s) unstable; urgency=medium\n\n  * Profile of %s for e-Cert Manager.\n\n -- %s  %s\n' \
		"$pkg" "$version" "$name_en" "$maint" "$when" | gzip -9n >"$doc/changelog.gz"
	chmod 0644 "$doc/changelog.gz"
	cat >"$stage/DEBIAN/control" <<-CTRL
		Package: $pkg
		Version: $version
		Architecture: all
		Maintainer: $maint
		Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
		Depends: ecert-manager
		Section: utils
		Priority: optional
		Description: e-Cert Manager profile of $name_en
		 The servers, CA certificates and trading-page origins of $name_en for
		 e-Cert Manager, which manages the certificate this broker issues for
		 online securities trading in Taiwan. Installed beside other brokers'
		 profiles in /etc/ecert-manager/brokers; one host serves them all.
	CTRL
	(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
	chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
	dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/${pkg}_${version}_all.deb" >/dev/null
}
