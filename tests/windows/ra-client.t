#!/usr/bin/env bash
# The RA client suite of Linux (tests/ra-client/ra-client.t: a hostile RA on 127.0.0.1 — an oversized answer, a
# redirect, a server the pinned CA did not sign, numbers no long holds, header injection) against ecm.exe under
# Wine: libcurl with OpenSSL, the CA pinned from ra_ca_file, no system store. Pinned CA, Basic credentials and the
# client certificate on renew against the development RA: tests/windows/apply.t.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
trap win_cleanup EXIT
# RSA keys: Wine's CryptoAPI cannot import EC keys (tests/windows/wincrypt.t names that skip), and an apply whose
# key no store takes is ISSUED_NOT_SAVED, not the RA-client behaviour this suite is about.
RA_CLIENT_KEY_TYPE=rsa2048 RA_CLIENT_WINDOWS=1 ECM_BUILD=$WRAP bash tests/ra-client/ra-client.t
