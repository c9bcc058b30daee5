# shellcheck shell=sh
# name_guid TEXT: a name-based GUID (SHA-1 of TEXT, RFC 4122 version 5 layout), upper case in braces: the same
# TEXT always gives the same GUID, so rebuilt MSIs keep their product, upgrade and component codes.
name_guid() {
	h=$(printf '%s' "$1" | sha1sum | cut -c1-32)
	v=$(printf '%x' $(( (0x$(echo "$h" | cut -c17) & 3) | 8 )))
	echo "{$(echo "$h" | cut -c1-8)-$(echo "$h" | cut -c9-12)-5$(echo "$h" | cut -c14-16)-$v$(echo "$h" | cut -c18-20)-$(echo "$h" | cut -c21-32)}" |
		tr a-f A-F
}
