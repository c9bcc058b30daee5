#!/usr/bin/env bash
# `ecm ra-check` (issue 21 item 3): a broker's engineer checks the broker's RA against docs/ra-protocol.md.
# Against the development RA every point holds and it exits 0 (the whole renewal too when the window is open, the
# 202 path when the RA holds the request); against the development RA started with `--break POINT` (each mode gets
# exactly one point of the contract wrong) it prints ✘ for exactly the points that mode breaks and exits 1.
# Points it cannot check (no test account, no OTP) are "not checked" and the exit is 3.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/ra.sh
ECM=${ECM_BUILD:-build}/ecm
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-ra-check.XXXXXX")
feeder=
trap 'stop_feeder; ra_stop; rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"
ID=E120556786
PW=Demo1234
printf '%s\n' "$PW" >"$T/pw"

stop_feeder() { [ -z "$feeder" ] || { kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null; feeder=; }; }
# rra NAME [run options]: a development RA of its own (state in $T/NAME) and the profile for it, $T/NAME.json
rra() {
	local name=$1; shift
	ra_stop
	ra_start "$T/$name" "$@" || { echo "Bail out! the development RA ($*) did not start"; exit 1; }
	ra_host_config "$T/$name" "$T/$name.json"
}
# feed LAST: writes each new OTP the RA sends (one different from LAST) into the FIFO $T/otp, opened anew for each
# (ecm reads one line per OTP). The FIFO is opened only once the RA sent the OTP, so ecm is about to read it.
feed() {
	local last=$1 now _ round
	for round in 1 2; do
		for _ in $(seq 1 1500); do
			now=$(ra_otp $ID 2>/dev/null) && [ "$now" != "$last" ] && break
			sleep 0.2
		done
		printf '%s\n' "$now" >"$T/otp" || return
		last=$now
	done
}
# check NAME [ecm options]: ecm ra-check on the current RA's profile with the test account, the OTPs from feed.
# Output in $T/NAME.out/.err, exit in RC. setsid: no controlling terminal, so nothing is asked for on one.
check() {
	local name=$1; shift
	rm -f "$T/otp"
	mkfifo "$T/otp"
	feed "$(ra_otp $ID 2>/dev/null)" &
	feeder=$!
	timeout 300 setsid -w "$ECM" ra-check --profile "$T/$(basename "$RA_DIR").json" --id $ID \
		--password-file "$T/pw" --otp-file "$T/otp" "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null
	RC=$?
	stop_feeder
}
# failed NAME: the points marked ✘, space-separated
failed() { sed -n 's/^✘ \([a-z0-9-]*\):.*/\1/p' "$T/$1.out" | tr '\n' ' ' | sed 's/ $//'; }
marked() { sed -n "s/^\\([^ ]*\\) $2:.*/\\1/p" "$T/$1.out"; }
clean() { ! grep -qE "Sanitizer|runtime error|$PW" "$T/$1.out" "$T/$1.err"; }

# ---- the development RA as it is: every point that can be reached holds
rra good
check good
is "$RC" 0 "against the development RA ra-check exits 0" || sed 's/^/# /' "$T/good.out" "$T/good.err"
is "$(failed good)" "" "no point fails"
n=$(grep -c '^✔ ' "$T/good.out")
[ "$n" -ge 20 ]; ok $? "at least 20 points hold ($n)"
for p in profile ca-anchors tls cacerts-type cacerts-pkcs7 csrattrs est-415 terms no-credentials wrong-password \
	account certificates reenroll-client-cert otp simpleenroll issued-chain issued-subject cacerts-issuer \
	account-serial simplereenroll; do
	is "$(marked good $p)" "✔" "point $p holds"
done
like "$(grep '^– pending-202' "$T/good.out")" "not offered" "202: not offered by this RA"
like "$(grep '^– reenroll-chain' "$T/good.out")" "renewal window" "renewal: out of the 30-day window, said so"
like "$(tail -n 1 "$T/good.out")" "^ra-check: [0-9]+ hold, 0 fail, 0 not checked$" "a summary line"
clean good; ok $? "no password, no sanitizer report in the output"

# ---- a broker profile (issue 20) instead of a configuration file: the same readers, the same points
. tests/lib/brokers.sh
broker_profile brka "$RA_DIR" "$T/brka.json"
timeout 120 setsid -w "$ECM" ra-check --profile "$T/brka.json" >"$T/prof.out" 2>"$T/prof.err" </dev/null
is "$?" 3 "ra-check --profile on a broker profile (no --id): exit 3, as with the configuration file"
is "$(marked prof profile)/$(marked prof ca-anchors)/$(marked prof tls)" "✔/✔/✔" \
	"  profile, ca-anchors and tls hold, read from the profile"
is "$(failed prof)" "" "  and nothing fails"
jq '. + {colour: "blue"}' "$T/brka.json" >"$T/brka-bad.json"
timeout 120 setsid -w "$ECM" ra-check --profile "$T/brka-bad.json" >"$T/profbad.out" 2>"$T/profbad.err" </dev/null
is "$?/$(failed profbad)" "1/profile" "a profile with a bad key: exit 1, the profile point fails"
like "$(grep '^✘ profile' "$T/profbad.out")" "brka-bad.json: \"colour\" is not a known setting" "  …naming the file and the key"
jq 'del(.name)' "$T/brka.json" >"$T/brka-noname.json"
timeout 120 setsid -w "$ECM" ra-check --profile "$T/brka-noname.json" >"$T/profnn.out" 2>/dev/null </dev/null
like "$(grep '^✘ profile' "$T/profnn.out")" "\"name\" is missing" "a profile without its names: the profile point says so"

