#!/usr/bin/env bash
# ecm-host through real pipes: both caller styles, refusals, malformed input, oversized and truncated frames.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
B=${ECM_BUILD:-build}
HOST=$B/ecm-host
ECM=$B/ecm
FT=tests/host/frame-tool.pl
CHROME=chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/
FIREFOX=ecert-manager@ecertmanager.org
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
mkdir -p "$HOME"
unset ECM_CONFIG

# host ARGS… < frames : prints the decoded replies, one per line; exit status in $work/status
host() { timeout 10 "$HOST" "$@" | perl $FT decode; echo "${PIPESTATUS[0]}" >"$work/status"; }
frames() { perl $FT encode; }
status() { cat "$work/status"; }

out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | host "$CHROME")
is "$(jq -r .ok <<<"$out")" true "Chrome-style caller gets hello"
is "$(jq -r .result.protocol <<<"$out")" 1 "hello reports protocol 1"
is "$(status)" 0 "host exits 0 at end of input"

out=$(printf '{"id":"f","cmd":"hello"}\n' | frames | host /some/path/org.ecertmanager.host.json "$FIREFOX")
is "$(jq -r '.ok, .id' <<<"$out" | tr '\n' ' ')" "true f " "Firefox-style caller (manifest path, extension ID) gets hello"

out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | host chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/)
is "$(jq -r .error.code <<<"$out")" CALLER_NOT_ALLOWED "unknown Chrome origin refused"
is "$(wc -l <<<"$out")" 1 "refusal is exactly one frame"
is "$(status)" 1 "host exits after refusing"

out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | host /path/manifest.json evil@example.org)
is "$(jq -r .error.code <<<"$out")" CALLER_NOT_ALLOWED "unknown Firefox ID refused"
out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | host)
is "$(jq -r .error.code <<<"$out")" CALLER_NOT_ALLOWED "no caller refused"

# A configuration can allow another caller, and then only that one.
printf '{"allowed_callers": ["other@example.org"]}\n' >"$work/cfg.json"
out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | ECM_CONFIG=$work/cfg.json host /m.json other@example.org)
is "$(jq -r .ok <<<"$out")" true "configured caller allowed"
out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | ECM_CONFIG=$work/cfg.json host "$CHROME")
is "$(jq -r .error.code <<<"$out")" CALLER_NOT_ALLOWED "default caller no longer allowed when configuration lists others"

# Bad requests get documented codes and the connection keeps serving.
out=$(printf '%s\n' '{bad json' '[1,2]' '{"id":2,"cmd":"nope"}' '{"id":3,"cmd":7}' \
	'{"id":4,"cmd":"hello","args":"x"}' '{"id":{"a":1},"cmd":"hello"}' '{"id":5,"cmd":"hello"}' | frames | host "$CHROME")
is "$(jq -r '.error.code // "ok"' <<<"$out" | tr '\n' ' ')" \
	"BAD_REQUEST BAD_REQUEST UNKNOWN_COMMAND BAD_REQUEST BAD_REQUEST BAD_REQUEST ok " \
	"malformed, non-object, unknown, wrongly typed: codes in order, then hello still works"
is "$(jq -r 'select(.ok) | .id' <<<"$out")" 5 "the last hello is answered with its id"

out=$( { perl $FT raw 0; printf '{"id":6,"cmd":"hello"}\n' | frames; } | host "$CHROME")
is "$(jq -r '.error.code // .result.protocol' <<<"$out" | tr '\n' ' ')" "BAD_REQUEST 1 " "zero-length frame is BAD_REQUEST, then hello"

start=$(date +%s%N)
out=$(perl $FT raw ffffffff | host "$CHROME")
is "$(jq -r .error.code <<<"$out")" MESSAGE_TOO_LARGE "0xFFFFFFFF length answered MESSAGE_TOO_LARGE"
is "$(status)" 1 "host exits after an oversized length"
ok $(( ($(date +%s%N) - start) / 1000000 < 5000 ? 0 : 1 )) "no hang on 0xFFFFFFFF"

out=$(perl $FT raw 00800001 | host "$CHROME")
is "$(jq -r .error.code <<<"$out")" MESSAGE_TOO_LARGE "8 MiB + 1 refused"
out=$(perl $FT raw 40 '{"id":1,"cmd":"hel' | host "$CHROME")
is "$(jq -r .error.code <<<"$out")" BAD_REQUEST "truncated body answered BAD_REQUEST"
is "$(status)" 1 "host exits after a truncated frame"
out=$(printf '\x05\x00' | host "$CHROME")
is "$(jq -r .error.code <<<"$out")" BAD_REQUEST "truncated header answered BAD_REQUEST"
out=$(: | host "$CHROME")
is "$out" "" "empty input: no output"
is "$(status)" 0 "empty input: exit 0"

# A request just under the inbound limit is read whole (and refused as an unknown command).
big=$(head -c 2000000 /dev/zero | tr '\0' 'a')
out=$(printf '{"id":9,"cmd":"%s"}\n' "$big" | frames | host "$CHROME")
is "$(jq -r .error.code <<<"$out")" UNKNOWN_COMMAND "2 MB request read and answered"

