#!/usr/bin/env bash
# Where a new certificate goes, on a family's shared computer (issue 17, items 5 and 6): three customers of the
# development RA in one HOME, one Chrome-family database and three Firefox profiles (Dad's, Mum's protected by a
# master password, Kid's). apply, renew, install and cleanup write only into the stores the request names
# (`stores`), with `password_for` for the protected profile; `stores` tells which profiles hold only other
# customers' certificates; import of another customer's file writes nothing until confirmed, and the install it
# offers installs the imported certificate. Everything is checked from outside with certutil.
set -u
SUITE=family-stores
. "$(dirname "$0")/../lib/ra-suite.sh"
jq --arg d "$BK" '. + {backup_dir: $d}' "$T/base.json" >"$T/host.json"
export ECM_CONFIG=$T/host.json
PW=Demo1234 BPW=Backup-Pass-1 MPW=mum-master-1
A=A123456789 D=D220334567 E=E120556786 # Dad, Mum, Kid

FF=$HOME/.mozilla/firefox
DAD=$FF/dad.default MUM=$FF/mum.protected KID=$FF/kid.profile
mkdir -p "$PKI" "$DAD" "$MUM" "$KID" && chmod 700 "$PKI"
for d in "$PKI" "$DAD" "$MUM" "$KID"; do certutil -N -d "sql:$d" --empty-password; done
printf '%s\n' "$MPW" >"$T/mpw" && printf '\n' >"$T/empty"
certutil -W -d "sql:$MUM" -f "$T/empty" -@ "$T/mpw" >/dev/null 2>&1
ok $? "Mum's profile gets a master password (certutil -W)"
certutil -K -d "sql:$MUM" -f "$T/empty" 2>&1 | grep -q "could not authenticate"
ok $? "Mum's profile refuses certutil -K without it"
cat >"$FF/profiles.ini" <<INI
[General]
StartWithLastProfile=1
Version=2

[Profile0]
Name=Dad
IsRelative=1
Path=dad.default
Default=1

[Profile1]
Name=Mum
IsRelative=1
Path=mum.protected

[Profile2]
Name=Kid
IsRelative=1
Path=kid.profile
INI
S_PKI=nss:pki S_DAD=firefox:home:dad.default S_MUM=firefox:home:mum.protected S_KID=firefox:home:kid.profile
declare -A DIR=([$S_PKI]=$PKI [$S_DAD]=$DAD [$S_MUM]=$MUM [$S_KID]=$KID)

# serials STORE ID: the serials (no leading zeros) of ID's certificates in the store, sorted, from certutil
serials() {
	local nick
	certutil -L -d "sql:${DIR[$1]}" 2>/dev/null | sed -n "s/^\($2-[^ ]*\) .*/\1/p" | sort -u | while read -r nick; do
		certutil -L -d "sql:${DIR[$1]}" -n "$nick" -a 2>/dev/null
	done | pem_serials
}
# keys STORE ID: how many private keys of ID certutil -K lists (Mum's profile: with its master password)
keys() {
	local pw=()
	[ "$1" = "$S_MUM" ] && pw=(-f "$T/mpw")
	certutil -K -d "sql:${DIR[$1]}" "${pw[@]}" 2>/dev/null | grep -c " $2-"
}
# holds STORE ID SERIAL...: the store holds exactly these certificates of ID, each with its key
holds() {
	local s=$1 id=$2 want got
	shift 2
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	got=$(serials "$s" "$id")
	[ "$got" = "$want" ] && [ "$(keys "$s" "$id")" = "$#" ] && return 0
	diag "$s: $id's serials [$got] (want [$want]), keys $(keys "$s" "$id") (want $#)"
	return 1
}
login() { rpc login login "$(jq -cn --arg i "$1" --arg p "$PW" '{id: $i, password: $p}')" | reply; }
# enroll ID CMD EXTRA-JSON: login, OTP, CMD in one session; prints CMD's reply
enroll() {
	local otp
	sess_open
	login "$1" >/dev/null
	rpc otp otp_request >/dev/null
	otp=$(ra_otp "$1")
	rpc c "$2" "$(jq -cn --arg o "$otp" --arg p "$BPW" --argjson x "$3" \
		'{terms_version: "2026.1", otp: $o, backup: {password: $p}} + $x')" | reply
	sess_close || diag "session exit status $?"
}
# as ID CMD ARGS: one session, login then CMD; prints CMD's reply
as() {
	sess_open
	login "$1" >/dev/null
	rpc c "$2" "$3" | reply
	sess_close || diag "session exit status $?"
}
stores_of() { jq -r '[(.result.install.results // .result.results)[] | "\(.store)=\(.status)"] | sort | join(" ")' <<<"$1"; }
mum_pw() { jq -cn --arg s "$S_MUM" --arg p "$MPW" '{($s): $p}'; }

