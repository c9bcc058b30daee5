#!/usr/bin/env bash
# The CLI's secrets are the rows marked ECM_ARG_SECRET: a map of store passwords (password_for, wherever a command
# writes to stores) is one too, so it never comes from argv — neither as an option nor inside --args-json; and
# what the commands' own lists held stays secret (ra_check's password and OTP).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-secrets-argv.XXXXXX")
trap 'rm -rf "$T"' EXIT
echo '{}' >"$T/empty.json"
run() { HOME=$T ECM_CONFIG=$T/empty.json "$ECM" "$@" 2>&1; }

out=$(run save_issued --args-json '{"password_for":{"nss:pki":"pw"}}'); rc=$?
[ $rc -ne 0 ]; ok $? "save_issued: a store password inside --args-json is refused"
like "$out" 'cannot carry a secret' "  ...saying it is a secret"
out=$(run save_issued --password-for nss:pki); rc=$?
[ $rc -ne 0 ]; ok $? "save_issued: --password-for on the command line is refused"
like "$out" 'is a secret' "  ...saying it is a secret"
out=$(run cleanup --args-json '{"password_for":{"nss:pki":"pw"}}'); rc=$?
[ $rc -ne 0 ]; ok $? "cleanup: a store password inside --args-json is refused"
like "$out" 'cannot carry a secret' "  ...saying it is a secret"
out=$(run ra_check --otp 123456); rc=$?
[ $rc -ne 0 ]; ok $? "ra_check: --otp on the command line is refused"
like "$out" 'is a secret' "  ...saying it is a secret"
out=$(run ra_check --args-json '{"password":"pw"}'); rc=$?
[ $rc -ne 0 ]; ok $? "ra_check: a password inside --args-json is refused"
like "$out" 'cannot carry a secret' "  ...saying it is a secret"
out=$(run login --id A123456789 --password pw); rc=$?
[ $rc -ne 0 ]; ok $? "login: --password on the command line is refused"
like "$out" 'is a secret' "  ...saying it is a secret"
done_testing
