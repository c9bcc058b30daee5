#!/usr/bin/env bash
# Frames whose length or body holds 0x0A, 0x0D or 0x1A through real pipes into ecm-host.exe under Wine. In text
# mode the C runtime turns 0x0A into 0x0D 0x0A on the way out, drops 0x0D before 0x0A and stops at 0x1A on the
# way in: every one of these would lose or corrupt a frame (issue 10: a 266-byte reply came back as 299 of 628).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/windows/lib.sh
win_setup
trap 'win_cleanup; rm -rf "$work"' EXIT
work=$(mktemp -d)
export HOME=$work/home && mkdir -p "$HOME"
unset ECM_CONFIG
FT=tests/host/frame-tool.pl
CHROME=chrome-extension://mainajikbmfkgohgpkhpgioaimbggpmo/

# frame ID PADDED-LENGTH [FILL]: a hello request padded with JSON whitespace (FILL: bytes of \n \r and spaces)
# to exactly PADDED-LENGTH bytes, framed.
frame() {
	perl -e 'my ($id, $len, $fill) = @ARGV; $fill = " " if !defined $fill || $fill eq "";
		my $j = qq({"id":$id,"cmd":"hello"}); my $pad = ""; $pad .= $fill while length($j) + length($pad) < $len;
		$j = substr($j, 0, -1) . substr($pad, 0, $len - length($j)) . "}"; print pack("L", length $j), $j' "$@"
}
replies() { timeout 30 "$WRAP/ecm-host" "$CHROME" | perl $FT decode; }

# Lengths whose low bytes are 0x0A, 0x0D, 0x1A (and both bytes: 0x0A0D, 0x1A0A, 0x0D1A).
for len in 10 13 26 266 269 282 2573 6666 3354; do
	hex=$(printf '%08x' "$len")
	if [ "$len" -lt 23 ]; then
		# Too short for a hello: a JSON value of that length, answered BAD_REQUEST with id null.
		out=$( { perl -e 'my $n = shift; my $j = "[" . ("\n" x ($n - 2)) . "]"; print pack("L", $n), $j' "$len"
			frame 2 30; } | replies)
		is "$(jq -r '.error.code // .id' <<<"$out" | tr '\n' ' ')" "BAD_REQUEST 2 " \
			"a $len-byte frame (length bytes $hex, body of 0x0A) is read whole, then the next one"
		continue
	fi
	out=$( { frame 1 "$len" $'\n'; frame 2 "$len" $'\r\n'; frame 3 40; } | replies)
	is "$(jq -r '.id' <<<"$out" | tr '\n' ' ')" "1 2 3 " "length $len (bytes $hex) with 0x0A / 0x0D 0x0A bodies: three replies in order"
	ok "$(grep -q TRAILING <<<"$out"; [ $? -ne 0 ]; echo $?)" "length $len: no byte left over in the replies"
done

# 0x1A (^Z, end of file in text mode) inside the body: valid JSON never carries it raw, so the whole frame must
# reach the strict parser (BAD_REQUEST naming the control character, not a short read), and the connection goes on.
out=$( { perl -e 'my $j = qq({"id":1,"cmd":"he\x1allo"}); print pack("L", length $j), $j'; frame 2 64; } | replies)
is "$(jq -r 'select(.ok == false) | .error.message | contains("control character")' <<<"$out")" true \
	"the 0x1A byte reached the JSON parser (refused as an unescaped control character)"
is "$(jq -r '(.error.code // "ok") + ":" + (.id|tostring)' <<<"$out" | tr '\n' ' ')" "BAD_REQUEST:null ok:2 " \
	"0x1A inside a body: the frame read whole, refused, and the next frame is still read"

# Replies are binary too: the reply lengths hit 0x0A.. and every reply byte count matches its header.
out=$(frame 7 266 | timeout 30 "$WRAP/ecm-host" "$CHROME" | perl -e 'local $/; my $a = <STDIN>;
	my $n = unpack("L", substr($a, 0, 4)); print length($a) - 4 - $n, " ", ($a =~ tr/\r//)')
is "$out" "0 0" "a reply is exactly its announced length and holds no inserted 0x0D"

# The same frames through the Linux host give the same answers (ids and codes), when it is built.
if [ -x build/ecm-host ]; then
	linux=$( { frame 1 266 $'\n'; frame 2 282 $'\r\n'; } | timeout 10 build/ecm-host "$CHROME" | perl $FT decode |
		jq -r '.id' | tr '\n' ' ')
	win=$( { frame 1 266 $'\n'; frame 2 282 $'\r\n'; } | replies | jq -r '.id' | tr '\n' ' ')
	is "$win" "$linux" "ecm-host.exe answers these frames as ecm-host on Linux does"
fi
done_testing
