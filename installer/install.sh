#!/bin/sh
# e-Cert Manager installer for Linux: ecm-host, ecm, the broker's configuration, and the native-messaging
# manifests for Chrome, Chromium, Edge, Brave, Vivaldi and Firefox, per user (default) or system-wide.
# Every file and folder it creates is listed in LIBDIR/install-manifest.txt; --uninstall removes exactly
# those (folders only when empty). Where each browser looks: docs/installing.md.
set -u
umask 022

NAME=org.ecertmanager.host
nl='
'

usage() {
	cat <<EOF
usage: install.sh [--user | --system] [--uninstall] [--prefix DIR] [--root DIR]
                  [--config FILE] [--ca FILE] [--host PATH] [--ecm PATH] [--package]
  --user        install for this user (default): ~/.local/lib/ecert-manager, ~/.local/bin/ecm
  --system      install for everyone: PREFIX/lib/ecert-manager (PREFIX default /usr/local),
                /etc/ecert-manager/config.json, system manifest folders
  --uninstall   remove what an earlier install with the same options put there
  --prefix DIR  installation prefix (user: ~/.local, system: /usr/local)
  --root DIR    stage everything under DIR (also \$DESTDIR); paths written into files omit it
  --config FILE the broker's config.json; --ca FILE its CA bundle (installed beside the config)
  --host PATH   the ecm-host binary to install (default: build/ecm-host of this tree)
  --ecm PATH    the ecm binary to install (default: build/ecm of this tree, skipped if missing)
  --package     system layout for a package build: no install list, no notes (used by make deb)
EOF
	exit 2
}

die() {
	echo "install.sh: $*" >&2
	exit 1
}

need_arg() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		die "$1 needs a value"
	fi
}

here=$(cd "$(dirname "$0")" && pwd) || die "cannot find my own folder"
top=$(dirname "$here")
templates=$top/manifests

mode=user
action=install
prefix=
root=${DESTDIR:-}
config=
ca=
host=$top/build/ecm-host
cli=$top/build/ecm
cli_given=0
package=0

while [ $# -gt 0 ]; do
	case $1 in
	--user) mode=user ;;
	--system) mode=system ;;
	--uninstall) action=uninstall ;;
	--package) package=1; mode=system ;;
	--prefix) need_arg "$@"; prefix=$2; shift ;;
	--root) need_arg "$@"; root=$2; shift ;;
	--config) need_arg "$@"; config=$2; shift ;;
	--ca) need_arg "$@"; ca=$2; shift ;;
	--host) need_arg "$@"; host=$2; shift ;;
	--ecm) need_arg "$@"; cli=$2; cli_given=1; shift ;;
	-h|--help) usage ;;
	*) echo "install.sh: unknown option: $1" >&2; usage ;;
	esac
	shift
done

