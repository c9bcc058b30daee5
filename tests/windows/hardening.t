#!/usr/bin/env bash
# The Windows programs and every DLL shipped beside them are hardened PE files: ASLR with 64-bit entropy
# (DYNAMIC_BASE, HIGH_ENTROPY_VA), DEP (NX_COMPAT), and our programs carry the stack protector and
# _FORTIFY_SOURCE checks. Read from the files themselves (objdump -p, DllCharacteristics), as
# tests/host/hardening.t does for ELF.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
trap win_cleanup EXIT
OBJDUMP=x86_64-w64-mingw32-objdump
for f in "$WIN"/ecm-host.exe "$WIN"/ecm.exe "$WIN"/*.dll; do
	name=${f##*/}
	hdr=$($OBJDUMP -p "$f")
	chars=$(awk '/^DllCharacteristics/ { print $2 }' <<<"$hdr")
	for flag in DYNAMIC_BASE:0x40 NX_COMPAT:0x100 HIGH_ENTROPY_VA:0x20; do
		bit=${flag#*:}
		ok $(( (0x${chars:-0} & bit) == bit ? 0 : 1 )) "$name: ${flag%:*} (DllCharacteristics 0x${chars:-?})"
	done
	like "$hdr" 'Magic[[:space:]]+020b' "$name: PE32+ (64-bit)"
	case $name in
	*.exe)
		syms=$($OBJDUMP -t "$f")
		like "$syms" '__stack_chk_fail' "$name: stack protector"
		like "$syms" '__chk_fail' "$name: _FORTIFY_SOURCE checks (mingw-w64's inline checks end in __chk_fail)"
		like "$hdr" 'Subsystem[[:space:]]+00000003' "$name: a console program (stdio is the browser's pipe)"
		;;
	esac
done
# Every DLL the programs import is either shipped beside them or part of Windows.
for exe in ecm-host.exe ecm.exe; do
	missing=
	for dll in $($OBJDUMP -p "$WIN/$exe" | awk '/DLL Name:/ { print $3 }'); do
		[ -f "$WIN/$dll" ] && continue
		case ${dll,,} in
		kernel32.dll|advapi32.dll|crypt32.dll|bcrypt.dll|ncrypt.dll|ws2_32.dll|user32.dll|comdlg32.dll|msvcrt.dll|\
		shell32.dll|ole32.dll|gdi32.dll|secur32.dll|iphlpapi.dll|winmm.dll|mswsock.dll|api-ms-win-*) ;;
		*) missing="$missing $dll" ;;
		esac
	done
	is "${missing:-none}" none "$exe: every DLL it needs is beside it or part of Windows"
done
done_testing
