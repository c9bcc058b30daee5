#!/usr/bin/env bash
# The backup of apply against every way a disk can refuse, with the development RA (real EST) and real NSS:
#  - before the RA is asked (step 0): a 300-character name, a missing folder, a read-only file system, a full disk,
#    a file-size limit (RLIMIT_FSIZE; SIGXFSZ must not kill the host): refused, no key made, the OTP unspent;
#  - after the RA issued: the disk fills while the RA works, a file-size limit set meanwhile, every store refusing:
#    ISSUED_NOT_SAVED, the key kept in the session (hello: issued_unsaved), save_issued writes it elsewhere and/or
#    installs it; no partial file anywhere; login keeps it, logout wipes it.
# Paths: "~/x" and relative backup paths land in the home folder, never in the host's working folder.
set -u
SUITE=faults-backup
. "$(dirname "$0")/../lib/ra-suite.sh"
SMALL=$T/small RO=$T/ro
suite_cleanup() {
	mountpoint -q "$SMALL" && umount "$SMALL"
	mountpoint -q "$RO" && umount "$RO"
}
jq --arg d "$BK" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
mkdir -p "$SMALL" "$RO"
ID=A123456789 PW=Demo1234 BPW=Backup-Pass-1

login() { rpc login login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" | reply | jq -r .ok; }
new_otp() { rpc otp otp_request >/dev/null && OTP=$(ra_otp "$ID"); }
# apply_args [PATH]: apply's arguments with $OTP and the backup at PATH (default name when empty). Each apply here
# supersedes the last on purpose (the failures are the subject, not the supersede rule: tests/host/flows.t).
apply_args() {
	jq -cn --arg o "$OTP" --arg p "$BPW" --arg path "${1:-}" \
		'{terms_version: "2026.1", otp: $o, replace_existing: true, backup: ({password: $p} + (if $path == "" then {} else {path: $path} end))}'
}
pfx_serial() { pfx_cert_serial "$1" "$BPW"; }
pfx_has_key() { openssl pkcs12 -in "$1" -passin "pass:$BPW" -nocerts -nodes 2>/dev/null | grep -q "PRIVATE KEY"; }
# nss_serials: the serials (hex, no leading zeros) of this ID's certificates in the primary store
nss_serials() {
	certutil -L -d "sql:$PKI" -n "$ID-00-PC001" -a 2>/dev/null |
		awk -v d="$T" '/BEGIN CERT/{n++} n{print > (d "/nss-" n ".pem")}'
	for f in "$T"/nss-*.pem; do [ -e "$f" ] && cert_serial "$f"; done |
		tr '\n' ' '
	rm -f "$T"/nss-*.pem
}
issued_unsaved() { rpc h hello | reply | jq -r '.result.issued_unsaved.serial // "none"'; }
temp_files() { find "$@" -name '*.pfx.??????' 2>/dev/null | wc -l; }

if ! mount -t tmpfs -o size=256k tmpfs "$SMALL" 2>/dev/null; then
	echo "Bail out! cannot mount a tmpfs (this suite needs root)"
	exit 1
fi
mount -t tmpfs -o ro,size=64k tmpfs "$RO"
fill() { dd if=/dev/zero of="$SMALL/filler" bs=4k 2>/dev/null; sync; }
unfill() { rm -f "$SMALL/filler"; }

# ============================================================================ step 0: refused before the RA
sess_open
is "$(login)" true "login"
new_otp
long=$T/$(printf 'n%.0s' $(seq 1 300)).pfx
out=$(rpc a apply "$(apply_args "$long")")
r=$(reply <<<"$out")
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/name_too_long "a 300-character file name: refused (name_too_long)"
is "$(steps <<<"$out")" "" "  before a key is made (no progress step)"
out=$(rpc a apply "$(apply_args "$T/missing/folder/b.pfx")")
r=$(reply <<<"$out")
is "$(code <<<"$r")/$(detail reason "$r")/$(steps <<<"$out")" FILE_WRITE_FAILED/no_folder/ "a missing folder: refused (no_folder), no key made"
r=$(rpc a apply "$(apply_args "$RO/b.pfx")" | reply)
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/read_only "a read-only file system: refused (read_only)"
# (A folder as the path means the default name inside it: tests/host/flows.t.) A FIFO in the file's place, even
# with overwrite, is no file to replace: rename(2) would drop it after the work, so it is refused first.
mkfifo "$T/a-fifo.pfx"
r=$(rpc a apply "$(jq -c '.backup.overwrite = true' <<<"$(apply_args "$T/a-fifo.pfx")")" | reply)
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/not_regular "overwrite of a FIFO: refused (not_regular)"
fill
r=$(rpc a apply "$(apply_args "$SMALL/b.pfx")" | reply)
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/disk_full "a full disk: refused (disk_full) before the RA is asked"
unfill
is "$(temp_files "$T" "$SMALL")" 0 "step 0 leaves no temporary file"
[ ! -e "$PKI" ]; ok $? "nothing was installed (no key was made)"
sess_close

# RLIMIT_FSIZE below what a backup needs: the write fails with EFBIG (SIGXFSZ ignored), the host answers.
out=$( (ulimit -f 16; printf '%s\n' "$(jq -cn --arg i "$ID" --arg p "$PW" '{id:"l",cmd:"login",args:{id:$i,password:$p}}')" \
	"$(jq -cn --arg o "$OTP" --arg p "$BPW" --arg path "$T/limited.pfx" \
		'{id:"a",cmd:"apply",args:{terms_version:"2026.1",otp:$o,replace_existing:true,backup:{password:$p,path:$path}}}')" |
	"$ECM" session 2>>"$T/stderr"); echo "exit=$?")
r=$(grep '"id":"a"' <<<"$out" | reply)
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/disk_full "a file-size limit (ulimit -f 16): refused at step 0 (EFBIG)"
like "$out" "exit=0" "  the host was not killed by SIGXFSZ"
[ ! -e "$T/limited.pfx" ] && [ "$(temp_files "$T")" -eq 0 ]; ok $? "  no file, no temporary file"

# The OTP survived every refusal: this apply (same OTP) is issued.
sess_open
is "$(login)" true "login again"
r=$(rpc a apply "$(apply_args "~/first.pfx")" | reply)
is "$(code <<<"$r")" OK "the OTP of the refused attempts still works: issued"
is "$(jq -r .result.backup.path <<<"$r")" "$HOME/first.pfx" "\"~/first.pfx\" is written in the home folder"
SERIAL1=$(jq -r .result.certificate.serial <<<"$r")
is "$(pfx_serial "$HOME/first.pfx")" "$SERIAL1" "  and holds the issued certificate"
is "$(issued_unsaved)" none "saved: hello reports nothing unsaved"

# ============================================================================ after issuance: the disk fills
new_otp
ra_fault simpleenroll slow 3
send "$(jq -c '{id: "a", cmd: "apply", args: .}' <<<"$(apply_args "$SMALL/issued.pfx")")"
sleep 1
fill # while the RA works: step 0 passed, the backup will not fit
out=$(recv a)
ra_fault simpleenroll none
r=$(reply <<<"$out")
SERIAL2=$(detail issued_serial "$r")
is "$(code <<<"$r")/$(detail cause "$r")/$(detail reason "$r")" ISSUED_NOT_SAVED/FILE_WRITE_FAILED/disk_full \
	"the disk filled during enrollment: ISSUED_NOT_SAVED (cause FILE_WRITE_FAILED, disk_full)"
like "$SERIAL2" '^[0-9A-F]+$' "  the error names the issued serial"
is "$(detail backup_written "$r")/$(jq -c .error.details.installed <<<"$r")" 'false/["nss:pki"]' \
	"  backup_written false; still installed into the primary store"
is "$(steps <<<"$out")" "keygen enroll backup install " "  every step ran"
[ ! -e "$SMALL/issued.pfx" ] && [ "$(temp_files "$SMALL")" -eq 0 ]; ok $? "  no partial backup, no temporary file"
is "$(issued_unsaved)" "$SERIAL2" "hello reports issued_unsaved with that serial"
is "$(rpc ss session | reply | jq -r '.result.issued_unsaved.serial // "none"')" "$SERIAL2" \
	"session reports it too (the toolbar popup asks session before a logout: issue 22 item 1)"
r=$(rpc q query | reply)
is "$(jq -r .result.server.serial <<<"$r")" "$SERIAL2" "query shows the RA's new certificate (the account was refreshed)"
unfill
r=$(rpc s save_issued "$(jq -cn --arg p "$BPW" --arg path "$T/elsewhere.pfx" '{backup: {password: $p, path: $path}}')" | reply)
is "$(jq -r '"\(.ok) \(.result.saved) \(.result.backup_written)"' <<<"$r")" "true true true" \
	"save_issued writes the backup elsewhere: saved"
is "$(pfx_serial "$T/elsewhere.pfx")" "$SERIAL2" "  the backup holds the issued certificate"
pfx_has_key "$T/elsewhere.pfx"; ok $? "  and its key"
is "$(issued_unsaved)" none "  and the session forgets it"
r=$(rpc s save_issued '{"install": true}' | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "save_issued with nothing held: NO_CERTIFICATE"
r=$(rpc s save_issued '{}' | reply)
is "$(code <<<"$r")/$(detail field "$r")" BAD_REQUEST/backup "save_issued without backup or install: BAD_REQUEST"

# ============================================================================ after issuance: a file-size limit
# set on the running host while the RA works (prlimit): the backup (EFBIG) and the store's database both fail.
new_otp
ra_fault simpleenroll slow 3
send "$(jq -c '{id: "a", cmd: "apply", args: .}' <<<"$(apply_args "$T/limited2.pfx")")"
sleep 1
prlimit --pid "$ECMS_PID" --fsize=1024:unlimited # the soft limit only: lifting it needs no privilege
out=$(recv a)
ra_fault simpleenroll none
prlimit --pid "$ECMS_PID" --fsize=unlimited:unlimited
r=$(reply <<<"$out")
SERIALF=$(detail issued_serial "$r")
is "$(code <<<"$r")/$(detail cause "$r")/$(detail reason "$r")/$(detail backup_written "$r")" \
	ISSUED_NOT_SAVED/FILE_WRITE_FAILED/disk_full/false "RLIMIT_FSIZE during enrollment: ISSUED_NOT_SAVED, EFBIG is disk_full"
[ ! -e "$T/limited2.pfx" ] && [ "$(temp_files "$T")" -eq 0 ]; ok $? "  no partial backup, no temporary file"
is "$(issued_unsaved)" "$SERIALF" "  the host lives (SIGXFSZ ignored) and holds the certificate"
r=$(rpc s save_issued "$(jq -cn --arg p "$BPW" --arg path "$T/limited2.pfx" '{backup: {password: $p, path: $path}, install: true}')" | reply)
is "$(jq -r '"\(.ok) \(.result.saved)"' <<<"$r")" "true true" "  save_issued backup + install once the limit is lifted: saved"
is "$(pfx_serial "$T/limited2.pfx")" "$SERIALF" "  the backup holds it"

# ============================================================================ after issuance: every store refuses
new_otp
cp "$PKI/cert9.db" "$T/cert9.good"
ra_fault simpleenroll slow 3
send "$(jq -c '{id: "a", cmd: "apply", args: .}' <<<"$(apply_args "$T/second.pfx")")"
sleep 1
head -c 8192 /dev/urandom >"$PKI/cert9.db" # the store is damaged while the RA works
out=$(recv a)
ra_fault simpleenroll none
r=$(reply <<<"$out")
SERIAL3=$(detail issued_serial "$r")
is "$(code <<<"$r")/$(detail backup_written "$r")/$(jq -c .error.details.installed <<<"$r")" \
	'ISSUED_NOT_SAVED/true/[]' "every store refusing: ISSUED_NOT_SAVED, backup written, installed []"
is "$(detail cause "$r")" STORE_FAILED "  cause STORE_FAILED"
is "$(jq -r '.error.details.install_results[0].error.code' <<<"$r")" STORE_CORRUPT "  the store's own code is in install_results"
is "$(pfx_serial "$T/second.pfx")" "$SERIAL3" "  the backup holds it"
# a new login keeps it (only logout wipes it)
is "$(login)" true "log in again"
is "$(issued_unsaved)" "$SERIAL3" "a new login keeps the issued certificate"
cp "$T/cert9.good" "$PKI/cert9.db"
r=$(rpc s save_issued '{"install": true}' | reply)
is "$(jq -r '"\(.ok) \(.result.saved) \(.result.installed | join(","))"' <<<"$r")" "true true nss:pki" \
	"save_issued install: saved once the store is repaired"
like "$(nss_serials)" "(^| )$SERIAL3( |$)" "  certutil lists the certificate in the store"
is "$(issued_unsaved)" none "  and the session forgets it"

sess_close
ok $? "the session ends cleanly"

# A relative path: in HOME, although the host runs in a folder that has "rel/" (the browser picks the folder).
mkdir -p "$T/rel"
cd "$T" || exit 1
sess_open
cd "$root" || exit 1
is "$(login)" true "login (the host's working folder is $T)"
new_otp
r=$(rpc a apply "$(apply_args "rel/inside-home.pfx")" | reply)
is "$(code <<<"$r")/$(detail reason "$r")" FILE_WRITE_FAILED/no_folder \
	"a relative path is taken in HOME (HOME/rel does not exist), not in the working folder (which has rel/)"
mkdir -p "$HOME/rel"
r=$(rpc a apply "$(apply_args "rel/inside-home.pfx")" | reply)
is "$(jq -r .result.backup.path <<<"$r")" "$HOME/rel/inside-home.pfx" "  once it exists, the backup is written there"
[ ! -e "$T/rel/inside-home.pfx" ]; ok $? "  never in the working folder"
# the only store is protected by a password: ISSUED_NOT_SAVED, then save_issued with password_for
echo >"$T/empty.pw" # one empty line: certutil reads it as the empty password
printf 'Store-Pass-1\n' >"$T/store.pw"
certutil -W -d "sql:$PKI" -f "$T/empty.pw" -@ "$T/store.pw" >/dev/null 2>&1
new_otp
r=$(rpc a apply "$(apply_args "$T/protected.pfx")" | reply)
is "$(code <<<"$r")/$(detail backup_written "$r")/$(jq -r '.error.details.install_results[0].error.code' <<<"$r")" \
	ISSUED_NOT_SAVED/true/STORE_PASSWORD_REQUIRED "the only store wants a password: ISSUED_NOT_SAVED (backup written)"
r=$(rpc s save_issued '{"install": true, "password_for": {"nss:pki": "Store-Pass-1"}}' | reply)
is "$(jq -r '"\(.ok) \(.result.saved)"' <<<"$r")" "true true" "  save_issued install with password_for: saved"
certutil -W -d "sql:$PKI" -f "$T/store.pw" -@ "$T/empty.pw" >/dev/null 2>&1

# logout wipes an unsaved certificate
new_otp
ra_fault simpleenroll slow 3
send "$(jq -c '{id: "a", cmd: "apply", args: .}' <<<"$(apply_args "$SMALL/fourth.pfx")")"
sleep 1
fill
r=$(recv a | reply)
ra_fault simpleenroll none
unfill
is "$(code <<<"$r")" ISSUED_NOT_SAVED "ISSUED_NOT_SAVED again"
HELD=$(detail issued_serial "$r")
new_otp
out=$(rpc a apply "$(apply_args "$T/fifth.pfx")")
r=$(reply <<<"$out")
is "$(code <<<"$r")/$(detail cause "$r")/$(detail issued_serial "$r")/$(steps <<<"$out")" \
	"ISSUED_NOT_SAVED/ISSUED_NOT_SAVED/$HELD/" "a new apply while one is unsaved: refused first (the held key is not replaced)"
is "$(login)/$(rpc l2 login "$(jq -cn --arg i "$ID" --arg p "$PW" '{id: $i, password: $p}')" | reply |
	jq -r .result.issued_unsaved.serial)" "true/$HELD" "  login reports issued_unsaved too"
r=$(rpc o logout | reply)
is "$(issued_unsaved)" none "logout wipes it"
r=$(rpc s save_issued '{"install": true}' | reply)
is "$(code <<<"$r")" NO_CERTIFICATE "  save_issued has nothing left"
sess_close
ok $? "the session ends cleanly (no leak under ASan)"

! grep -E "Sanitizer|runtime error" "$T/stderr"
ok $? "no sanitizer report"
! grep -qF -- "$BPW" "$T/stderr"
ok $? "no password in the host's output"
done_testing
