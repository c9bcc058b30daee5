#!/usr/bin/env bash
# Secrets leave no copy behind (issue 9, class 5). A whole apply against the development RA with a distinctive
# password, OTP and backup password, through both front ends (ecm-host as the browser runs it, and `ecm session`);
# a core image of the process after login, after apply and after logout must hold none of them after logout, and
# never the OTP or the backup password; nor may any file, the log, /proc/PID/environ or /proc/PID/cmdline.
#
# How the image is taken: the front ends make themselves non-dumpable (PR_SET_DUMPABLE 0) and set RLIMIT_CORE
# to 0, so neither the kernel nor a same-user debugger can get one. There is deliberately no switch to undo that
# (an environment variable would be one for an attacker too): the suite attaches gdb as root, whose
# CAP_SYS_PTRACE passes the dumpable check, and is skipped where it cannot. gcore is told to include the
# mappings a core dump leaves out (MADV_DONTDUMP: the secret pages), so that "wiped" is checked, not merely
# "hidden" (under ASan, see image()).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
. tests/lib/session.sh # send, recv, rpc, reply, sess_close
B=${ECM_BUILD:-build}
ECM=$B/ecm
HOST=$B/ecm-host
FT=tests/host/frame-tool.pl
CHROME=chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/

if [ "$(id -u)" -ne 0 ] || ! command -v gdb >/dev/null; then
	echo "ok 1 # SKIP needs root (CAP_SYS_PTRACE) and gdb to take a core image of a non-dumpable process"
	echo "1..1"
	exit 0
fi
asan=0
nm -D "$HOST" 2>/dev/null | grep -q __asan_init && asan=1 # sanitizer build: see image()

T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-secrets.XXXXXX")
trap 'sess_close >/dev/null 2>&1; ra_stop; rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/home/.local/state ECM_LOG=debug
mkdir -p "$HOME"
LOG=$XDG_STATE_HOME/ecert-manager/ecm.log

ra_start "$T/ra" || { echo "Bail out! the development RA did not start"; exit 1; }
PW="Pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-zebra"
BPW="Bk-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')-quokka"
# The RA's demo password of two spare customers (one per front end) becomes ours: stop it, change its database
# (and the seed /test/reset goes back to), start it again.
ra_stop
for f in db.json seed.json; do
	PW=$PW node -e '
	const c = require("crypto"), fs = require("fs"), f = process.argv[1], d = JSON.parse(fs.readFileSync(f));
	for (const id of process.argv.slice(2)) {
		const salt = c.randomBytes(16).toString("hex"), u = d.customers[id];
		u.pw = { salt, hash: c.scryptSync(process.env.PW, salt, 32, { N: 4096 }).toString("hex") };
		delete u.password_demo;
	}
	fs.writeFileSync(f, JSON.stringify(d));' "$T/ra/$f" D220334567 E120556786
done
ra_start "$T/ra" || { echo "Bail out! the development RA did not start again"; exit 1; }
ra_host_config "$T/ra" "$T/base.json"
jq --arg d "$T/backups" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
mkdir -p "$T/backups"
export ECM_CONFIG=$T/host.json

# Front ends. Each opens the connection as a coprocess (TO_ECM/FROM_ECM, as tests/lib/session.sh) and sets PID.
# wait_exec NAME: until $PID has exec'd the front end (the coprocess starts as a copy of this shell)
wait_exec() {
	local _
	for _ in $(seq 100); do [[ $(readlink "/proc/$PID/exe") == */$1 ]] && return 0; sleep 0.05; done
	diag "process $PID is $(readlink "/proc/$PID/exe"), not $1"
	return 1
}
# The coprocess writes its own PID (before exec) to $T/pid; both are read through TO_ECM/FROM_ECM.
coopen() {
	local _
	exec {TO_ECM}>&"${ECMS[1]}" {FROM_ECM}<&"${ECMS[0]}"
	for _ in $(seq 100); do [ -s "$T/pid" ] && break; sleep 0.05; done
	PID=$(cat "$T/pid")
	rm -f "$T/pid"
	wait_exec "$1"
}
open_session() {
	coproc ECMS { echo $BASHPID >"$T/pid"; exec "$ECM" session 2>>"$T/stderr"; }
	coopen ecm
}
open_host() {
	coproc ECMS { perl $FT encode-stream | { echo $BASHPID >"$T/pid"; exec "$HOST" "$CHROME"; } |
		perl $FT decode-stream; } 2>>"$T/stderr"
	coopen ecm-host
}

