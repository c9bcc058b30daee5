# shellcheck shell=sh
# shellcheck disable=SC2154 # id, version, work, out, top, here, profile: set by build-broker.sh
# build_msi (sourced by build-broker.sh: id, version, name_en, work, out): ecert-manager-broker-<id>-<v>.msi from
# broker.wxs with wixl. Every code comes from the id, so each broker is its own product beside the others.
build_msi() {
	command -v wixl >/dev/null && command -v msibuild >/dev/null ||
		die "wixl and msibuild (msitools) are needed for the MSI (apt-get install wixl msitools)"
	m=$work/msi
	mkdir -p "$m"
	cp -R "$work/profile/." "$m/"
	files='' key=' KeyPath="yes"' n=0
	for f in "$m/$id"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		files="$files<File Id=\"BrokerFile$n\" Name=\"${f##*/}\" Source=\"$id/${f##*/}\"$key />"
		key=
	done
	[ -n "$files" ] || files='<CreateFolder />'
	sed "s|<!-- @FILES@ -->|$files|" "$here/broker.wxs" >"$m/broker.wxs"
	upgrade=$(name_guid "ecert-manager broker $id")
	# wixl reads $(var.X) into XML unescaped: the name keeps only what needs no escaping.
	title=$(printf '%s' "$name_en" | tr -d '&<>"')
	msi=$out/ecert-manager-broker-$id-$version.msi
	(cd "$m" && wixl -a x64 -D "BrokerId=$id" -D "BrokerName=$title" -D "Version=$version" \
		-D "UpgradeCode=$upgrade" -D "ProductCode=$(name_guid "$upgrade $version")" \
		-D "ProfileGuid=$(name_guid "$upgrade profile")" -D "FilesGuid=$(name_guid "$upgrade files")" \
		-D "RegGuid=$(name_guid "$upgrade registry")" -o "$msi" broker.wxs) || die "wixl failed"
}
