#!/usr/bin/env bash
# make bench still runs every row: one quick pass (BENCH_QUICK=1: one run each, the installs at 10k iterations,
# the rows at the product's defaults at 600k) must finish, print
# each row of the table with three figures, and find each side's job done (the bench checks that itself and exits
# 1 when a job was not: an apply refused, a database not filled). No figure is compared with anything: the
# benchmark prints them, docs/performance.md reads them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-bench-t.XXXXXX")
trap 'rm -rf "$T"' EXIT

BENCH_QUICK=1 bash tests/bench/run >"$T/out" 2>"$T/err"
ok $? "a quick pass of the benchmark finishes with status 0"
is "$(grep -c '^bench:' "$T/err")" 0 "no job was left undone on either side"
[ -s "$T/err" ] && diag "$(head -n 5 "$T/err")"
like "$(head -n 3 "$T/out")" 'machine: [0-9]+ CPUs' "the table names the machine it came from"

num='[0-9]+\.[0-9]{3}'
figures() { # figures ROW-START: the row exists and has min, median and max
	grep -E "^\| $1" "$T/out" | grep -Eq "\| +$num \| +$num \| +$num \|"
}
figures 'spawn→hello, wall'; ok $? "spawn→hello wall ratio against the trivial host"
if command -v valgrind >/dev/null; then
	figures 'spawn→hello, instructions'; ok $? "spawn→hello instruction ratio (callgrind)"
else
	ok 0 "spawn→hello instruction ratio # SKIP valgrind is not installed"
fi
for n in 1 3 10 30; do
	figures "install, $n database\(s\), 10000 iterations, wall"; ok $? "install into $n database(s): wall ratio"
	figures "install, $n database\(s\), 10000 iterations, CPU"; ok $? "install into $n database(s): CPU ratio"
done
for kt in p256 rsa2048; do
	figures "apply $kt, 3 stores, wall"; ok $? "apply $kt against the shell pipeline: wall ratio"
	figures "apply $kt, 3 stores, CPU"; ok $? "apply $kt against the shell pipeline: CPU ratio"
done
figures 'peak RSS of ecm apply, MiB'; ok $? "peak RSS of ecm apply"
# The rows at the product's defaults run even in the quick pass (once), each beside the floor measured in it.
figures 'floor: one PBKDF2-SHA256 600000, s'; ok $? "the floor: one PBKDF2 at 600k, this run"
like "$(grep -E '^\| floor:' "$T/out")" 'NSS [0-9.]+ s, OpenSSL [0-9.]+ s' "the floor names both libraries' times"
for iter in 600000 10000; do
	figures "import, 1 store, $iter iterations, wall"; ok $? "import into 1 store at $iter: wall ratio against pk12util -i"
	like "$(grep -E "^\| import, 1 store, $iter iterations, wall" "$T/out")" 'ecm [0-9.]+ s, pk12util [0-9.]+ s, floor [0-9.]+ s' \
		"import at $iter: each side's median beside the floor"
	figures "import, 1 store, $iter iterations, CPU"; ok $? "import into 1 store at $iter: CPU ratio"
done
figures 'apply at defaults \(rsa2048, 600000 backup\), 3 stores, wall'; ok $? "apply at the defaults: wall ratio"
figures 'apply at defaults \(rsa2048, 600000 backup\), 3 stores, CPU'; ok $? "apply at the defaults: CPU ratio"
figures 'peak RSS of ecm apply at defaults'; ok $? "peak RSS of ecm apply at the defaults"
grep -Eq '^\| install, .*600000 iterations' "$T/out"; [ $? -ne 0 ]; ok $? "the quick pass leaves out the 600k install rows"
done_testing
