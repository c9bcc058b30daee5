#!/usr/bin/env bash
# apply / renew / query / install / cleanup end to end: the development RA (real TLS, real EST) and real NSS
# databases in a fake HOME (~/.pki/nssdb, a started Firefox profile, one never started, one protected by a
# password), checked with certutil. Each enrollment runs in ONE `ecm session` (login -> terms -> otp_request ->
# apply/renew), as the extension does. The safety rule: renew removes the superseded certificate only from the
# stores where the new one landed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$root/tests/lib/tap.sh"
# shellcheck source=../lib/ra.sh
. "$root/tests/lib/ra.sh"
ECM=$(cd "$root" && realpath "${ECM_BUILD:-build}/ecm")
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-enroll-install.XXXXXX")
immutable=() # files made immutable (chattr +i) that the trap must release before removing $T
cleanup_all() {
	[ -n "${ECMS_PID:-}" ] && kill "$ECMS_PID" 2>/dev/null
	ra_stop
	[ ${#immutable[@]} -gt 0 ] && chattr -i "${immutable[@]}" 2>/dev/null
	chmod -R u+w "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup_all EXIT
[ -n "${ECM_KEEP:-}" ] && trap 'ra_stop' EXIT
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

ra_start "$T/ra" || { echo "Bail out! the development RA did not start"; exit 1; }
ra_host_config "$T/ra" "$T/base.json" # pkcs12_iterations 2048
jq --arg d "$T/backups" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json

ID=D220334567 PW=Demo1234 BPW=Backup-Pass-1
NICK=$ID-00-PC001

# --- the fake HOME: ~/.pki/nssdb, Firefox: started (empty DB), never started (no DB), protected by a password
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
PKI=$HOME/.pki/nssdb FF=$HOME/.mozilla/firefox
STARTED=$FF/abc.default-release NEVER=$FF/never.started LOCKED=$FF/locked.pw
mkdir -p "$PKI" "$STARTED" "$NEVER" "$LOCKED" && chmod 700 "$PKI"
certutil -N -d "sql:$PKI" --empty-password && certutil -N -d "sql:$STARTED" --empty-password
printf 'store-pw-1\n' >"$T/dbpw" && certutil -N -d "sql:$LOCKED" -f "$T/dbpw"
cat >"$FF/profiles.ini" <<INI
[General]
StartWithLastProfile=1
Version=2

[Profile0]
Name=default-release
IsRelative=1
Path=abc.default-release
Default=1

[Profile1]
Name=Never started
IsRelative=1
Path=never.started

[Profile2]
Name=Protected
IsRelative=1
Path=locked.pw
INI
S_PKI=nss:pki S_STARTED=firefox:home:abc.default-release S_NEVER=firefox:home:never.started
S_LOCKED=firefox:home:locked.pw
ALL_IDS="$S_STARTED $S_LOCKED $S_NEVER $S_PKI"        # sorted
declare -A DIR=([$S_PKI]=$PKI [$S_STARTED]=$STARTED [$S_NEVER]=$NEVER [$S_LOCKED]=$LOCKED)

. "$root/tests/lib/session.sh"
login_args() { printf '{"id":"%s","password":"%s"}' "$ID" "$PW"; }

# enroll CMD: login -> terms -> otp_request -> CMD (with the OTP from the RA's sink) in one session; CMD's lines
# (progress events, reply) go to $T/out. ENROLL_OK=1 when every step answered and the session exited 0.
enroll() {
	local r terms otp
	ENROLL_OK=0
	sess_open
	r=$(rpc login login "$(login_args)" | reply)
	[ "$(jq -r .ok <<<"$r")" = true ] || { ENROLL_OK=1; diag "login: $r"; }
	terms=$(rpc terms terms | reply | jq -r .result.version)
	r=$(rpc otp otp_request | reply)
	[ "$(jq -r .ok <<<"$r")" = true ] || { ENROLL_OK=1; diag "otp_request: $r"; }
	otp=$(ra_otp "$ID") || { ENROLL_OK=1; diag "no OTP in the sink"; }
	rpc c "$1" "$(jq -cn --arg t "$terms" --arg o "$otp" --arg p "$BPW" '{terms_version: $t, otp: $o, backup: {password: $p}}')" \
		>"$T/out" || { ENROLL_OK=1; diag "no reply to $1"; }
	rpc q query | reply >"$T/query-after" # same session: the server side must already be the new certificate
	sess_close || { ENROLL_OK=1; diag "session exit status $?"; }
}
# with_login CMD [ARGS]: one session, login then CMD; prints CMD's reply
with_login() {
	sess_open
	rpc login login "$(login_args)" >/dev/null
	rpc c "$1" "${2:-{\}}" | reply
	sess_close || diag "session exit status $?"
}
# no_login CMD [ARGS]
no_login() { printf '{"id":"c","cmd":"%s","args":%s}\n' "$1" "${2:-{\}}" | "$ECM" session 2>>"$T/stderr" | reply; }

# st RESULT-JSON STORE: a store's status in .result.install.results (or .result.results), failed -> its code
st() {
	jq -r --arg s "$2" '(.result.install.results // .result.results)[] | select(.store == $s)
		| if .status == "failed" then "failed:" + .error.code else .status end' <<<"$1"
}
# serials STORE: the serials (no leading zeros) of the certificates named $NICK in the store's DB, sorted
serials() {
	certutil -L -d "sql:${DIR[$1]}" -n "$NICK" -a 2>/dev/null | pem_serials
}
# user_certs STORE: how many certutil -L lines show $NICK as a user certificate (u,u,u: its key is there)
user_certs() { certutil -L -d "sql:${DIR[$1]}" 2>/dev/null | grep -c "^$NICK *u,u,u *$"; }
# keys STORE: how many private keys certutil -K lists under $NICK (the protected DB: with its password)
keys() {
	if [ "$1" = "$S_LOCKED" ]; then
		certutil -K -d "sql:${DIR[$1]}" -f "$T/dbpw" 2>/dev/null
	else
		certutil -K -d "sql:${DIR[$1]}" 2>/dev/null
	fi | grep -c "rsa .* $NICK\$"
}
# holds STORE SERIAL...: the store holds exactly these certificates of the user (each with its key), no other
holds() {
	local s=$1 want got n
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	n=$#
	got=$(serials "$s")
	# u,u,u holds in the protected DB too (before a login): the host writes the public-key object beside the key,
	# as pk12util does, and renew then removes it with the certificate.
	[ "$got" = "$want" ] && [ "$(keys "$s")" = "$n" ] && [ "$(user_certs "$s")" = "$n" ]
	local r=$?
	[ $r -eq 0 ] || printf '#   %s: serials [%s] (want [%s]), u,u,u %s, keys %s (want %s)\n' "$s" "$got" "$want" \
		"$(user_certs "$s")" "$(keys "$s")" "$n"
	return $r
}
removed_from() { jq -r '[.result.install.removed[]? | .store] | sort | join(" ")' <<<"$1"; }

# ================================================================================================== 1. apply
enroll apply; out=$(<"$T/out")
ok $ENROLL_OK "apply: login -> terms -> otp_request -> apply in one session"
r=$(reply <<<"$out")
is "$(jq -r .ok <<<"$r")" true "apply succeeds"
S1=$(jq -r .result.certificate.serial <<<"$r")
like "$S1" '^[1-7][0-9A-F]{31}$' "apply: the RA's serial (32 hex digits, no leading zero)"
is "$(grep '"progress"' <<<"$out" | jq -r '"\(.progress.step) \(.progress.done)/\(.progress.total)"' | tr '\n' ',')" \
	"keygen 1/4,enroll 2/4,backup 3/4,install 4/4," "apply: progress keygen, enroll, backup, install in that order"
is "$(jq -r '[.result.install.results[].store] | sort | join(" ")' <<<"$r")" "$ALL_IDS" "apply: one install result per store"
for s in $S_PKI $S_STARTED $S_NEVER; do
	is "$(st "$r" "$s")" installed "apply: $s installed"
done
is "$(st "$r" $S_LOCKED)" failed:STORE_PASSWORD_REQUIRED "apply: the protected DB fails with STORE_PASSWORD_REQUIRED (not fatal)"
BK1=$(jq -r .result.backup.path <<<"$r")
[ -s "$BK1" ] && [ "$(stat -c %a "$BK1")" = 600 ]
ok $? "apply: backup written (mode 0600)"
openssl pkcs12 -in "$BK1" -passin "pass:$BPW" -nokeys -clcerts 2>/dev/null | openssl x509 -noout -serial 2>/dev/null |
	grep -qx "serial=0*$S1"
ok $? "apply: the backup holds the issued certificate"
fresh=1
for s in $S_PKI $S_STARTED $S_NEVER; do [ "$BK1" -nt "${DIR[$s]}/cert9.db" ] && fresh=0 && diag "$BK1 newer than ${DIR[$s]}/cert9.db"; done
ok $((!fresh)) "apply: the backup was written before any store was touched (mtime <= every installed cert9.db)"
for s in $S_PKI $S_STARTED $S_NEVER; do
	holds "$s" "$S1"; ok $? "apply: certutil -L shows $NICK u,u,u (serial $S1) and -K its key in $s"
done
holds $S_LOCKED; ok $? "apply: nothing written into the protected DB"
[ -f "$NEVER/cert9.db" ] && [ -f "$NEVER/key4.db" ]; ok $? "apply: the never-started profile's DB was created"
r=$(no_login stores)
is "$(jq -r '.result.stores[] | select(.id == "'$S_NEVER'") | .exists' <<<"$r")" true "stores: the never-started profile exists now"

# The protected DB gets it with its password (so that every store holds the identity).
r=$(with_login install "{\"password_for\":{\"$S_LOCKED\":\"store-pw-1\"}}")
is "$(st "$r" $S_LOCKED)/$(st "$r" $S_PKI)/$(st "$r" $S_STARTED)/$(st "$r" $S_NEVER)" \
	"installed/already_present/already_present/already_present" "install with password_for: the protected DB now, the others already"
holds $S_LOCKED "$S1"; ok $? "install: cert and key in the protected DB"

is "$(jq -r '.result | "\(.local.serial) \(.server.serial) \(.match)"' "$T/query-after")" "$S1 $S1 true" \
	"query in the same session right after apply: local = server = new"
# ================================================================================================== 2. query
r=$(no_login query)
is "$(jq -r '.result | "\(.local.serial) \(.local.has_key) \(.local.store) \(.server) \(.match) \(.source)"' <<<"$r")" \
	"$S1 true $S_PKI null false store" "query before login: local only, server null, no match"
r=$(with_login query)
is "$(jq -r '.result.local.serial' <<<"$r")" "$S1" "query after login: local serial"
is "$(jq -r '.result.server.serial' <<<"$r")" "$S1" "query after login: server serial (current_pc_cert)"
is "$(jq -r '.result.match' <<<"$r")" true "query after login: match"

# ================================================================================================== 3. renew
ra_clock 340
enroll renew; out=$(<"$T/out")
ok $ENROLL_OK "renew (no current: from the primary store): one session"
r=$(reply <<<"$out")
is "$(jq -r .ok <<<"$r")" true "renew succeeds"
S2=$(jq -r .result.certificate.serial <<<"$r")
is "$(jq -r .result.previous.serial <<<"$r")" "$S1" "renew: previous is the certificate from the primary store"
[ "$S2" != "$S1" ]; ok $? "renew: a new serial"
is "$(grep '"progress"' <<<"$out" | jq -r .progress.step | tr '\n' ',')" "keygen,enroll,backup,install," "renew: progress in order"
for s in $S_PKI $S_STARTED $S_NEVER; do
	is "$(st "$r" "$s")" installed "renew: $s installed"
done
is "$(st "$r" $S_LOCKED)" failed:STORE_PASSWORD_REQUIRED "renew: the protected DB fails (no password given)"
is "$(removed_from "$r")" "$S_STARTED $S_NEVER $S_PKI" "renew: removed the previous certificate exactly where the new one landed"
is "$(jq -r '[.result.install.removed[].serial] | unique | join(" ")' <<<"$r")" "$S1" "renew: removed only the previous serial"
for s in $S_PKI $S_STARTED $S_NEVER; do
	holds "$s" "$S2"; ok $? "renew: $s holds the new certificate + key, not the old one"
done
holds $S_LOCKED "$S1"; ok $? "renew: the protected DB (new one not installed) keeps the old certificate + key"
r=$(with_login list)
is "$(jq -r --arg s "$S1" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" superseded "list: old superseded"
is "$(jq -r --arg s "$S2" '.result.certificates[] | select(.serial == $s) | .status' <<<"$r")" valid "list: new valid"
r=$(with_login query)
is "$(jq -r '.result | "\(.local.serial) \(.server.serial) \(.match)"' <<<"$r")" "$S2 $S2 true" "query after renew: local = server = new"

# ================================================================================================== 5. install again
r=$(with_login install "{\"password_for\":{\"$S_LOCKED\":\"store-pw-1\"}}")
is "$(st "$r" $S_LOCKED)" installed "install: the new certificate into the protected DB with its password"
declare -A before
for s in $ALL_IDS; do before[$s]=$(certutil -L -d "sql:${DIR[$s]}" | grep -c "^$NICK "); done
r=$(with_login install "{\"password_for\":{\"$S_LOCKED\":\"store-pw-1\"}}")
is "$(jq -r '[.result.results[] | "\(.store)=\(.status)"] | sort | join(" ")' <<<"$r")" \
	"$S_STARTED=already_present $S_LOCKED=already_present $S_NEVER=already_present $S_PKI=already_present" \
	"install again: every store already_present"
is "$(jq -r .result.certificate.serial <<<"$r")" "$S2" "install again: the current certificate"
for s in $ALL_IDS; do
	is "$(certutil -L -d "sql:${DIR[$s]}" | grep -c "^$NICK ")" "${before[$s]}" "install again: no duplicate in $s (certutil -L count)"
done
for s in $S_PKI $S_STARTED $S_NEVER; do holds "$s" "$S2" || break; done
ok $? "install again: pki and both profiles still hold exactly the new identity"

# ================================================================================================== 4. safety rule
# The never-started profile's DB stops taking the new certificate while its old one could still be deleted: an
# SQLite trigger makes key4.db refuse new private keys (deletions still work, so a host that removed the old
# certificate everywhere would be caught; as root file modes do not count). Without sqlite3: read-only (chattr +i
# as root, mode 0444 otherwise), else garbage in place of cert9.db -- weaker, nothing could be deleted there.
NO_NEW_KEYS="CREATE TRIGGER ecm_test_no_new_keys BEFORE INSERT ON nssPrivate BEGIN SELECT RAISE(ABORT, 'no new keys'); END;"
ro_mode=
if command -v sqlite3 >/dev/null && sqlite3 "$NEVER/key4.db" "$NO_NEW_KEYS"; then
	ro_mode=no-new-keys want_fail=failed:STORE_FAILED
elif [ "$(id -u)" != 0 ] && chmod a-w "$NEVER/cert9.db" "$NEVER/key4.db"; then
	ro_mode=chmod want_fail=failed:STORE_LOCKED
elif chattr +i "$NEVER/cert9.db" "$NEVER/key4.db" 2>/dev/null; then
	immutable=("$NEVER/cert9.db" "$NEVER/key4.db")
	ro_mode=chattr want_fail=failed:STORE_LOCKED
else
	ro_mode=corrupt want_fail=failed:STORE_CORRUPT
	cp -p "$NEVER/cert9.db" "$T/never-cert9.db"
	head -c 8192 /dev/urandom >"$NEVER/cert9.db"
	cp "$NEVER/cert9.db" "$T/garbage-cert9.db"
fi
diag "the never-started profile cannot take the new certificate: $ro_mode"
ra_clock 680 # S2 was issued at +340 for a year: inside its 30-day window
enroll renew; out=$(<"$T/out")
ok $ENROLL_OK "renew with one unwritable store: one session"
r=$(reply <<<"$out")
is "$(jq -r .ok <<<"$r")" true "renew succeeds although a store cannot take the certificate"
S3=$(jq -r .result.certificate.serial <<<"$r")
is "$(jq -r .result.previous.serial <<<"$r")" "$S2" "renew: previous is the current certificate"
is "$(st "$r" $S_PKI)/$(st "$r" $S_STARTED)" installed/installed "renew: pki and the started profile installed"
is "$(st "$r" $S_NEVER)" "$want_fail" "renew: the unwritable profile is a failed result ($want_fail)"
is "$(removed_from "$r")" "$S_STARTED $S_PKI" "renew: the previous certificate removed only where the new one landed"
for s in $S_PKI $S_STARTED; do
	holds "$s" "$S3"; ok $? "renew: $s holds the new certificate + key, not the old one"
done
case $ro_mode in
no-new-keys) sqlite3 "$NEVER/key4.db" "DROP TRIGGER ecm_test_no_new_keys;" ;;
chattr) chattr -i "$NEVER/cert9.db" "$NEVER/key4.db" && immutable=() ;;
chmod) chmod u+w "$NEVER/cert9.db" "$NEVER/key4.db" ;;
corrupt)
	cmp -s "$NEVER/cert9.db" "$T/garbage-cert9.db"; ok $? "renew: the damaged cert9.db was not touched"
	cp -p "$T/never-cert9.db" "$NEVER/cert9.db" ;;