# Every request gets one reply of at most 1 MiB, valid UTF-8, and the host keeps serving (issue 9, class 3).
utf8_ok() { perl -MEncode -ne 'Encode::decode("UTF-8", $_, Encode::FB_CROAK); END { exit 0 }' 2>/dev/null; }
bigid=$(head -c 2097152 /dev/zero | tr '\0' 'i')
out=$( { printf '{"id":"%s","cmd":"hello"}\n' "$bigid"; printf '{"id":2,"cmd":"hello"}\n'; } | frames | host "$CHROME")
is "$(jq -r '"\(.id)/\(.error.code // "ok")/\(.error.details.field // "")"' <<<"$out" | tr '\n' ' ')" "null/BAD_REQUEST/id 2/ok/ " \
	"a 2 MiB id is refused (field id) and the host goes on"
bigpath=/$(head -c 1200000 /dev/zero | tr '\0' 'p')
out=$( { printf '{"id":1,"cmd":"import","args":{"path":"%s","password":"x"}}\n' "$bigpath"; printf '{"id":2,"cmd":"hello"}\n'; } |
	frames | host "$CHROME")
is "$(jq -r '"\(.id)/\(.error.code // "ok")/\(.error.details.field // "")"' <<<"$out" | tr '\n' ' ')" "1/BAD_REQUEST/path 2/ok/ " \
	"an import with a 1.2 MB path gets a reply and the host goes on"
ok "$(awk '{ if (length($0) > 1048576) exit 1 }' <<<"$out"; echo $?)" "no reply over 1 MiB"
out=$(printf '%s\n' '{"id":1,"cmd":"hello"} {"id":2}' '{"id":3,"cmd":"hello","args":{"verbos":1}}' \
	'{"id":4,"cmd":"import","args":{"path":"/x.pfx","password":"p","store_password":7}}' \
	"{\"id\":5,\"cmd\":\"import\",\"args\":{\"path\":\"/tmp/$(printf '\xff')\",\"password\":\"p\"}}" | frames | host "$CHROME")
is "$(jq -r '.error.details.field' <<<"$out" | tr '\n' ' ')" "request verbos store_password path " \
	"trailing data, an unknown argument, a wrongly typed unused one, invalid UTF-8: BAD_REQUEST naming the field"
cmd=$(for _ in $(seq 30); do printf '\xe6\x86\x91'; done)
out=$(printf '{"id":6,"cmd":"%s"}\n' "$cmd" | frames | host "$CHROME")
ok "$(utf8_ok <<<"$out"; echo $?)" "an unknown zh-TW command name is echoed as valid UTF-8"
is "$(jq -r .error.code <<<"$out")" UNKNOWN_COMMAND "... and is UNKNOWN_COMMAND"
# ra_check reads a file its caller names and contacts the servers in it: the command line's, never a browser's.
printf '{}\n' >"$work/profile.json"
out=$(printf '{"id":7,"cmd":"ra_check","args":{"profile":"%s"}}\n' "$work/profile.json" | frames | host "$CHROME")
is "$(jq -r .error.code <<<"$out")" UNKNOWN_COMMAND "ra_check does not exist for a browser (ecm-host)"
out=$(printf '{"id":7,"cmd":"ra_check","args":{"profile":"%s"}}\n' "$work/profile.json" | timeout 10 "$ECM" session 2>/dev/null)
ok "$(jq -e '.error.code != "UNKNOWN_COMMAND"' <<<"$out" >/dev/null; echo $?)" "... but does for the command line (ecm session): $(jq -r '.error.code // "ok"' <<<"$out")"

# A bad configuration file applies nothing: only hello is served, to the built-in callers (class 4).
printf '{"allowed_callers":["evil@example.org"],"bogus":1}\n' >"$work/bad.json"
out=$(printf '{"id":1,"cmd":"hello"}\n' | frames | ECM_CONFIG=$work/bad.json host /m.json evil@example.org)
is "$(jq -r .error.code <<<"$out")" CALLER_NOT_ALLOWED "a bad file's allowed_callers is not applied"
out=$(printf '%s\n' '{"id":1,"cmd":"hello"}' '{"id":2,"cmd":"stores"}' '{"id":3,"cmd":"logout"}' | frames |
	ECM_CONFIG=$work/bad.json host "$CHROME")
is "$(jq -r '.result.config.error.code // .error.code' <<<"$out" | tr '\n' ' ')" "CONFIG_INVALID CONFIG_INVALID CONFIG_INVALID " \
	"with a bad file hello reports it and every other command is CONFIG_INVALID"

# Engine commands (OpenSSL, curl, NSS) come from libecm-engine.so beside the host, loaded on first use.
out=$(printf '{"id":1,"cmd":"stores"}\n' | frames | host "$CHROME")
is "$(jq -r '.ok' <<<"$out")" true "an NSS command loads the engine and answers"
if [ -f "$B/libecm-engine.so" ]; then
	mkdir -p "$work/alone" && cp "$HOST" "$work/alone/"
	out=$(printf '%s\n' '{"id":1,"cmd":"stores"}' '{"id":2,"cmd":"hello"}' | frames | timeout 10 "$work/alone/ecm-host" "$CHROME" |
		perl $FT decode)
	is "$(jq -r '.error.code // "ok"' <<<"$out" | tr '\n' ' ')" "INTERNAL ok " \
		"without its engine the host says so (INTERNAL) and hello still works"
	like "$(jq -r '.error.message // empty' <<<"$out")" 'libecm-engine.so' "the error names the missing engine"
	ok "$(grep -qE 'libnss3|libcurl|libssl' <(ldd "$HOST"); [ $? -ne 0 ]; echo $?)" \
		"ecm-host itself links neither NSS, curl nor OpenSSL"
fi
# curl and what Debian's libcurl needs come with libecm-ra.so, loaded on the first request to the RA only: the
# loader's own record (LD_DEBUG=files) of what a command mapped.
if [ -f "$B/libecm-ra.so" ]; then
	mapped=$(printf '{"id":1,"cmd":"stores"}\n' | frames | LD_DEBUG=files host "$CHROME" 2>&1 >/dev/null)
	like "$mapped" 'file=libnss3\.so' "stores maps NSS (the loader's record works)"
	ok "$(grep -qE 'file=(libcurl|libgnutls|libldap|.*libecm-ra)' <<<"$mapped"; [ $? -ne 0 ]; echo $?)" \
		"stores maps neither libecm-ra.so nor curl nor its GnuTLS and LDAP"
	# an RA that is not there (port 1 refuses at once): the request still goes through the transport
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ra-ca.key" \
		-out "$work/ra-ca.pem" -days 1 -subj /CN=nobody 2>/dev/null
	jq -n --arg ca "$work/ra-ca.pem" '{est_url: "https://127.0.0.1:1/.well-known/est",
		api_url: "https://127.0.0.1:1/api/v1", ra_ca_file: $ca, connect_timeout_s: 1}' >"$work/ra.json"
	mapped=$(printf '{"id":1,"cmd":"login","args":{"id":"A123456789","password":"Demo1234"}}\n' | frames | LD_DEBUG=files ECM_CONFIG="$work/ra.json" \
		host "$CHROME" 2>&1 >/dev/null)
	grep -qF "file=$(cd "$B" && pwd)/libecm-ra.so [0];  dynamically loaded" <<<"$mapped"
	ok $? "a request to the RA loads libecm-ra.so from beside the engine"
	like "$mapped" 'file=libcurl\.so' "… and curl with it"
fi

# ecm session gives exactly the replies the host gives.
reqs='{"id":1,"cmd":"hello"}
{"id":2,"cmd":"nope"}
[3]
{"id":4,"cmd":"logout"}'
via_host=$(printf '%s\n' "$reqs" | frames | host "$CHROME")
via_cli=$(printf '%s\n' "$reqs" | timeout 10 "$B/ecm" session)
is "$via_cli" "$via_host" "ecm session replies equal ecm-host replies"
is "$(printf '{"id":1,"cmd":"hello"}\n' | "$B/ecm" session | jq -r .result.version)" \
	"$("$B/ecm" --version | awk '{print $2}')" "ecm session hello reports the version"

out=$( { printf '{"id":1,"cmd":"hello"}\n'; head -c 9000000 /dev/zero | tr '\0' a; printf '\n{"id":2,"cmd":"logout"}\n'; } |
	timeout 20 "$B/ecm" session | jq -r '.error.code // .id' | tr '\n' ' ')
is "$out" "1 MESSAGE_TOO_LARGE 2 " "ecm session: a line over 8 MiB is refused and the session goes on"

# Logging is off by default and, when on, never records request arguments.
printf '{"id":1,"cmd":"logout","args":{"password":"S3cret-Never-Logged"}}\n' | frames | ECM_LOG=debug host "$CHROME" >/dev/null
log=$HOME/.local/state/ecert-manager/ecm.log
ok "$([ -s "$log" ]; echo $?)" "ECM_LOG=debug writes the per-user log"
ok "$(grep -q S3cret "$log"; [ $? -ne 0 ]; echo $?)" "the log holds no argument values"
rm -f "$log"
printf '{"id":1,"cmd":"hello"}\n' | frames | host "$CHROME" >/dev/null
ok "$([ ! -e "$log" ]; echo $?)" "no log without ECM_LOG"

# The CLI takes no secret from argv, not even inside --args-json (argv is visible to every process).
out=$(timeout 10 "$B/ecm" import --args-json '{"path":"/nonexistent.pfx","password":"S3cret-In-Argv"}' </dev/null 2>&1)
ok "$([ $? -ne 0 ] && grep -q 'cannot carry a secret' <<<"$out"; echo $?)" "ecm --args-json refuses a secret field"
out=$(timeout 10 "$B/ecm" query --args-json '{"pfx":{"path":"/x.pfx","password":"S3cret-In-Argv"}}' </dev/null 2>&1)
ok "$([ $? -ne 0 ] && grep -q 'cannot carry a secret' <<<"$out"; echo $?)" "ecm --args-json refuses a nested secret field"

done_testing
