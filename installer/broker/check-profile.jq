# The first problem of a broker profile as "KEY<tab>MESSAGE", or nothing (build-broker.sh; the host's own reader is
# host/core/config.c: this only stops a package from being built around a profile the host would refuse).
# $keys: the allowed keys, space-separated; keys starting with "_" and "comment" are free.
def https: type == "string" and test("^https://[^/?#]+");
def name_ok: type == "string" and length > 0 and utf8bytelength <= 64;
def problems:
  ($keys | split(" ")) as $known
  | (keys_unsorted[] | select((. as $k | $known | index($k)) == null and (startswith("_") | not) and . != "comment")
     | [., "not a key of a broker profile"]),
    (["id", "name", "est_url", "api_url", "ra_ca_file"][] as $k | select(has($k) | not) | [$k, "missing (required)"]),
    (select(has("id") and (.id | type != "string" or (test("^[a-z0-9][a-z0-9-]{0,31}$") | not)))
     | ["id", "must be 1 to 32 of a-z, 0-9 and -, starting with a letter or digit"]),
    (select(has("name") and (.name | type != "object" or ((.["zh-TW"] | name_ok) and (.en | name_ok) | not)))
     | ["name", "must be {\"zh-TW\": ..., \"en\": ...}, each 1 to 64 bytes"]),
    (("est_url", "api_url", "revoke_url") as $k | select(has($k) and (.[$k] | https | not))
     | [$k, "must be an https:// URL"]),
    (("ra_ca_file", "ra_tls_ca_file", "ra_client_cert_file", "icon", "subject_ou", "key_type") as $k
     | select(has($k) and (.[$k] | type != "string" or length == 0)) | [$k, "must be a non-empty string"]),
    (select(has("ra_client_key_file"))
     | ["ra_client_key_file", "a private key cannot be shipped: every customer would get it (install it separately, mode 0600)"]),
    (select(has("renew_days") and (.renew_days | type != "number" or . != floor or . < 1 or . > 365))
     | ["renew_days", "must be a whole number from 1 to 365"]),
    (select(has("sign_origins") and (.sign_origins | type != "array"
       or any(.[]; type != "string" or (test("^https?://[^/?#]+$") | not))))
     | ["sign_origins", "must be a list of origins (scheme://host[:port], no path)"]);
if type != "object" then "-\tnot a JSON object" else (first(problems) // empty | @tsv) end