# image NAME: a core image of $PID in $T/NAME.core, by gdb's gcore with the excluded mappings included. Under
# ASan that would be terabytes: there every readable mapping under 1 GiB (the shadow and the allocator's
# reserve are larger) is read from /proc/PID/mem instead, the secret pages included as well.
image() {
	if [ $asan = 1 ]; then
		perl -e '
			my ($pid, $out) = @ARGV;
			open(my $maps, "<", "/proc/$pid/maps") or die "maps: $!";
			open(my $mem, "<:raw", "/proc/$pid/mem") or die "mem: $!";
			open(my $o, ">:raw", $out) or die "$out: $!";
			while (<$maps>) {
				my ($from, $to, $perm) = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/ or next;
				my ($s, $e) = (hex $from, hex $to);
				next if $perm !~ /^r/ || $e - $s > (1 << 30) || / \[vvar\]/;
				sysseek($mem, $s, 0) or next;
				for (my $left = $e - $s; $left > 0;) {
					my $n = sysread($mem, my $buf, $left > (1 << 20) ? (1 << 20) : $left) or last;
					print $o $buf;
					$left -= $n;
				}
			}' "$PID" "$T/$1.core" 2>"$T/gdb.log"
	else
		timeout 120 gdb -p "$PID" -batch -nx -ex 'set use-coredump-filter off' -ex 'set dump-excluded-mappings on' \
			-ex "gcore $T/$1.core" >"$T/gdb.log" 2>&1
	fi
	[ -s "$T/$1.core" ]
}
# count FILE TEXT: how many times TEXT is in FILE (as bytes; the OTP only when no digit touches it)
count() {
	if [[ $2 =~ ^[0-9]+$ ]]; then
		grep -a -o -P "(?<![0-9])$2(?![0-9])" "$1" | wc -l
	else
		grep -a -o -F -- "$2" "$1" | wc -l
	fi
}
absent() { # absent FILE TEXT LABEL
	local n
	n=$(count "$1" "$2")
	is "$n" 0 "$3"
}
proc_clean() { # proc_clean LABEL: environ and cmdline of $PID hold no secret
	local f s n=0
	for f in environ cmdline; do
		for s in "$PW" "$BPW" ${OTP:+"$OTP"}; do
			[ "$(tr '\0' '\n' <"/proc/$PID/$f" | count /dev/stdin "$s")" = 0 ] || n=$((n + 1))
		done
	done
	is "$n" 0 "$1: /proc/PID/environ and cmdline hold no secret"
}

