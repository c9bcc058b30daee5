#!/usr/bin/env bash
# The shipped binaries are built hardened: PIE, full RELRO (BIND_NOW), non-executable stack, stack protector,
# _FORTIFY_SOURCE. Checked on the ELF files themselves, not on the Makefile.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
B=${ECM_BUILD:-build}
for f in "$B/ecm-host" "$B/ecm" "$B/libecm-engine.so" "$B/libecm-ra.so"; do
	[ -f "$f" ] || continue
	name=${f##*/}
	dyn=$(readelf -d "$f"); seg=$(readelf -lW "$f"); syms=$(nm -D "$f")
	case $name in
	*.so) like "$(readelf -h "$f")" 'Type: +DYN' "$name: shared object" ;;
	*) like "$dyn" 'FLAGS_1.*PIE' "$name: position-independent executable" ;;
	esac
	like "$dyn" 'BIND_NOW|FLAGS.*NOW' "$name: full RELRO (bind now)"
	like "$seg" 'GNU_RELRO' "$name: RELRO segment"
	like "$(grep GNU_STACK <<<"$seg")" ' RW ' "$name: stack not executable"
	like "$syms" '__stack_chk_fail' "$name: stack protector"
	[ "$B" != build ] || like "$syms" '__[a-z]+_chk@' "$name: _FORTIFY_SOURCE checks"
done
done_testing
