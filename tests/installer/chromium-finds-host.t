#!/bin/bash
# Debian's Chromium finds and talks to the host that installer/install.sh --user put in a temporary HOME: no
# test-only manifest, only what the installer wrote. Chromium's user data dir is $HOME/.config/chromium, its
# default, so it reads $HOME/.config/chromium/NativeMessagingHosts/ as it would for a real user.
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$top/tests/lib/tap.sh"
here=$top/tests/installer

ID=mainajikbmfkgohgpkhpgioaimbggpmo
KEY=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtvMWD2hWt0kE8GGadS37uWZl7i/FVKPL03tHXgUmkFL8DbQr67dqe2G24bQ6jXiDCkZxLRSWveth4izl2W+eJqs+x7qeD9VYykm8ArTGxJnLR/TQmadWwiIxV1+xtU3UlNA8RabFyq/teJzrMck63JcT3T98PVxLH29+feanHKoeKe9U+tC/KwiXgRWkt71LFkQCAPRN3lHROSsN86f51bkjF6B85YEZX+VYCtIBEZNMomixrPCAAYCf94wHWqQItRlQWdMAmw1NPXxDQRUlIyvp4rQVFVAqMv4/0Wiwj9wI5kXaywb3SsAVl8uH7TdRCYPHj/mAHo8eVUjmXIndeQIDAQAB

# Chromium is installed by tests/install-deps; give a concurrent apt-get a few minutes.
for _ in $(seq 60); do [ -x /usr/bin/chromium ] && break; sleep 5; done
[ -x /usr/bin/chromium ]; ok $? "/usr/bin/chromium is installed"
[ -x /usr/bin/chromium ] || { done_testing; exit 1; }

if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && npm ci --no-audit --no-fund >/dev/null 2>&1)
fi
[ -d "$here/node_modules/playwright-core" ]; ok $? "playwright-core installed (npm ci)"

if [ ! -x "$top/build/ecm-host" ]; then
	(cd "$top" && make build/ecm-host >/dev/null 2>&1)
fi
[ -x "$top/build/ecm-host" ]; ok $? "build/ecm-host is built"


work=$(mktemp -d "${TMPDIR:-/tmp}/ecm-chromium-t.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home"

# The key fixes the ID: sha256 of the DER key, first 32 hex digits mapped 0-9a-f to a-p.
is "$(printf %s "$KEY" | base64 -d | sha256sum | cut -c1-32 | tr 0-9a-f a-p)" "$ID" "the key gives ID $ID"

ext=$work/ext
mkdir -p "$ext"
cat >"$ext/manifest.json" <<EOF
{ "manifest_version": 3, "name": "ecm installer test", "version": "1.0", "key": "$KEY",
  "permissions": ["nativeMessaging"] }
EOF
cat >"$ext/test.html" <<'EOF'
<!doctype html><meta charset="utf-8"><title>ecm installer test</title><pre id="out"></pre><script src="test.js"></script>
EOF
cat >"$ext/test.js" <<'EOF'
const out = document.getElementById('out');
chrome.runtime.sendNativeMessage('org.ecertmanager.host', { id: 1, cmd: 'hello' })
	.then((reply) => { out.textContent = JSON.stringify({ reply }); })
	.catch((e) => { out.textContent = JSON.stringify({ error: String(e && e.message || e) }); })
	.finally(() => { out.dataset.done = '1'; });
EOF

cat >"$work/config.json" <<EOF
{ "allowed_callers": ["chrome-extension://$ID/", "ecert-manager@ecertmanager.org"] }
EOF
out=$(env -u XDG_CONFIG_HOME HOME="$home" "$top/installer/install.sh" --user --host "$top/build/ecm-host" \
	--config "$work/config.json" 2>&1)
rc=$?; ok $rc "install.sh --user into a temporary HOME"
[ $rc -eq 0 ] || diag "$out"
if [ -e /etc/chromium/native-messaging-hosts/org.ecertmanager.host.json ]; then
	diag "a system-wide manifest exists in /etc/chromium: Chromium may start that host instead"
fi

run_chromium() {
	env -u XDG_CONFIG_HOME -u ECM_CONFIG HOME="$home" timeout 120 \
		node "$here/chromium-hello.js" "$home/.config/chromium" "$ext" "$ID" 2>"$work/node.err"
}

res=$(run_chromium)
rc=$?; ok $rc "Chromium ran the test extension"
[ $rc -eq 0 ] || diag "$(tail -5 "$work/node.err")"
diag "reply: $res"
is "$(printf %s "$res" | jq -r .reply.ok)" true "host answered hello: ok"
is "$(printf %s "$res" | jq -r .reply.id)" 1 "reply id 1"
is "$(printf %s "$res" | jq -r .reply.result.protocol)" 1 "protocol 1"
if [ ! -e /etc/ecert-manager/config.json ]; then
	is "$(printf %s "$res" | jq -r .reply.result.config.file)" "$home/.local/lib/ecert-manager/config.json" \
		"the installed host ran, with the config installed beside it"
fi

out=$(env -u XDG_CONFIG_HOME HOME="$home" "$top/installer/install.sh" --user --uninstall 2>&1)
ok $? "uninstall"
[ ! -e "$home/.config/chromium/NativeMessagingHosts/org.ecertmanager.host.json" ]; ok $? "manifest removed"
if [ ! -e /etc/chromium/native-messaging-hosts/org.ecertmanager.host.json ]; then
	res=$(run_chromium)
	like "$(printf %s "$res" | jq -r .error)" 'not found' "after uninstall Chromium no longer finds the host"
fi

done_testing
