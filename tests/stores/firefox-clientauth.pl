#!/usr/bin/perl
# Visits URL in headless Firefox ESR running the existing profile named "default" of $HOME/.mozilla/firefox —
# the very folder whose cert9.db/key4.db the host filled — and prints the page text. user.js in that folder
# (written by the test) sets security.default_personal_cert = "Select Automatically".
use strict;
use warnings;
use Firefox::Marionette;
use Firefox::Marionette::Capabilities;
use Firefox::Marionette::Profile;

# Firefox::Marionette finds profiles.ini under getpwuid's home; the test's fake HOME is what counts here.
{
	no warnings 'redefine';
	*Firefox::Marionette::Profile::profile_ini_directory = sub { return "$ENV{HOME}/.mozilla/firefox" };
}

my ($url) = @ARGV;
my $ff = Firefox::Marionette->new(profile_name => 'default', visible => 0,
	capabilities => Firefox::Marionette::Capabilities->new(accept_insecure_certs => 1));
$ff->go($url);
print $ff->find_tag('body')->text();
$ff->quit();