# Absolute paths only: they end up in manifests, which browsers require to be absolute.
abs() {
	case $2 in
	/*) ;;
	*) die "$1 must be an absolute path: $2" ;;
	esac
	case $2 in
	*"$nl"*|*\"*|*\\*|*\|*|*\&*) die "$1 contains a character this installer refuses (newline \" \\ | &): $2" ;;
	esac
}

if [ -n "$root" ]; then
	abs --root "$root"
	[ -d "$root" ] || die "--root $root: no such folder"
	root=${root%/}
fi

if [ "$mode" = user ]; then
	[ -n "${HOME:-}" ] || die "HOME is not set"
	abs HOME "$HOME"
	[ -n "$prefix" ] || prefix=$HOME/.local
	cfg=${XDG_CONFIG_HOME:-$HOME/.config}
	abs XDG_CONFIG_HOME "$cfg"
	browsers="c $cfg/google-chrome/NativeMessagingHosts
c $cfg/chromium/NativeMessagingHosts
c $cfg/microsoft-edge/NativeMessagingHosts
c $cfg/BraveSoftware/Brave-Browser/NativeMessagingHosts
c $cfg/vivaldi/NativeMessagingHosts
f $HOME/.mozilla/native-messaging-hosts"
else
	[ -n "$prefix" ] || prefix=/usr/local
	# Brave reads Chrome's system folder; Firefox reads /usr/lib64 too on distributions that have it.
	browsers="c /etc/opt/chrome/native-messaging-hosts
c /etc/chromium/native-messaging-hosts
c /etc/opt/edge/native-messaging-hosts
c /etc/opt/vivaldi/native-messaging-hosts
f /usr/lib/mozilla/native-messaging-hosts"
	if [ "$package" -eq 0 ] && [ -d "$root/usr/lib64" ] && [ ! -L "$root/usr/lib64" ]; then
		browsers="$browsers
f /usr/lib64/mozilla/native-messaging-hosts"
	fi
fi
abs --prefix "$prefix"
prefix=${prefix%/}
libdir=$prefix/lib/ecert-manager
bindir=$prefix/bin
if [ "$mode" = user ]; then
	confdir=$libdir
else
	confdir=/etc/ecert-manager
fi
list=$libdir/install-manifest.txt

# ---- uninstall -------------------------------------------------------------------------------------------

uninstall() {
	[ -f "$root$list" ] || die "nothing to uninstall: $root$list not found (same --user/--system/--prefix/--root as the install?)"
	# Newest first, so files go before the folders that hold them. awk reads it all before anything is removed.
	awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$root$list" |
	while IFS= read -r line; do
		kind=${line%% *}
		path=${line#* }
		case $kind in
		f) rm -f "$root$path" || echo "install.sh: cannot remove $root$path" >&2 ;;
		d) rmdir "$root$path" 2>/dev/null || echo "kept $root$path (not empty)" ;;
		*) echo "install.sh: ignoring bad line in $list: $line" >&2 ;;
		esac
	done
	echo "e-Cert Manager uninstalled ($mode)."
}

if [ "$action" = uninstall ]; then
	[ "$package" -eq 0 ] || die "--uninstall and --package do not go together"
	uninstall
	exit 0
fi

# ---- install ---------------------------------------------------------------------------------------------

if [ ! -f "$host" ] || [ ! -x "$host" ]; then
	die "no executable host at $host (run make, or pass --host PATH)"
fi
if [ ! -x "$cli" ]; then
	[ "$cli_given" -eq 0 ] || die "no executable ecm at $cli"
	cli=
fi
[ -z "$config" ] || [ -f "$config" ] || die "--config $config: no such file"
[ -z "$ca" ] || [ -f "$ca" ] || die "--ca $ca: no such file"
[ -z "$ca" ] || [ -n "$config" ] || [ "$package" -eq 1 ] || [ -f "$root$confdir/config.json" ] ||
	die "--ca without --config: there is no configuration to use it"
if [ -n "$config" ] && command -v jq >/dev/null 2>&1; then
	jq -e 'type == "object"' "$config" >/dev/null 2>&1 || die "--config $config: not a JSON object"
fi
for t in chrome firefox; do
	[ -f "$templates/$NAME.$t.json.in" ] || die "missing template $templates/$NAME.$t.json.in"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecm-install.XXXXXX") || die "cannot make a temporary folder"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/list"

# A reinstall keeps the earlier list (and so the earlier config), so uninstall still removes everything.
if [ "$package" -eq 0 ] && [ -f "$root$list" ]; then
	grep -v "^f $list\$" "$root$list" >"$tmp/list"
fi

record() {
	[ "$package" -eq 1 ] || printf '%s %s\n' "$1" "$2" >>"$tmp/list"
}

# mkdirs DIR: create DIR and its missing parents, recording each one created (top first).
mkdirs() {
	d=$1
	todo=
	while [ ! -d "$root$d" ]; do
		todo="$d$nl$todo"
		d=$(dirname "$d")
	done
	printf '%s' "$todo" | while IFS= read -r x; do
		[ -n "$x" ] || continue
		mkdir "$root$x" || exit 1
		record d "$x"
	done || die "cannot create $root$1"
}

# System-wide, every browser runs what these folders hold, so no other user may be able to change them: a folder
# must belong to root (or to whoever runs this, e.g. staging under --root), and must not be writable by others.
# A target folder that is writable by others is made safe (chmod go-w, said so); a folder above it is the
# system's, not ours to change: refused, as is a folder that belongs to another user.
me=$(id -u)
perms() { # perms DIR: sets perm, uid, owner
	set -- $(stat -c '%a %u %U' "$1" 2>/dev/null) || die "cannot read the permissions of $1"
	[ $# -eq 3 ] || die "cannot read the permissions of $1"
	perm=$1 uid=$2 owner=$3
}
refuse_other_owner() {
	[ "$uid" -eq 0 ] || [ "$uid" -eq "$me" ] ||
		die "refusing $1: it belongs to $owner, who could replace what every browser runs (chown root $1, then run again)"
}
# above DIR: DIR and every existing folder up to / (within --root), none writable by others unless sticky (like /tmp:
# others cannot rename what is not theirs), none another user's.
above() {
	p=$1
	while :; do
		[ -d "$root$p" ] && perms "$root$p" || perm=755 uid=0
		refuse_other_owner "$root$p"
		[ $((0$perm & 022)) -eq 0 ] || [ $((0$perm & 01000)) -ne 0 ] ||
			die "refusing to install under $root$p: others can write to it (mode $perm), and could put their own program in place of ours (chmod go-w $root$p, then run again)"
		[ "$p" != / ] || break
		p=$(dirname "$p")
	done
}
# guard DIR: before anything is installed into DIR (created later by mkdirs when missing).
guard() {
	[ "$mode" = system ] && [ "$package" -eq 0 ] || return 0
	if [ -d "$root$1" ]; then
		perms "$root$1"
		refuse_other_owner "$root$1"
		if [ $((0$perm & 022)) -ne 0 ]; then
			chmod go-w "$root$1" || die "cannot make $root$1 safe (chmod go-w)"
			echo "made $root$1 safe: others could write to it (mode $perm, now $(stat -c %a "$root$1"))"
		fi
	fi
	above "$(dirname "$1")"
}
for_targets() { # every folder a file goes to
	printf '%s\n%s\n%s\n' "$libdir" "$bindir" "$confdir"
	printf '%s\n' "$browsers" | sed 's/^[cf] //'
}
for_targets | while IFS= read -r d; do guard "$d" || exit 1; done || exit 1

# put SRC DEST MODE: install one file (atomically replaced), recording it.
put() {
	mkdirs "$(dirname "$2")"
	cp "$1" "$root$2.ecm-new" || die "cannot copy $1 to $root$2.ecm-new"
	chmod "$3" "$root$2.ecm-new" || die "cannot chmod $root$2.ecm-new"
	mv -f "$root$2.ecm-new" "$root$2" || die "cannot install $root$2"
	record f "$2"
}

put "$host" "$libdir/ecm-host" 0755
# On Linux the host loads its engine (OpenSSL and NSS commands) from beside itself on first use, and the engine the
# RA transport (curl) from beside itself on the first request to the RA.
for lib in libecm-engine.so libecm-ra.so; do
	[ ! -f "$(dirname "$host")/$lib" ] || put "$(dirname "$host")/$lib" "$libdir/$lib" 0644
done
[ -z "$cli" ] || put "$cli" "$bindir/ecm" 0755
[ -z "$config" ] || put "$config" "$confdir/config.json" 0644
if [ -n "$ca" ]; then
	cabase=$(basename "$ca")
	put "$ca" "$confdir/$cabase" 0644
	cfgfile=${config:-$root$confdir/config.json}
	grep -q "\"ra_ca_file\"" "$cfgfile" ||
		echo "note: the configuration has no \"ra_ca_file\"; set it to \"$cabase\" (relative to the config)."
fi

hostpath=$libdir/ecm-host
for t in chrome firefox; do
	sed "s|@HOST_PATH@|$hostpath|" "$templates/$NAME.$t.json.in" >"$tmp/$t.json" ||
		die "cannot fill $NAME.$t.json.in"
done
printf '%s\n' "$browsers" | while IFS= read -r line; do
	kind=${line%% *}
	dir=${line#* }
	if [ "$kind" = f ]; then
		put "$tmp/firefox.json" "$dir/$NAME.json" 0644
	else
		put "$tmp/chrome.json" "$dir/$NAME.json" 0644
	fi
	echo "registered for $dir"
done || exit 1

if [ "$package" -eq 0 ]; then
	record f "$list"
	awk '!seen[$0]++' "$tmp/list" >"$tmp/list.new" || die "cannot sort the install list"
	mkdirs "$libdir"
	cp "$tmp/list.new" "$root$list" || die "cannot write $root$list"
fi

# ---- snap and Flatpak browsers ---------------------------------------------------------------------------

sandboxed() { # sandboxed SNAPNAME FLATPAKID: whether either is installed
	[ -d "$root/snap/$1" ] || [ -d "${HOME:-/nonexistent}/snap/$1" ] ||
		[ -d "$root/var/lib/flatpak/app/$2" ] || [ -d "${HOME:-/nonexistent}/.local/share/flatpak/app/$2" ]
}

if [ "$package" -eq 0 ]; then
	for b in chromium:org.chromium.Chromium brave:com.brave.Browser vivaldi:com.vivaldi.Vivaldi \
	    google-chrome:com.google.Chrome microsoft-edge:com.microsoft.Edge; do
		if sandboxed "${b%%:*}" "${b#*:}"; then
			echo "note: ${b%%:*} is installed as a snap or Flatpak: such Chrome-family browsers cannot start native"
			echo "      hosts outside their sandbox. Use the browser from a .deb/.rpm (e.g. Debian's chromium) instead."
		fi
	done
	if sandboxed firefox org.mozilla.firefox; then
		echo "note: Firefox is installed as a snap or Flatpak: it starts native hosts only through the"
		echo "      WebExtensions portal (xdg-desktop-portal, e.g. Ubuntu 22.04 and later), which reads the folders"
		echo "      written above and asks once for permission. Without that portal, use firefox-esr from a .deb."
	fi
	echo "e-Cert Manager installed ($mode): host $root$hostpath."
	echo "To uninstall, run: $0 --uninstall with the same --user/--system, --prefix and --root."
fi
exit 0