run_front_end() { # run_front_end NAME OPEN-FUNCTION NATIONAL-ID
	local name=$1 r
	A=$3 BASIC=$(printf '%s:%s' "$3" "$PW" | base64 -w0) OTP=
	$2
	r=$(rpc 1 login "{\"id\":\"$A\",\"password\":\"$PW\"}" | reply)
	is "$(jq -r .ok <<<"$r")" true "$name: login with the distinctive password"
	like "$(grep 'Max core file size' "/proc/$PID/limits")" ' 0 +0 ' "$name: core dumps are off (RLIMIT_CORE 0)"
	image login || { ok 1 "$name: core image after login ($(tail -n 2 "$T/gdb.log" | tr '\n' ' '))"; return; }
	ok 0 "$name: core image after login"
	like "$(count "$T/login.core" "$A")" '^[1-9]' "$name: the image is searchable (the national ID is in it)"
	like "$(count "$T/login.core" "$PW")" '^[1-9]' "$name: after login the password is held (in its secret pages)"
	absent "$T/login.core" "$BPW" "$name: after login no backup password"
	proc_clean "$name: after login"

	r=$(rpc 2 otp_request | reply)
	is "$(jq -r .ok <<<"$r")" true "$name: otp_request"
	OTP=$(ra_otp "$A")
	like "$OTP" '^[0-9]{6}$' "$name: the RA sent an OTP"
	OTPS+=("$OTP")
	r=$(rpc 3 apply "{\"terms_version\":\"2026.1\",\"otp\":\"$OTP\",\"backup\":{\"password\":\"$BPW\"}}" | reply)
	is "$(jq -r .ok <<<"$r")" true "$name: apply issued, backed up and installed"
	image apply && ok 0 "$name: core image after apply" || ok 1 "$name: core image after apply"
	absent "$T/apply.core" "$OTP" "$name: after apply the OTP is nowhere in memory"
	absent "$T/apply.core" "$BPW" "$name: after apply the backup password is nowhere in memory"
	proc_clean "$name: after apply"

	r=$(rpc 4 logout | reply)
	is "$(jq -r .result.was_logged_in <<<"$r")" true "$name: logout"
	image logout && ok 0 "$name: core image after logout" || ok 1 "$name: core image after logout"
	absent "$T/logout.core" "$PW" "$name: after logout the password is nowhere in memory"
	absent "$T/logout.core" "$BASIC" "$name: after logout no Basic credentials (curl's copies)"
	absent "$T/logout.core" "$OTP" "$name: after logout no OTP"
	absent "$T/logout.core" "$BPW" "$name: after logout no backup password"
	proc_clean "$name: after logout"
	sess_close
	is "$?" 0 "$name: the connection ends cleanly"
	rm -f "$T"/*.core
}

OTPS=()
run_front_end ecm-host open_host D220334567
run_front_end "ecm session" open_session E120556786

BASIC_D=$(printf '%s:%s' D220334567 "$PW" | base64 -w0) BASIC_E=$(printf '%s:%s' E120556786 "$PW" | base64 -w0)
# Nothing on disk: the log (ECM_LOG=debug), the backups, the NSS databases, every file of the run but the RA's.
ok "$([ -s "$LOG" ]; echo $?)" "the debug log was written"
n=0
while IFS= read -r -d '' f; do
	for s in "$PW" "$BPW" "$BASIC_D" "$BASIC_E"; do [ "$(count "$f" "$s")" = 0 ] || { n=$((n + 1)); diag "$s in $f"; }; done
done < <(find "$T" -path "$T/ra" -prune -o -type f -print0)
is "$n" 0 "no file holds the password, the backup password or the Basic credentials"
n=0
for s in "${OTPS[@]}"; do n=$((n + $(count "$LOG" "$s"))); done
is "$n" 0 "the log holds no OTP (a 6-digit code is searched in the text log only: binary files hold digits)"
ls "$T"/backups/*.pfx >/dev/null 2>&1
ok $? "the backups were written (and hold their password only as a key)"

# Other processes of the same user cannot read the host's memory or environment (PR_SET_DUMPABLE 0).
if command -v setpriv >/dev/null; then
	NBDIR=$(mktemp -d "${TMPDIR:-/tmp}/ecm-nobody.XXXXXX")
	chmod 755 "$NBDIR" && cp "$HOST" "$NBDIR/" && chmod 755 "$NBDIR/ecm-host"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/ "$@"; }
	coproc NB { exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/ "$NBDIR/ecm-host" "$CHROME"; }
	PID=$NB_PID
	wait_exec ecm-host
	ok $? "ecm-host runs as nobody"
	# /proc/PID turns root's once the process is not dumpable: wait for main to get there (ASan starts slowly)
	for _ in $(seq 100); do [ "$(stat -c %u "/proc/$PID")" = 0 ] && break; sleep 0.05; done
	as_nobody cat "/proc/$PID/environ" >/dev/null 2>&1
	ok $((! $?)) "another process of the same user cannot read /proc/PID/environ of ecm-host"
	as_nobody gdb -p "$PID" -batch -nx -ex 'info proc' >"$T/nb-gdb.log" 2>&1
	ok "$(grep -qiE 'not permitted|could not attach' "$T/nb-gdb.log"; echo $?)" \
		"another process of the same user cannot attach a debugger"
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	rm -rf "$NBDIR"
else
	echo "ok - # SKIP setpriv missing: same-user ptrace check not run"
fi

done_testing
