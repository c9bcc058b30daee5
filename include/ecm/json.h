/* JSON text in and out of the host, on top of cJSON: strict reading of what the protocol defines, and valid
 * UTF-8 in everything printed. */
#ifndef ECM_JSON_H
#define ECM_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "ecm/error.h"

/* Parses exactly one JSON value: BAD_REQUEST (details.field names the part) for malformed JSON, anything but
 * white space after the value, ill-formed UTF-8 anywhere, and a \u0000 escape (C strings cannot hold it, so
 * the value would silently end there). */
ecm_code ecm_json_parse(const char *text, size_t len, cJSON **out, ecm_error *err);
/* Replaces ill-formed UTF-8 in every key and string of item, in place, so that printing it gives valid UTF-8. */
void ecm_json_sanitize(cJSON *item);
/* Appends ".name" (or "name" to an empty path) to path (cap bytes), the name cut to a readable length on a
 * character boundary: field names from a request are echoed in details.field. */
void ecm_json_path_append(char *path, size_t cap, const char *name);

#endif
