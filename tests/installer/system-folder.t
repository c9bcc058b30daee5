#!/bin/bash
# installer/install.sh --system never installs into a folder another local user could change (they could then
# replace the ecm-host every browser runs): a target folder writable by others is made safe and it says so; a
# folder above it that others can write, or a folder that belongs to another user, is refused, naming it, and
# nothing is installed.
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecm-install-folder.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
host=$work/ecm-host
printf '#!/bin/sh\nexit 0\n' >"$host" && chmod 755 "$host"
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (folders of another user)"
	exit 0
fi
LIB=/usr/local/lib/ecert-manager
# fresh: a new staging root with the library folder in place
fresh() { root=$(mktemp -d "$work/root.XXXXXX") && chmod 755 "$root" && mkdir -p "$root$LIB"; }
install() { "$top/installer/install.sh" --system --root "$root" --host "$host" 2>&1; }

fresh
chmod 777 "$root$LIB"
out=$(install)
ok $? "a library folder others can write: the install goes on"
like "$out" "made $root$LIB safe: others could write to it \(mode 777, now 755\)" "  and says it made the folder safe"
is "$(stat -c %a "$root$LIB")" 755 "  the folder is 755 now"

fresh
chown nobody "$root$LIB"
out=$(install)
ok $(( $? == 0 )) "a library folder that belongs to another user: refused"
like "$out" "refusing $root$LIB: it belongs to nobody" "  naming the folder and its owner"
[ ! -e "$root$LIB/ecm-host" ] && [ -z "$(find "$root" -name '*.json')" ]; ok $? "  nothing was installed"

fresh
chmod 777 "$root/usr/local/lib"
out=$(install)
ok $(( $? == 0 )) "a folder above it that others can write: refused"
like "$out" "refusing to install under $root/usr/local/lib: others can write to it \(mode 777\)" "  naming that folder"
[ ! -e "$root$LIB/ecm-host" ]; ok $? "  nothing was installed"
is "$(stat -c %a "$root/usr/local/lib")" 777 "  and the system's folder is left as it was"

fresh
chmod 1777 "$root/usr/local/lib"
out=$(install)
ok $? "a sticky folder above it (like /tmp): others cannot rename what is ours, the install goes on"

fresh
out=$(install)
ok $? "safe folders: installed"
[ -x "$root$LIB/ecm-host" ]; ok $? "  the host is in place"
done_testing
