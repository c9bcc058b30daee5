#!/bin/sh
# Removes broker @ID@'s profile (run with sudo); other brokers' profiles and the host stay.
set -eu
dir="/Library/Application Support/ecert-manager/brokers"
rm -rf "$dir/@ID@.json" "$dir/@ID@"
pkgutil --forget org.ecertmanager.broker.@ID@ >/dev/null 2>&1 || true
