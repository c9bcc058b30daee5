# The start shared by the suites that drive `ecm session` against the development RA (tests/host/flows.t,
# pending.t, tests/sign/sign.t, tests/faults/backup.t, renew.t). Source it with SUITE set (names the scratch folder);
# a suite that needs more on exit (unmounts) defines suite_cleanup. It gives:
#   root, ECM (the ecm under test), T (scratch, removed on exit unless KEEP is set), the TAP, RA and session helpers;
#   the RA started, $T/base.json its host configuration, BK=$T/backups, HOME=$T/home and PKI, its NSS database;
#   code (a reply's error code, OK when none), detail NAME REPLY, steps (a command's progress steps).
# The suite writes its own $T/host.json from base.json and exports ECM_CONFIG.
# shellcheck shell=bash
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tap.sh
. "$root/tests/lib/tap.sh"
# shellcheck source=ra.sh
. "$root/tests/lib/ra.sh"
ECM=$(cd "$root" && realpath "${ECM_BUILD:-build}/ecm")
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-$SUITE.XXXXXX")
cleanup_all() {
	[ -n "${ECMS_PID:-}" ] && kill "$ECMS_PID" 2>/dev/null
	ra_stop
	! declare -F suite_cleanup >/dev/null || suite_cleanup
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup_all EXIT
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

ra_start "$T/ra" || { echo "Bail out! the development RA did not start"; exit 1; }
ra_host_config "$T/ra" "$T/base.json" # pkcs12_iterations 2048
BK=$T/backups
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
PKI=$HOME/.pki/nssdb

# shellcheck source=session.sh
. "$root/tests/lib/session.sh"
code() { jq -r '.error.code // "OK"'; }
detail() { jq -r ".error.details.$1" <<<"$2"; }
steps() { grep '"progress"' | jq -r .progress.step | tr '\n' ' '; }
