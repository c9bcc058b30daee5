#!/usr/bin/env bash
# The Safari transport of extension/background.js (sendNativeMessage + the handler's batched {events, reply}) against
# the real core: tests/e2e/safari-transport.test.mjs under `node --test`, whose TAP goes through unchanged.
# Starts the development RA and a fake HOME (Chromium NSS database + a Firefox profile) like tests/e2e/e2e.t.
#   bash tests/e2e/safari-transport.t        ECM_BUILD=build/san … for the ASan `ecm`
# shellcheck shell=bash
set -u
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. tests/lib/ra.sh
. tests/e2e/setup.sh

BUILD=${ECM_BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export ECM_BUILD=$BUILD
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecm-safari.XXXXXX")
export E2E_TMP=$TMP
cleanup() { ra_stop; [ -n "${E2E_KEEP:-}" ] || rm -rf "$TMP"; }
trap cleanup EXIT

fail() { echo "not ok 1 - $1"; echo "1..1"; exit 1; }
[ -x "$BUILD/ecm" ] || make -s >"$TMP/make.log" 2>&1
[ -x "$BUILD/ecm" ] || fail "the core's CLI $BUILD/ecm exists"
ra_start "$TMP/ra" || fail "development RA started"
ra_host_config "$TMP/ra" "$TMP/host.json"
setup_home "$TMP/home"

node --test --test-reporter=tap tests/e2e/safari-transport.test.mjs
