#!/usr/bin/env bash
# The core is the ground floor: nothing under host/core/ includes a file of host/commands/, and no core object
# names a command (ecm_cmd_*). The table that does lives in host/commands/table.c; the core calls the lookup
# declared in include/ecm/command.h, which a test may satisfy with a table of its own (test_table.c).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
B=${ECM_BUILD:-build}

inc=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\./commands/|commands\.h|enroll\.h|pfx_args\.h|install\.h)' host/core/*.c host/core/*.h 2>/dev/null)
is "$inc" "" "no file under host/core/ includes one of host/commands/"
# The objects of today's core sources (a build folder may still hold objects of files since moved).
names=$(for c in host/core/*.c; do o=$B/obj/${c%.c}.o; [ -f "$o" ] && nm "$o"; done; nm "$B/obj/lazy/engine.o" 2>/dev/null)
names=$(grep -E ' ecm_cmd_' <<<"$names" | sort -u)
is "$names" "" "no core object refers to a command (ecm_cmd_*)"
[ -f "$B/obj/host/commands/table.o" ] && nm "$B/obj/host/commands/table.o" | grep -q ' U ecm_cmd_hello'
ok $? "the table (host/commands/table.c) is what names the commands"
done_testing
