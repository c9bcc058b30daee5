#!/usr/bin/env bash
# The `ecm` command line: nested options, secrets only from files or the terminal, on-demand store passwords.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
B=${ECM_BUILD:-build}
ECM=$B/ecm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config ECM_QUIET=1
mkdir -p "$HOME"
unset ECM_CONFIG

# A .pfx of our own, as a broker's old tool might have written it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 30 -subj "/CN=Old CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/k.pem" -out "$work/c.csr" -subj "/C=TW/CN=A123456789-00-PC001" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >"$work/ext"
openssl x509 -req -in "$work/c.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 30 \
	-extfile "$work/ext" -out "$work/c.pem" 2>/dev/null
printf 'Pfx-Pass-1\n' >"$work/pfx.pw"
openssl pkcs12 -export -in "$work/c.pem" -inkey "$work/k.pem" -out "$work/old.pfx" -passout pass:Pfx-Pass-1 2>/dev/null
serial=$(cert_serial "$work/c.pem")

out=$("$ECM" query --pfx.path "$work/old.pfx" --pfx.password-file "$work/pfx.pw" </dev/null 2>&1)
is "$(jq -r '.local.serial' <<<"$out" 2>/dev/null)" "$serial" "query reads a .pfx given with nested options"
is "$(jq -r '.source' <<<"$out" 2>/dev/null)" pfx "the answer says it came from the .pfx"

out=$("$ECM" query --pfx.path "$work/old.pfx" --pfx.password Pfx-Pass-1 </dev/null 2>&1)
rc=$?
ok $((rc == 0 ? 1 : 0)) "a secret on argv is refused (exit $rc)"
like "$out" 'is a secret' "and the refusal says how to pass it"

out=$("$ECM" query --args-json '{"pfx":{"path":"x","password":"p"}}' </dev/null 2>&1)
like "$out" 'cannot carry a secret' "--args-json cannot smuggle a secret"

out=$(setsid -w "$ECM" query --pfx.path "$work/old.pfx" </dev/null 2>&1)
rc=$?
ok $((rc == 0 ? 1 : 0)) "no terminal and no file: refused (exit $rc)"
like "$out" 'no terminal' "and it says to use a --…-file option"

out=$("$ECM" query </dev/null 2>&1)
is "$(jq -r '.local' <<<"$out" 2>/dev/null)" null "query without a .pfx and an empty store asks for nothing and finds nothing"

# import: the .pfx password from a file; the store's password is asked only when the store has one.
out=$("$ECM" import --path "$work/old.pfx" --password-file "$work/pfx.pw" </dev/null 2>&1)
is "$(jq -r '.certificate.serial' <<<"$out" 2>/dev/null)" "$serial" "import with --password-file"
certutil -L -d "sql:$HOME/.pki/nssdb" | grep -q 'A123456789'; ok $? "certutil lists the imported certificate"

printf 'Store-Pass-9\n' >"$work/store.pw"
rm -rf "$HOME/.pki/nssdb" && mkdir -p "$HOME/.pki/nssdb"
certutil -N -d "sql:$HOME/.pki/nssdb" -f "$work/store.pw" >/dev/null 2>&1
out=$(setsid -w "$ECM" import --path "$work/old.pfx" --password-file "$work/pfx.pw" </dev/null 2>&1)
like "$out" 'STORE_PASSWORD_REQUIRED' "a protected store without a terminal: STORE_PASSWORD_REQUIRED"
out=$("$ECM" import --path "$work/old.pfx" --password-file "$work/pfx.pw" --store-password-file "$work/store.pw" \
	</dev/null 2>&1)
is "$(jq -r '.certificate.serial' <<<"$out" 2>/dev/null)" "$serial" "and with --store-password-file it imports"

# install: a Firefox profile whose database has a password is asked for it, or reads it from a file.
prof=$HOME/.mozilla/firefox/locked.default
mkdir -p "$prof"
printf '[Profile0]\nName=locked\nIsRelative=1\nPath=locked.default\n' >"$HOME/.mozilla/firefox/profiles.ini"
printf 'Profile-Pass-7\n' >"$work/prof.pw"
certutil -N -d "sql:$prof" -f "$work/prof.pw" >/dev/null 2>&1
store=$("$ECM" stores | jq -r '.stores[] | select(.profile == "locked") | .id')
printf 'nss:pki\tStore-Pass-9\n' >"$work/primary.pw"
out=$(setsid -w "$ECM" install --store-passwords-file "$work/primary.pw" </dev/null 2>&1)
like "$out" "STORE_PASSWORD_REQUIRED +$store" "install: the protected profile needs its password"
printf 'nss:pki\tStore-Pass-9\n%s\tProfile-Pass-7\n' "$store" >"$work/stores.pw"
out=$("$ECM" install --store-passwords-file "$work/stores.pw" </dev/null 2>&1)
like "$out" "installed +$store" "install --store-passwords-file: installed there"
certutil -L -d "sql:$prof" | grep -q A123456789; ok $? "certutil lists it in the protected profile"
certutil -D -d "sql:$prof" -n A123456789-00-PC001 -f "$work/prof.pw" >/dev/null 2>&1
if command -v script >/dev/null; then
	out=$( { sleep 1; printf 'Store-Pass-9\n'; sleep 1; printf 'Profile-Pass-7\n'; } |
		script -qec "$ECM install" /dev/null 2>&1 | tr -d '\r')
	like "$out" "Password of the certificate store nss:pki" "install on a terminal asks for the primary store's password"
	like "$out" "Password of the certificate store $store" "and for the protected profile's"
	like "$out" "installed +$store" "and then installs there"
fi
like "$("$ECM" install --bogus 2>&1)" 'usage: ecm install' "install: unknown option shows the usage"

out=$("$ECM" nonsense 2>&1); rc=$?
ok $((rc == 0 ? 1 : 0)) "unknown command exits non-zero"
like "$out" 'unknown command' "and says so"
done_testing