esac
holds $S_NEVER "$S2"; ok $? "renew: the unwritable profile keeps the OLD certificate + key (and has not the new one)"
holds $S_LOCKED "$S1" "$S2"; ok $? "renew: the protected DB keeps its old certificates too (S1 from apply, S2 from install)"
r=$(with_login list)
is "$(jq -r '[.result.certificates[] | select(.device == "PC") | .status] | join(",")' <<<"$r")" \
	"superseded,superseded,valid" "list: both earlier certificates superseded, the newest valid"

# ================================================================================================== 6. cleanup
r=$(no_login cleanup "{\"serials\":[\"$S2\"],\"dry_run\":true}")
is "$(jq -r '[.result.found[] | "\(.store)=\(.serial)"] | join(" ")' <<<"$r")" "$S_NEVER=$S2" \
	"cleanup dry_run: says where the old certificate is"
holds $S_NEVER "$S2"; ok $? "cleanup dry_run: removes nothing"
r=$(no_login cleanup "{\"serials\":[\"$S2\"]}")
is "$(jq -r '[.result.removed[] | "\(.store)=\(.serial)"] | join(" ")' <<<"$r")" "$S_NEVER=$S2" \
	"cleanup: the old certificate removed only where it was (the profile that missed the renewal)"
is "$(jq -r '[.result.failed[] | "\(.store)=\(.code)"] | join(" ")' <<<"$r")" "$S_LOCKED=STORE_PASSWORD_REQUIRED" \
	"cleanup: the protected DB answers STORE_PASSWORD_REQUIRED"
holds $S_NEVER; ok $? "cleanup: certificate and key gone from that profile"
for s in $S_PKI $S_STARTED; do
	holds "$s" "$S3"; ok $? "cleanup: $s still holds the new certificate + key"
done
holds $S_LOCKED "$S1" "$S2"; ok $? "cleanup: nothing removed from the protected DB"
r=$(with_login query)
is "$(jq -r '.result | "\(.local.serial) \(.match)"' <<<"$r")" "$S3 true" "query after cleanup: the new certificate, matching the RA"

! grep -E "Sanitizer|runtime error|LeakSanitizer" "$T/stderr" 2>/dev/null
ok $? "no sanitizer report"
! grep -qF -- "$BPW" "$T/stderr" 2>/dev/null && ! grep -qF -- "$PW" "$T/stderr" 2>/dev/null
ok $? "no password on stderr"

done_testing
