#!/usr/bin/env bash
# The Windows store backend (host/store/wincrypt_windows.c) run for real under Wine, through ecm.exe: import into
# CurrentUser\My (and again: already_present), find by issuer + serial (query, in a new process), remove with its
# key container, keep a container another certificate still uses, and the renew order (new installed before the
# old one is removed, tests/windows/apply.t); a CJK path on ecm.exe's command line; pick_file with no desktop;
# backup (the key read out with CryptExportKey) and a non-exportable key. Wine 8's gaps are named skips.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-wincrypt.XXXXXX")
trap 'win_cleanup; rm -rf "$T"' EXIT
ECM=$WRAP/ecm
export HOME=$T/home && mkdir -p "$HOME"
unset ECM_CONFIG
TOP=$PWD
cd "$T" || exit 1
ossl() { openssl "$@" 2>/dev/null; }

# Fixtures: a CA; RSA key 1 with two certificates (serials 11 and 12: a re-issue on the same key); RSA key 2
# (serial 21); a P-256 identity (serial 31).
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/CN=Test CA" -days 30
ossl genrsa -out k1.key 2048 && ossl genrsa -out k2.key 2048
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k3.key
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n' >leaf.cnf
leaf() { # leaf KEY SERIAL NAME
	ossl req -new -key "$1" -subj "/C=TW/CN=A123456789-00-PC001" -out "$3.csr" &&
		ossl x509 -req -in "$3.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$2" -days 20 -extfile leaf.cnf -out "$3.pem" &&
		ossl pkcs12 -export -inkey "$1" -in "$3.pem" -certfile ca.pem -passout pass:pfx-pw-1 -out "$3.pfx"
}
leaf k1.key 11 c11 && leaf k1.key 12 c12 && leaf k2.key 21 c21 && leaf k3.key 31 c31
ok "$([ -s c11.pfx ] && [ -s c12.pfx ] && [ -s c21.pfx ] && [ -s c31.pfx ]; echo $?)" "fixtures: four .pfx files"

req() { printf '{"id":"r","cmd":"%s","args":%s}\n' "$1" "${2:-{\}}" | timeout 120 "$ECM" session 2>>"$T/stderr" | tail -n 1; }
import() { req import "{\"path\":\"$T/$1.pfx\",\"password\":\"pfx-pw-1\"}"; }
status() { jq -r '.result.status // .error.code'; }
local_serial() { req query | jq -r '.result.local | if . == null then "none" else "\(.serial | ascii_upcase | ltrimstr("0")) \(.has_key)" end'; }
# containers: the rsaenh key containers of the prefix's user (Wine keeps them in its registry; Windows in files
# under %APPDATA%\Microsoft\Crypto: there the suite checks the certificates only)
containers() {
	timeout 60 "$WINE" reg query 'HKCU\Software\Wine\Crypto\RSA' 2>/dev/null | tr -d '\r' |
		awk -F'\\' '/RSA\\/ { print $NF }' | sort | tr '\n' ' ' | sed 's/ $//'
}
# ck CHECK…: a key-container check, which reads Wine's registry (on Windows itself: skipped, named)
ck() {
	if [ "${ECM_WIN_NATIVE:-0}" = 1 ]; then echo "ok $((_tap_n += 1)) # SKIP key containers are checked in Wine's registry only"
	else "$@"; fi
}
removed_from() { jq -r '([.result.removed[]? | "\(.store):\(.serial | ascii_upcase | ltrimstr("0"))"] | join(" ")) + "/" + (.result.failed | length | tostring)'; }

win_reset_my
timeout 60 "$WINE" reg delete 'HKCU\Software\Wine\Crypto\RSA' /f >/dev/null 2>&1

# ---- import, twice; find
is "$(import c11 | status)" installed "import: RSA .pfx into CurrentUser\\My"
is "$(import c11 | status)" already_present "import again: already_present (found by issuer + serial, with its key)"
is "$(local_serial)" "11 true" "query in a new process finds it with its key"
is "$(req query | jq -r .result.local.store)" windows:my "from the windows:my store"
ck like "$(containers)" "." "its key went into an rsaenh key container"
c_after_import=$(containers)

# ---- a re-issue on the same key: removing one certificate keeps the container the other uses
is "$(import c12 | status)" installed "import a second certificate on the same key"
r=$(req cleanup '{"serials":["11"]}')
is "$(removed_from <<<"$r")" "windows:my:11/0" "cleanup removes certificate 11 from CurrentUser\\My"
ck is "$(containers)" "$c_after_import" "the key container stays: certificate 12 still uses it"
# Wine does not persist a deletion across processes: a new process would still see 11 (and keep the container
# for it). Start again from a store holding 12 alone.
echo "ok $((_tap_n += 1)) # SKIP Wine limitation: CertDeleteCertificateFromStore is not persisted across processes, so a new process still lists 11 (on Windows it is gone)"
win_reset_my
is "$(import c12 | status)" installed "a store holding only certificate 12"
r=$(req cleanup '{"serials":["12"]}')
is "$(removed_from <<<"$r")" "windows:my:12/0" "cleanup removes certificate 12"
ck is "$(containers)" "" "no certificate uses the key any more: its container is deleted too (CRYPT_DELETEKEYSET)"

# ---- another key, then nothing of ours left
win_reset_my
is "$(import c21 | status)" installed "import a certificate with another key"
is "$(local_serial)" "21 true" "query finds it"
r=$(req cleanup '{"serials":["21"],"dry_run":true}')
is "$(jq -r '[.result.found[] | .store] | join(" ")' <<<"$r")" windows:my "cleanup dry run finds it and removes nothing"
is "$(local_serial)" "21 true" "still there after the dry run"
r=$(req cleanup '{"serials":["99"]}')
is "$(removed_from <<<"$r")" "/0" "cleanup of a serial not in the store removes nothing"
is "$(local_serial)" "21 true" "and leaves the certificate alone"

