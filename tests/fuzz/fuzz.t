#!/usr/bin/env bash
# The fuzz short pass (issue 9): builds the libFuzzer targets (make fuzz-build: Debian's clang, ASan + UBSan; the
# rules are mk/fuzz.mk) and runs each for FUZZ_SHORT_SECONDS (default 20) from the committed seeds in
# tests/fuzz/corpus/, one check per target. A crash, a leak, a violated property, an input running over 10 s or a
# process over 2 GiB fails the check; the input is left in build/fuzz/crashes/. Longer runs: make fuzz FUZZ_SECONDS=N.
# What each target feeds and checks: docs/fuzzing.md.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

targets="frame request config pfx est ra_api profiles"
seconds=${FUZZ_SHORT_SECONDS:-20}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
	n=0
	for t in $targets; do n=$((n + 1)); echo "ok $n - fuzz $t # SKIP no clang with libFuzzer (tests/deps/apt-fuzz.txt)"; done
	echo "1..$n"
	exit 0
fi

mkdir -p build/fuzz
make -s -j2 fuzz-build >build/fuzz/build.log 2>&1
rc=$?
ok $rc "make fuzz-build: every target builds with clang, ASan + UBSan, -Werror"
[ $rc -eq 0 ] || tail -n 20 build/fuzz/build.log | sed 's/^/# /'

for t in $targets; do
	line=$(bash tests/fuzz/run --seconds "$seconds" "$t" 2>&1)
	rc=$?
	ok $rc "fuzz $(echo "$line" | tail -n 1)"
	[ $rc -eq 0 ] || echo "$line" | sed 's/^/# /'
done
done_testing
