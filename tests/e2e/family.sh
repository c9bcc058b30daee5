# A family's shared home for tests/e2e/stores-choice.mjs (issue 17 items 5 and 6): one Chrome-family database
# and three Firefox profiles by name, 爸爸 (empty), 媽媽 (a master password) and 孩子 (holding only the kid's own
# certificate and key, applied in another home and put there with pk12util, so that nothing of the host under
# test decides where it lands). Source it after tests/lib/ra.sh and setup.sh, with TMP and BUILD set and the RA
# started; the kid's backup stays in $TMP/kid.pfx (password $FAMILY_BPW) for the import case.
# shellcheck shell=bash
FAMILY_KID=E120556786 FAMILY_BPW=Kid-Backup-2026 FAMILY_MPW=mum-master-1

# family_home DIR
family_home() {
	local home=$1 ff=$1/.mozilla/firefox d
	mkdir -p "$home/.pki/nssdb" "$ff/dad.default" "$ff/mum.protected" "$ff/kid.profile" "$TMP/kidhome"
	for d in "$home/.pki/nssdb" "$ff/dad.default" "$ff/mum.protected" "$ff/kid.profile"; do
		certutil -N -d "sql:$d" --empty-password >/dev/null 2>&1
	done
	printf '%s\n' "$FAMILY_MPW" >"$TMP/family-mpw" && printf '\n' >"$TMP/family-empty"
	certutil -W -d "sql:$ff/mum.protected" -f "$TMP/family-empty" -@ "$TMP/family-mpw" >/dev/null 2>&1 || return 1
	printf '[General]\nStartWithLastProfile=1\nVersion=2\n\n[Profile0]\nName=爸爸\nIsRelative=1\nPath=dad.default\nDefault=1\n\n[Profile1]\nName=媽媽\nIsRelative=1\nPath=mum.protected\n\n[Profile2]\nName=孩子\nIsRelative=1\nPath=kid.profile\n' \
		>"$ff/profiles.ini"
	family_kid_backup || return 1
	pk12util -i "$TMP/kid.pfx" -d "sql:$ff/kid.profile" -W "$FAMILY_BPW" >/dev/null 2>&1
}

# The kid applies in a home of his own (one `ecm session`); his backup is $TMP/kid.pfx.
family_kid_backup() {
	(
		export HOME=$TMP/kidhome ECM_CONFIG=$TMP/host.json
		ECM=$BUILD/ecm T=$TMP
		. "$ROOT/tests/lib/session.sh"
		sess_open
		rpc l login "{\"id\":\"$FAMILY_KID\",\"password\":\"Demo1234\"}" >/dev/null
		rpc o otp_request >/dev/null
		rpc a apply "{\"terms_version\":\"2026.1\",\"otp\":\"$(ra_otp $FAMILY_KID)\",\"backup\":{\"password\":\"$FAMILY_BPW\",\"path\":\"$TMP/kid.pfx\"}}" >/dev/null
		sess_close
	) && [ -s "$TMP/kid.pfx" ]
}