# ---- wrong input
r=$(req import "{\"path\":\"$T/c21.pfx\",\"password\":\"wrong\"}")
is "$(status <<<"$r")" PFX_WRONG_PASSWORD "a wrong .pfx password: PFX_WRONG_PASSWORD, nothing imported"

# ---- what Wine cannot do
r=$(import c31)
echo "ok $((_tap_n += 1)) # SKIP Wine limitation: PFXImportCertStore imports every key into an RSA provider (PROV_RSA_FULL, dlls/crypt32/pfx.c), so EC keys cannot be imported (the P-256 import answered $(status <<<"$r"))"

# ---- a CJK path on ecm.exe's command line (a Windows user named 王小明 has such paths everywhere): the
# arguments are read as UTF-16 (GetCommandLineW), not in the ANSI code page (which made it ??\???.pfx)
win_reset_my
mkdir -p "$T/憑證" && cp c21.pfx "$T/憑證/王小明.pfx" && printf 'pfx-pw-1' >pw.txt
# (LC_ALL=C.UTF-8: Wine turns this test's UTF-8 argv into the Windows command line by the Unix locale)
r=$(LC_ALL=C.UTF-8 timeout 120 "$ECM" import --path "$(win_path "$T/憑證/王小明.pfx")" --password-file "$(win_path "$T/pw.txt")" 2>>"$T/stderr")
is "$(jq -r '.status // .code' <<<"$r" 2>/dev/null)" installed "ecm.exe import --path …\\憑證\\王小明.pfx: installed"
[ "$(jq -r .status <<<"$r" 2>/dev/null)" = installed ] || diag "$r $(tail -2 "$T/stderr")"

# ---- the file dialog where no window can be created (Wine without a display, a service): NO_DIALOG, which the
# extension answers with a typed path, not CANCELLED (which it would take as the person's choice)
r=$(printf '{"id":"p","cmd":"pick_file","args":{"mode":"open"}}\n' | env -u DISPLAY -u WAYLAND_DISPLAY timeout 120 "$ECM" session 2>>"$T/stderr" | tail -n 1)
is "$(jq -r .error.code <<<"$r")" NO_DIALOG "pick_file with no desktop: NO_DIALOG"

# ---- backup from CurrentUser\My: the key read out of its container (CryptExportKey), the .pfx written by the
# PKCS#12 writer every OS shares (AES-256 + PBKDF2), opened here with Linux openssl
win_reset_my
timeout 60 "$WINE" reg delete 'HKCU\Software\Wine\Crypto\RSA' /f >/dev/null 2>&1
is "$(import c21 | status)" installed "a store holding certificate 21 with its key"
r=$(req backup "{\"path\":\"$T/out.pfx\",\"password\":\"Backup-Pass-1\"}")
is "$(jq -r '"\(.ok) \(.result.format)"' <<<"$r")" "true aes" "backup from CurrentUser\\My succeeds"
[ "$(jq -r .ok <<<"$r")" = true ] || diag "$r"
info=$(openssl pkcs12 -info -noout -in "$T/out.pfx" -passin pass:Backup-Pass-1 2>&1)
like "$info" "PBKDF2.*AES-256-CBC" "the backup is AES-256-CBC with PBKDF2 (openssl pkcs12 -info), not 3DES/SHA-1"
openssl pkcs12 -in "$T/out.pfx" -passin pass:Backup-Pass-1 -nocerts -nodes 2>/dev/null | ossl pkey -pubout >out.pub
ossl pkey -in k2.key -pubout >k2.pub
ok "$([ -s out.pub ] && cmp -s out.pub k2.pub; echo $?)" "its private key is the one imported (same public key)"
is "$(openssl pkcs12 -in "$T/out.pfx" -passin pass:Backup-Pass-1 -nokeys -clcerts 2>/dev/null | ossl x509 -noout -serial)" \
	"serial=21" "its certificate is certificate 21"

# ---- a key imported NOT exportable (the import wizard's default; tests/windows/import-nonexportable.c)
win_reset_my
timeout 60 "$WINE" reg delete 'HKCU\Software\Wine\Crypto\RSA' /f >/dev/null 2>&1
"${WIN_CC:-x86_64-w64-mingw32-gcc}" -municode -O2 -o ine.exe "$TOP/tests/windows/import-nonexportable.c" -lcrypt32
timeout 60 "$WINE" ./ine.exe "$(win_path "$T/c21.pfx")" pfx-pw-1 2>>"$T/stderr"
ok $? "fixture: certificate 21 imported with a key that is not exportable"
r=$(req backup "{\"path\":\"$T/ne.pfx\",\"password\":\"Backup-Pass-1\"}")
is "$(jq -r .error.code <<<"$r")" KEY_NOT_EXPORTABLE "backup of a non-exportable key: KEY_NOT_EXPORTABLE"
ok "$(grep -q "error 0)" <<<"$(jq -r .error.message <<<"$r")"; [ $? -ne 0 ]; echo $?)" "and never \"error 0\""
ok "$([ ! -e "$T/ne.pfx" ]; echo $?)" "no file is written"
echo "ok $((_tap_n += 1)) # SKIP Wine limitation: NCryptOpenStorageProvider/NCryptOpenKey are stubs, so CNG key containers (delete_key's and export's NCryptExportKey path) cannot run"
done_testing
