#!/usr/bin/perl
# Test helper: turns JSON lines (or raw byte specs) into native-messaging frames on stdout,
# and frames on stdin into JSON lines ("decode"). Native byte order, as the browsers use.
use strict;
use warnings;

my $mode = shift @ARGV // 'encode';
binmode STDIN;
binmode STDOUT;
if ($mode eq 'encode') {
	while (my $line = <STDIN>) {
		chomp $line;
		print pack('L', length($line)), $line;
	}
} elsif ($mode eq 'encode-stream') {  # as encode, each frame written as soon as its line arrives
	$| = 1;
	while (my $line = <STDIN>) {
		chomp $line;
		print pack('L', length($line)), $line;
	}
} elsif ($mode eq 'decode-stream') {  # as decode, each line written as soon as its frame arrives
	$| = 1;
	my $head;
	while (read(STDIN, $head, 4) == 4) {
		my $n = unpack('L', $head);
		my $body = '';
		while (length($body) < $n) {
			my $got = read(STDIN, $body, $n - length($body), length($body));
			last unless $got;
		}
		print $body, "\n";
	}
} elsif ($mode eq 'raw') {      # raw HEXLENGTH [BODY]: a header announcing any length, then BODY as is
	my ($len, $body) = @ARGV;
	print pack('L', hex($len)), ($body // '');
} elsif ($mode eq 'decode') {
	local $/;
	my $all = <STDIN> // '';
	while (length($all) >= 4) {
		my $n = unpack('L', substr($all, 0, 4));
		last if length($all) < 4 + $n;
		print substr($all, 4, $n), "\n";
		$all = substr($all, 4 + $n);
	}
	print "TRAILING ", length($all), " BYTES\n" if length($all);
} else {
	die "usage: frame-tool.pl encode|encode-stream|raw LEN [BODY]|decode|decode-stream\n";
}
