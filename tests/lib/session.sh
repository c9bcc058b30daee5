# One `ecm session` as a coprocess, for suites that drive a whole connection (login, then commands), as the
# extension's background does. Needs $ECM (the ecm binary) and $T (a temporary folder: stderr goes to $T/stderr).
#   sess_open; rpc 1 login '{"id":…}' | reply; sess_close
# shellcheck shell=bash

# The coprocess's descriptors are copied to plain ones (bash does not pass a coprocess's own to subshells such
# as pipelines).
sess_open() {
	coproc ECMS { exec "$ECM" session 2>>"$T/stderr"; }
	exec {TO_ECM}>&"${ECMS[1]}" {FROM_ECM}<&"${ECMS[0]}"
}
send() { printf '%s\n' "$1" >&"$TO_ECM"; }
# recv ID: every line for request ID up to and including its reply (progress events included).
recv() {
	local line
	while IFS= read -r -t 120 line <&"$FROM_ECM"; do
		printf '%s\n' "$line"
		jq -e --arg id "$1" '(.id | tostring) == $id and (has("progress") | not)' <<<"$line" >/dev/null && return 0
	done
	return 1
}
# rpc ID CMD [ARGS]: the request's lines (progress events, reply)
rpc() { send "{\"id\":\"$1\",\"cmd\":\"$2\",\"args\":${3:-{\}}}" && recv "$1"; }
# sess_close: end of input; returns the session's exit status (non-zero on a sanitizer report)
sess_close() {
	local pid=$ECMS_PID s
	exec {TO_ECM}>&- {FROM_ECM}<&-
	[ -n "${ECMS[1]:-}" ] && { local fd=${ECMS[1]}; exec {fd}>&-; }
	wait "$pid"
	s=$?
	ECMS_PID=
	return $s
}
# reply: the last line that is not a progress event
reply() { grep -v '"progress"' | tail -n 1; }
# issue_unsaved REQUEST DIR: sends an apply or renew REQUEST whose backup path is inside DIR, removes DIR once the
# request is at the RA (progress "enroll": the backup target was checked) and prints every message of the answer:
# the RA issues a certificate whose backup cannot be written (ISSUED_NOT_SAVED). Slow the RA first (ra_fault).
issue_unsaved() {
	local line id
	id=$(jq -r .id <<<"$1")
	send "$1"
	: >"$T/unsaved.out"
	while IFS= read -r -t 120 line <&"$FROM_ECM"; do
		printf '%s\n' "$line" >>"$T/unsaved.out"
		[ "$(jq -r '.progress.step // empty' <<<"$line")" = enroll ] && break
	done
	rm -rf "$2"
	cat "$T/unsaved.out"
	recv "$id"
}
