#!/usr/bin/env bash
# The host suite of Linux (tests/host/host.t: both caller styles, refusals, malformed input, 0xFFFFFFFF, oversized
# and truncated frames, ecm session, logging, no secret in argv) against ecm-host.exe and ecm.exe under Wine,
# through real pipes.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
trap win_cleanup EXIT
ECM_BUILD=$WRAP bash tests/host/host.t
