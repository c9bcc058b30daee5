# shellcheck shell=bash
# Shared by tests/windows/*.t: builds the Windows programs (make windows, libraries from the cache), prepares a
# Wine prefix and wrappers so the Linux suites can drive ecm-host.exe / ecm.exe through real pipes.
#   win_setup            sets WIN (build/windows), WINEPREFIX, WRAP (a folder with ecm-host and ecm that run
#                        the .exe under Wine); skips the whole suite, saying why, only when wine cannot run at all
#   win_path UNIXPATH    the Windows form (Z:\...) of a Unix path
#   win_reset_my         empties HKCU\...\SystemCertificates\My (Wine does not persist deletions across processes)
# Sourced after tests/lib/tap.sh, from the top of the tree.

win_skip_all() {
	echo "ok 1 # SKIP $*"
	echo "1..1"
	exit 0
}

win_setup() {
	WIN=${ECM_WIN_BUILD:-build/windows}
	if [ "${ECM_WIN_NATIVE:-0}" = 1 ]; then win_setup_native; return; fi
	WINE=$(command -v wine64 || command -v wine || ls /usr/lib/wine/wine64 2>/dev/null)
	if [ -z "$WINE" ]; then
		bash tests/windows/build-deps >/dev/null 2>&1 # installs wine64 with the toolchain
		WINE=$(command -v wine64 || ls /usr/lib/wine/wine64 2>/dev/null)
	fi
	[ -n "$WINE" ] || win_skip_all "wine cannot run here: no wine64 (apt-get install wine64)"
	# One build for every suite of the run: make answers in seconds once the libraries are cached.
	if ! make -s windows >"${TMPDIR:-/tmp}/ecm-make-windows.$$.log" 2>&1; then
		tail -20 "${TMPDIR:-/tmp}/ecm-make-windows.$$.log" | sed 's/^/# /'
		echo "not ok 1 - make windows builds ecm-host.exe and ecm.exe"
		echo "1..1"
		exit 1
	fi
	rm -f "${TMPDIR:-/tmp}/ecm-make-windows.$$.log"
	export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
	export WINEPREFIX=${ECM_WINEPREFIX:-$PWD/$WIN/wineprefix}
	if [ ! -f "$WINEPREFIX/system.reg" ]; then
		timeout 120 "$WINE" wineboot -i >/dev/null 2>&1
	fi
	timeout 60 "$WINE" cmd /c exit 0 >/dev/null 2>&1 ||
		win_skip_all "wine cannot run here: $WINE could not start a program in $WINEPREFIX"
	WINESERVER=$(command -v wineserver || ls /usr/lib/wine/wineserver64 /usr/lib/wine/wineserver 2>/dev/null | head -1)
	WRAP=$(mktemp -d "${TMPDIR:-/tmp}/ecm-wrap.XXXXXX")
	local exe
	# Wine sets %LOCALAPPDATA% itself; the log goes to %LOCALAPPDATA%\ecert-manager. The wrappers link that folder
	# to $HOME/.local/state/ecert-manager of the suite running them, where the Linux suites look for the log.
	WIN_LOCALAPPDATA=$(win_unix_env LOCALAPPDATA)
	for exe in ecm-host ecm; do
		cat >"$WRAP/$exe" <<-EOF
			#!/bin/sh
			if [ -n "\${HOME:-}" ] && [ -d "$WIN_LOCALAPPDATA" ]; then
				[ -L "$WIN_LOCALAPPDATA/ecert-manager" ] || rm -rf "$WIN_LOCALAPPDATA/ecert-manager"
				mkdir -p "\$HOME/.local/state/ecert-manager" && ln -sfn "\$HOME/.local/state/ecert-manager" "$WIN_LOCALAPPDATA/ecert-manager"
			fi
			exec "$WINE" "$PWD/$WIN/$exe.exe" "\$@"
		EOF
		chmod +x "$WRAP/$exe"
	done
	export WINE WRAP
}

# On Windows itself (MSYS2 bash, .github/workflows/windows.yml): the programs run as they are, `reg` is Windows' own.
win_setup_native() {
	WINE=env WINESERVER=
	make -s windows ${ECM_WIN_MAKE_ARGS:-} || { echo "not ok 1 - make windows"; echo "1..1"; exit 1; }
	WRAP=$(mktemp -d)
	local exe
	for exe in ecm-host ecm; do
		printf '#!/bin/sh\nexec "%s" "$@"\n' "$PWD/$WIN/$exe.exe" >"$WRAP/$exe" && chmod +x "$WRAP/$exe"
	done
	export WINE WRAP
}

win_cleanup() {
	[ -n "${WRAP:-}" ] && rm -rf "$WRAP"
}

# win_unix_env NAME: the Unix path of a Windows environment folder as Wine sets it (APPDATA, LOCALAPPDATA, ...).
win_unix_env() {
	local w
	if [ "${ECM_WIN_NATIVE:-0}" = 1 ]; then cygpath -u "$(printenv "$1")"; return; fi
	w=$(timeout 60 "$WINE" cmd /c echo "%$1%" 2>/dev/null | tr -d '\r')
	timeout 60 "$WINE" winepath -u "$w" 2>/dev/null | tr -d '\r' | sed 's|/$||'
}

win_path() {
	if [ "${ECM_WIN_NATIVE:-0}" = 1 ]; then cygpath -w "$1"; else printf 'Z:%s' "$1" | tr '/' '\\'; fi
}

win_reset_my() {
	"$WINE" reg delete 'HKCU\Software\Microsoft\SystemCertificates\My' /f >/dev/null 2>&1
	"$WINE" reg add 'HKCU\Software\Microsoft\SystemCertificates\My\Certificates' /f >/dev/null 2>&1
	[ -n "$WINESERVER" ] && "$WINESERVER" -w 2>/dev/null
	return 0
}