# ---- without a test account, and without an OTP: points not checked, exit 3
timeout 120 setsid -w "$ECM" ra-check --profile "$T/good.json" >"$T/anon.out" 2>"$T/anon.err" </dev/null
is "$?" 3 "without --id: exit 3 (not every point could be checked)"
like "$(grep '^– account' "$T/anon.out")" "needs a test account" "account: not checked, needs a test account"
is "$(failed anon)" "" "and nothing fails"
timeout 120 setsid -w "$ECM" ra-check --profile "$T/good.json" --id $ID --password-file "$T/pw" >"$T/nootp.out" \
	2>"$T/nootp.err" </dev/null
is "$?" 3 "no terminal and no --otp-file: exit 3"
like "$(grep '^– simpleenroll' "$T/nootp.out")" "not checked: no OTP" "simpleenroll: not checked, no OTP"
printf 'Wrong-1\n' >"$T/badpw"
timeout 120 setsid -w "$ECM" ra-check --profile "$T/good.json" --id $ID --password-file "$T/badpw" >"$T/badpw.out" \
	2>/dev/null </dev/null
is "$?" 1 "a wrong test-account password: exit 1"
like "$(grep '^✘ account' "$T/badpw.out")" "answered 401" "it names the account point"
"$ECM" ra-check --id $ID </dev/null >/dev/null 2>&1
is "$?" 2 "no --profile: usage error"

# ---- the 202 path: the RA holds the request, then issues it when asked again
# (the first request to simpleenroll, the Content-Type probe, is answered as usual: an injected fault comes first)
ra_fault_after simpleenroll pending 1
(for _ in $(seq 1 1500); do grep -qs 'simpleenroll 202' "$RA_DIR/ra.log" && break; sleep 0.2; done
	sleep 2; ra_fault simpleenroll none) &
clearer=$!
check pend
wait $clearer
is "$RC" 0 "202 then 200: exit 0" || sed 's/^/# /' "$T/pend.out"
like "$(grep '^✔ pending-202' "$T/pend.out")" "202, ask again in 1 s" "pending-202 holds"
is "$(marked pend simpleenroll)" "✔" "the same request, sent again, was issued"

# ---- an open renewal window: simplereenroll all the way, with a second OTP
rra window --renewal-window-days 400
check window
is "$RC" 0 "renewal window open: exit 0" || sed 's/^/# /' "$T/window.out" "$T/window.err"
for p in otp-renewal simplereenroll reenroll-chain reenroll-subject superseded; do
	is "$(marked window $p)" "✔" "renewal point $p holds"
done
clean window; ok $? "no password, no sanitizer report"

# ---- each broken point of the contract is found, and only it
while IFS='|' read -r mode want words; do
	rra "break-$mode" --break "$mode"
	check "break-$mode"
	is "$RC" 1 "--break $mode: exit 1"
	is "$(failed "break-$mode")" "$want" "--break $mode: ✘ exactly $want"
	like "$(grep "^✘ ${want%% *}" "$T/break-$mode.out")" "$words" "--break $mode: says what to fix"
	clean "break-$mode"; ok $? "--break $mode: no password, no sanitizer report"
done <<'EOF'
enroll-content-type|simpleenroll|application/octet-stream.*must be application/pkcs7-mime
intermediate|issued-chain cacerts-issuer|ra_ca_file must hold.*intermediate
401-no-body|no-credentials wrong-password|not application/json.*WRONG_PASSWORD
account-shape|account|field now
cacerts-pem|cacerts-pkcs7|certs-only PKCS#7
EOF

# ---- the intermediate the answer leaves out, held by ra_ca_file (as the contract allows): the chain holds, and only
# /cacerts still lacks its issuing CA
rra inter --break intermediate
cat "$T/inter/ca.pem" "$T/inter/int-ca.pem" >"$T/inter/bundle.pem" 2>/dev/null
jq --arg ca "$T/inter/bundle.pem" '. + {ra_ca_file: $ca}' "$T/inter.json" >"$T/inter.tmp" && mv "$T/inter.tmp" "$T/inter.json"
check inter
is "$(marked inter issued-chain)" "✔" "intermediate in ra_ca_file: issued-chain holds"
is "$(failed inter)" "cacerts-issuer" "and only cacerts-issuer fails"

# ---- a TLS certificate the profile does not anchor
jq --arg ca "$T/break-intermediate/int-ca.pem" '. + {ra_ca_file: $ca}' "$T/inter.json" >"$T/other-ca.json"
timeout 120 setsid -w "$ECM" ra-check --profile "$T/other-ca.json" >"$T/tls.out" 2>/dev/null </dev/null
is "$?" 1 "an RA whose TLS certificate the profile does not anchor: exit 1"
like "$(grep '^✘ tls' "$T/tls.out")" "must chain to ra_ca_file" "tls: says what to fix"
done_testing