# ================================================================ 1. apply into the chosen stores only
r=$(enroll $D apply "$(jq -cn --arg a $S_PKI --arg b $S_MUM --argjson p "$(mum_pw)" '{stores: [$a, $b], password_for: $p}')")
is "$(jq -r .ok <<<"$r")" true "Mum's apply with stores [pki, Mum] and Mum's master password"
D1=$(jq -r .result.certificate.serial <<<"$r")
is "$(stores_of "$r")" "$S_MUM=installed $S_PKI=installed" "apply: one result per chosen store, both installed"
holds $S_MUM $D "$D1"; ok $? "apply: certutil -K (with the master password) shows Mum's key in her profile"
holds $S_PKI $D "$D1"; ok $? "apply: Mum's certificate and key in the shared Chrome database"
holds $S_DAD $D && holds $S_KID $D; ok $? "apply: nothing of Mum's in Dad's or Kid's profile"

r=$(enroll $E apply "$(jq -cn --arg k $S_KID '{stores: [$k]}')")
E1=$(jq -r .result.certificate.serial <<<"$r")
is "$(stores_of "$r")" "$S_KID=installed" "Kid's apply with stores [Kid]: only his profile"
holds $S_KID $E "$E1" && holds $S_PKI $E && holds $S_DAD $E && holds $S_MUM $E
ok $? "apply: Kid's key only in his profile (certutil)"
r=$(as $E apply '{"terms_version":"2026.1","otp":"123456","backup":{"password":"Backup-Pass-1"},"stores":[]}')
is "$(code <<<"$r")/$(detail field "$r")" "BAD_REQUEST/stores" "apply with an empty stores list: refused before anything"

# ================================================================ 2. stores, relative to the logged-in customer
r=$(as $A stores '{}')
only() { jq -r --arg s "$1" '.result.stores[] | select(.id == $s) | "\(.only_others) \(.password_required)"' <<<"$r"; }
is "$(only $S_KID)" "true false" "stores for Dad: Kid's profile holds only other customers' certificates"
is "$(only $S_MUM)" "null true" "stores for Dad: Mum's profile wants its master password (contents unknown)"
is "$(only $S_DAD)" "false false" "stores for Dad: his own (empty) profile is not someone else's"
is "$(jq -r '.result.stores[] | select(.id == "'$S_DAD'") | .profile' <<<"$r")" "Dad" "stores: the profile's name"
r=$(as $A stores "{\"id\":\"$(tr 'A-Z' 'a-z' <<<$E)\"}")
is "$(only $S_KID)" "false false" "stores for the id given (Kid's, lower case): his profile is his"
r=$(as $A stores '{"id":"A123456780"}')
is "$(code <<<"$r")" BAD_REQUEST "stores with an invalid id: BAD_REQUEST"

# ================================================================ 3. Dad applies where the screen ticks by default
r=$(enroll $A apply "$(jq -cn --arg a $S_PKI --arg b $S_DAD '{stores: [$a, $b]}')")
A1=$(jq -r .result.certificate.serial <<<"$r")
is "$(stores_of "$r")" "$S_DAD=installed $S_PKI=installed" "Dad's apply: his profile and the shared database"
holds $S_DAD $A "$A1" && holds $S_PKI $A "$A1"; ok $? "apply: Dad's key where he chose (certutil)"
holds $S_KID $A && holds $S_MUM $A; ok $? "apply: nothing of Dad's in Kid's or Mum's profile"

# ================================================================ 4. import of another customer's file
BKE=$(ls "$BK"/ECM_${E}_*.pfx | head -n 1)
imp() { jq -cn --arg p "$BKE" --arg w "$BPW" --argjson x "${1:-{\}}" '{path: $p, password: $w} + $x'; }
r=$(as $A import "$(imp)")
is "$(code <<<"$r")/$(detail masked_id "$r")" "OTHER_CUSTOMER/E12****786" \
	"import of Kid's backup while Dad is logged in: OTHER_CUSTOMER with Kid's masked ID"
