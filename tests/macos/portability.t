#!/usr/bin/env bash
# What can be checked on Linux of the macOS build (the rest runs on a macOS runner: .github/workflows/macos.yml):
# the Makefile's flags for Darwin (no GNU ld options, the Security and CoreFoundation frameworks, the osascript
# dialog instead of zenity's), no posix_fallocate on the macOS path, the osascript dialog's protocol (run here
# against a stand-in osascript: argv, cancel, failure) and the pkg's library bundling (against stand-ins for
# otool, install_name_tool and codesign that record what they were asked).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-macos.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ---- the Makefile as macOS's make would run it (UNAME=Darwin; nothing is built)
n=$(make -n -B UNAME=Darwin BUILD="$T/b" "$T/b/ecm-host" 2>&1)
ok "$(grep -q -e '-z,relro' -e '--as-needed' <<<"$n"; [ $? -ne 0 ]; echo $?)" "Darwin: no -z relro / --as-needed (GNU ld only)"
like "$n" "-framework Security -framework CoreFoundation" "Darwin: links the Security and CoreFoundation frameworks"
like "$n" "host/core/dialog_macos.c" "Darwin: compiles the osascript dialog"
ok "$(grep -q 'dialog_posix.c' <<<"$n"; [ $? -ne 0 ]; echo $?)" "Darwin: not the zenity/kdialog one"
n=$(make -n -B BUILD="$T/l" "$T/l/ecm-host" 2>&1)
like "$n" "-z,relro" "Linux keeps its ELF hardening"

# ---- the macOS path of platform_posix.c: F_PREALLOCATE, never posix_fallocate
e=$(gcc -E -P -std=c11 -D_GNU_SOURCE -D__APPLE__ -U__linux__ -Iinclude host/core/platform_posix.c 2>&1 |
	sed -n '/^ecm_platform_reserve(/,/^}/p')
like "$e" "F_PREALLOCATE" "macOS: ecm_platform_reserve preallocates with fcntl(F_PREALLOCATE)"
ok "$(grep -q posix_fallocate <<<"$e"; [ $? -ne 0 ]; echo $?)" "macOS: and calls no posix_fallocate"

# ---- the osascript dialog, with a stand-in that records its argv and answers as osascript would
cat >"$T/osascript" <<'EOS'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done >"$(dirname "$0")/argv"
case $(cat "$(dirname "$0")/mode") in
pick) printf '/Users/wang/憑證/王小明.pfx\n' ;;
cancel) printf '' ;;
fail) echo "execution error: no user interaction allowed" >&2; exit 1 ;;
esac
EOS
chmod +x "$T/osascript"
cat >"$T/pick.c" <<'EOS'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ecm/platform.h"
int main(int argc, char **argv) {
	char *path = NULL; const char *why = NULL;
	int r = ecm_platform_pick_file(strcmp(argv[1], "save") == 0, argc > 2 ? argv[2] : NULL, &path, &why);
	printf("%d %s\n", r, path ? path : why);
	free(path);
	return 0;
}
EOS
gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude "-DECM_OSASCRIPT=\"$T/osascript\"" \
	-o "$T/pick" "$T/pick.c" host/core/dialog_macos.c
ok $? "dialog_macos.c compiles with -Wall -Wextra -Werror"
echo pick >"$T/mode"
is "$("$T/pick" open '/Users/wang/Documents/x"; do shell script "rm -rf ~"; ".pfx')" "0 /Users/wang/憑證/王小明.pfx" \
	"a picked file: its POSIX path"
is "$(sed -n '$p' "$T/argv")" 'x"; do shell script "rm -rf ~"; ".pfx' "the start name reaches the script as an argument, not as script text"
is "$(tail -n 3 "$T/argv" | head -n 2 | tr '\n' ' ')" "open /Users/wang/Documents " "mode and start folder are arguments too"
ok "$(grep -q 'rm -rf' <(grep -v "^x" "$T/argv" | sed '$d'); [ $? -ne 0 ]; echo $?)" "nothing of the start path is in the script"
echo cancel >"$T/mode"
like "$("$T/pick" save)" "^1 " "cancel (error -128 caught, empty answer): 1, CANCELLED"
echo fail >"$T/mode"
like "$("$T/pick" open 2>/dev/null)" "^-1 no file dialog" "osascript failing (no GUI session): -1, NO_DIALOG"

# ---- the pkg's libraries: bundle-dylibs.sh against stand-ins for Apple's tools
HB=$T/homebrew R=$T/root
mkdir -p "$HB/opt/nss/lib" "$HB/opt/openssl/lib" "$R/usr/local/bin" "$R/usr/local/lib/ecert-manager" "$T/tools"
for l in nss/lib/libnss3 nss/lib/libsoftokn3 nss/lib/libfreebl3 nss/lib/libnspr4 openssl/lib/libssl.3 openssl/lib/libcrypto.3; do
	echo "$l" >"$HB/opt/$l.dylib"
done
echo ecm-host >"$R/usr/local/lib/ecert-manager/ecm-host" && echo ecm >"$R/usr/local/bin/ecm"
# otool -L: what each file links, by its content's name; rewritten references (install_name_tool -change)
# are recorded in FILE.deps so the second look sees them.
cat >"$T/tools/otool" <<EOS
#!/bin/sh
f=\$2; echo "\$f:"
if [ -f "\$f.deps" ]; then cat "\$f.deps"; exit 0; fi
case \$(head -1 "\$f") in
ecm-host|ecm) printf '\t%s\n' "$HB/opt/nss/lib/libnss3.dylib" "$HB/opt/openssl/lib/libssl.3.dylib" /usr/lib/libSystem.B.dylib ;;
*libssl.3) printf '\t%s\n' "$HB/opt/openssl/lib/libcrypto.3.dylib" ;;
*libnss3) printf '\t%s\n' "$HB/opt/nss/lib/libnspr4.dylib" ;;
*libsoftokn3) printf '\t%s\n' "$HB/opt/nss/lib/libnspr4.dylib" ;;
esac
EOS
cat >"$T/tools/install_name_tool" <<'EOS'
#!/bin/sh
echo "install_name_tool $*" >>"${LOG:?}"
if [ "$1" = -change ]; then
	f=$4; [ -f "$f.deps" ] || otool -L "$f" | sed 1d >"$f.deps"
	sed -i "s|$2|$3|" "$f.deps"
fi
EOS
printf '#!/bin/sh\necho "codesign $*" >>"$LOG"\n' >"$T/tools/codesign"
chmod +x "$T"/tools/*
LOG=$T/log PATH=$T/tools:$PATH sh installer/macos/bundle-dylibs.sh "$R" 2>"$T/err"
ok $? "bundle-dylibs.sh: nothing left linked from Homebrew $(cat "$T/err")"
is "$(cd "$R/usr/local/lib/ecert-manager/lib" && ls *.dylib | tr '\n' ' ')" \
	"libcrypto.3.dylib libfreebl3.dylib libnspr4.dylib libnss3.dylib libsoftokn3.dylib libssl.3.dylib " \
	"the pkg carries every library, and NSS's dlopen()ed softokn3 and freebl3 beside libnss3"
like "$(cat "$T/log")" "-add_rpath @executable_path/lib .*ecm-host" "ecm-host finds them through @executable_path/lib"
like "$(cat "$T/log")" "-add_rpath @executable_path/../lib/ecert-manager/lib .*bin/ecm" "ecm through ../lib/ecert-manager/lib"
like "$(cat "$T/log")" "codesign --force --sign - .*ecm-host" "and everything changed is signed again"
done_testing
