# TAP helpers for the shell test suites (tests/**/*.t). Source it, call plan-free checks, end with `done_testing`.
# Each check prints "ok N - name" or "not ok N - name"; tests/run-all counts them.
# shellcheck shell=bash
_tap_n=0
_tap_failed=0

ok() { # ok CONDITION-EXIT-STATUS NAME   e.g.  [ -f x ]; ok $? "x exists"
	local status=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
}

is() { # is GOT WANT NAME
	local got=$1 want=$2; shift 2
	[ "$got" = "$want" ]; ok $? "$*"
	[ "$got" = "$want" ] || printf '#   got:  %s\n#   want: %s\n' "$got" "$want"
}

like() { # like GOT REGEX NAME
	local got=$1 re=$2; shift 2
	printf '%s' "$got" | grep -Eq -- "$re"; local s=$?
	ok $s "$*"
	[ $s -eq 0 ] || printf '#   got: %s\n#   want match: %s\n' "$(printf '%s' "$got" | head -c 600)" "$re"
}

diag() { printf '# %s\n' "$*"; }

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# shellcheck source=x509.sh
. "$(dirname "${BASH_SOURCE[0]}")/x509.sh"