holds $S_PKI $E; ok $? "import: nothing written before the warning was confirmed (certutil)"
r=$(as $A import "$(imp '{"confirm_other_customer":true}')")
is "$(jq -r '.result | "\(.status) \(.other_customer) \(.certificate.serial)"' <<<"$r")" "installed E12****786 $E1" \
	"import confirmed: installed, the reply says whose"
holds $S_PKI $E "$E1"; ok $? "import confirmed: Kid's certificate and key in the shared database"
r=$(as $E import "$(imp)")
is "$(jq -r .result.status <<<"$r")" already_present "import of his own file by Kid: no warning"
r=$(as $A install "$(jq -cn --arg s "$E1" --arg d $S_DAD '{serial: $s, stores: [$d]}')")
is "$(code <<<"$r")" NO_CERTIFICATE "install by serial of Kid's certificate while Dad is logged in, unconfirmed: refused"
holds $S_DAD $E; ok $? "... and nothing of Kid's reached Dad's profile (certutil)"
r=$(as $A install "$(jq -cn --arg s "$E1" --arg d $S_DAD '{serial: $s, stores: [$d], confirm_other_customer: true}')")
is "$(stores_of "$r")/$(jq -r .result.certificate.serial <<<"$r")" "$S_DAD=installed/$E1" \
	"the install offered after the import (confirmed) installs the imported certificate (by serial), not Dad's"
holds $S_DAD $E "$E1" && holds $S_DAD $A "$A1"; ok $? "install by serial: Kid's certificate now in Dad's profile (certutil)"
r=$(as $A install '{"serial":"0123"}')
is "$(code <<<"$r")" NO_CERTIFICATE "install of a serial the primary store does not hold: NO_CERTIFICATE"

# ================================================================ 5. cleanup: the chosen stores, with a password
r=$(as $D cleanup "$(jq -cn --arg s "$D1" --arg m $S_MUM '{serials: [$s], stores: [$m]}')")
is "$(jq -r '[(.result.removed | length), (.result.failed[] | "\(.store) \(.profile) \(.code)")] | join(" ")' <<<"$r")" \
	"0 $S_MUM Mum STORE_PASSWORD_REQUIRED" "cleanup without the master password: the failure is reported, with the profile"
holds $S_MUM $D "$D1"; ok $? "cleanup: nothing removed from Mum's profile without its password"
r=$(as $D cleanup "$(jq -cn --arg s "$D1" --arg m $S_MUM --argjson p "$(mum_pw)" '{serials: [$s], stores: [$m], password_for: $p}')")
is "$(jq -r '[(.result.removed[] | "\(.store) \(.serial)"), (.result.failed | length)] | join(" ")' <<<"$r")" "$S_MUM $D1 0" \
	"cleanup with password_for: removed from Mum's profile, no failure"
holds $S_MUM $D; ok $? "cleanup: certificate and key gone from Mum's profile (certutil -K with the password)"
holds $S_PKI $D "$D1"; ok $? "cleanup: the shared database (not chosen) still holds them"

# ================================================================ 6. renew into the chosen stores, with a password
r=$(as $D install "$(jq -cn --arg m $S_MUM --argjson p "$(mum_pw)" '{stores: [$m], password_for: $p}')")
is "$(stores_of "$r")" "$S_MUM=installed" "install with password_for: Mum's certificate back in her profile"
ra_clock 340
r=$(enroll $D renew "$(jq -cn --arg a $S_PKI --arg b $S_MUM --argjson p "$(mum_pw)" '{stores: [$a, $b], password_for: $p}')")
D2=$(jq -r .result.certificate.serial <<<"$r")
is "$(jq -r .ok <<<"$r")/$(stores_of "$r")" "true/$S_MUM=installed $S_PKI=installed" \
	"Mum's renew with stores [pki, Mum] and her master password"
holds $S_MUM $D "$D2"; ok $? "renew: the new key in Mum's protected profile, the superseded one removed there (certutil -K)"
is "$(jq -r '[.result.install.removed[].store] | sort | join(" ")' <<<"$r")" "$S_MUM $S_PKI" \
	"renew: the superseded certificate removed where the new one landed, Mum's profile with its password"
holds $S_PKI $D "$D2"; ok $? "renew: the new certificate replaced the old one in the shared database"
holds $S_DAD $D && holds $S_KID $D; ok $? "renew: nothing of Mum's in Dad's or Kid's profile"

done_testing
