#!/usr/bin/env bash
# The extension's pure logic (extension/lib/twid.js, pwrule.js, strength.js) under `node --test`, with the host's
# own test vectors: tests/e2e/lib-logic.test.mjs, whose TAP goes through unchanged. No browser, no host.
# shellcheck shell=bash
set -u
cd "$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)" || exit 1
node --test --test-reporter=tap tests/e2e/lib-logic.test.mjs
