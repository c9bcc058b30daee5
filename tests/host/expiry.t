#!/usr/bin/env bash
# expiry (issue 17 item 4): the reminder covers every customer with a certificate on this computer. Two customers'
# certificates in one NSS database (A's has 24 days left, B's, newer, 364) and a third in a Firefox profile; a
# foreign CA's certificate naming a fourth ID is nobody's. No login, nothing written, no key in the answer.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/tap.sh
. "$root/tests/lib/tap.sh"
ECM=$(cd "$root" && realpath "${ECM_BUILD:-build}/ecm")
T=$(mktemp -d "${TMPDIR:-/tmp}/ecm-expiry.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
cd "$T" || exit 1

ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj "/C=TW/O=Broker CA/CN=Broker CA" -days 800
ossl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -subj "/C=TW/CN=Foreign CA" -days 800
# customer NAME CA CN DAYS [SERIAL]: a client certificate issued by CA, and its .pfx
customer() {
	ossl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/C=TW/O=Broker/CN=$3"
	ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -set_serial "0x${5:-$(openssl rand -hex 8)}" -days "$4" -out "$1.pem"
	ossl pkcs12 -export -inkey "$1.key" -in "$1.pem" -passout pass:p12 -out "$1.p12"
}
# A's serial starts with a byte below 0x10, which openssl prints padded ("01...") and the host without the zero
customer a ca "A123456789-00-00::PCC005" 24 "010F$(openssl rand -hex 6)"
sleep 1 # B's is the newer one: what a pick of "the newest certificate of anyone" takes
customer b ca "B123456780-00-00::PCC005" 364
customer c ca "F222222222-00-00::PCC005" 200
customer x other "C100000003-00-00::PCC005" 5

H=$T/home
mkdir -p "$H/.pki/nssdb" "$H/.mozilla/firefox/kid.default"
certutil -N -d "sql:$H/.pki/nssdb" --empty-password
certutil -N -d "sql:$H/.mozilla/firefox/kid.default" --empty-password
printf '[Profile0]\nName=kid\nIsRelative=1\nPath=kid.default\nDefault=1\n' >"$H/.mozilla/firefox/profiles.ini"
for n in a b x; do pk12util -i "$n.p12" -d "sql:$H/.pki/nssdb" -W p12 >/dev/null; done
pk12util -i c.p12 -d "sql:$H/.mozilla/firefox/kid.default" -W p12 >/dev/null
is "$(certutil -L -d "sql:$H/.pki/nssdb" | grep -c 'u,u,u')" 3 "fixture: three certificates with keys in one NSS database"
printf '{"est_url":"https://127.0.0.1:9/est","api_url":"https://127.0.0.1:9/api","ra_ca_file":"%s"}\n' "$T/ca.pem" >config.json
before=$(cd "$H" && find . -type f -exec sha256sum {} + | sort)

call() { printf '{"id":1,"cmd":"%s"}\n' "$1" | HOME=$H ECM_CONFIG=$T/config.json XDG_CONFIG_HOME=$H/xdg "$ECM" session; }

# A new computer, nobody's certificate anywhere: an empty list, without undefined behaviour on the way (UBSan saw
# qsort given no array when the e2e popup opened in such a home).
E=$T/empty && mkdir -p "$E/.pki/nssdb" && certutil -N -d "sql:$E/.pki/nssdb" --empty-password
r=$(H=$E call expiry 2>"$T/empty.err")
is "$(jq -c .result.customers <<<"$r")" "[]" "no certificate on the computer: an empty list"
! grep -q 'runtime error' "$T/empty.err"; ok $? "no certificate on the computer: no undefined behaviour (UBSan under --san)"
r=$(call expiry)
is "$(jq -r .ok <<<"$r")" true "expiry answers without a login"
is "$(jq -r '[.result.customers[].masked_id] | join(" ")' <<<"$r")" "A12****789 F22****222 B12****780" \
	"every customer of the broker's CA, nearest expiry first, IDs masked (the foreign CA's is nobody's)"
first=$(jq -c '.result.customers[0]' <<<"$r")
like "$(jq -r .days_left <<<"$first")" '^2[34]$' "A's certificate comes first with 24 days left (got $(jq -r .days_left <<<"$first"))"
is "$(jq -r '.serial | ascii_upcase' <<<"$first")" "$(cert_serial a.pem)" "with A's serial"
is "$(jq -r '[.cn, .expired, .store, .store_name] | join("|")' <<<"$first")" "A123456789-00-00::PCC005|false|nss:pki|$(jq -r '.result.customers[0].store_name' <<<"$r")" \
	"cn, expired, store of A's entry"
like "$(jq -r '.result.customers[2].days_left' <<<"$r")" '^36[34]$' "B's has 364 days"
is "$(jq -r '.result.customers[1].store_name' <<<"$r")" "Firefox profile “kid”" "the kid's profile by its name"
like "$(jq -r '.result.customers[0].not_after' <<<"$r")" '^20[0-9-]+T' "not_after is a date"
! grep -qiE 'A123456789|B123456780|PRIVATE|"key"|"pem"' <<<"$(jq -c '.result.customers | map(del(.cn))' <<<"$r")"
ok $? "no full ID outside the name, no key, no PEM in the answer"
is "$(cd "$H" && find . -type f -exec sha256sum {} + | sort)" "$before" "nothing in HOME was written"

# A renewed certificate counts, not the one it superseded: A's new one (300 days) in the Firefox profile.
customer a2 ca "A123456789-00-01::PCC005" 300
pk12util -i a2.p12 -d "sql:$H/.mozilla/firefox/kid.default" -W p12 >/dev/null
r=$(call expiry)
like "$(jq -r '[.result.customers[] | "\(.masked_id)=\(.days_left)"] | join(" ")' <<<"$r")" \
	'^F22\*\*\*\*222=(199|200) A12\*\*\*\*789=(299|300) B12\*\*\*\*780=(363|364)$' "per customer, the certificate that lasts longest"

# A profile protected by a password is named as skipped; the others are still covered.
mkdir -p "$H/.mozilla/firefox/locked" && echo pw-1 >"$T/dbpw" && certutil -N -d "sql:$H/.mozilla/firefox/locked" -f "$T/dbpw"
printf '[Profile1]\nName=locked\nIsRelative=1\nPath=locked\n' >>"$H/.mozilla/firefox/profiles.ini"
r=$(call expiry)
is "$(jq -r '.result.customers | length' <<<"$r")" 3 "a protected profile does not hide the other customers"
done_testing
