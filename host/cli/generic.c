/* `ecm CMD [--field value]…`: any core command from the command line. `--a.b value` fills a nested field.
 * Secret fields are never taken from argv: they are read from `--FIELD-file PATH` or asked for on the terminal —
 * a nested one (backup.password) when its object is given, a store's password only when the store asks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/command.h"
#include "ecm/secmem.h"
#include "ecm/util.h"
#include "cli.h"

typedef struct {
	const char *login_id;
	const char *password_file;
	cJSON *args;
} generic_opts;

/* The command's secret fields, from its argument rows (ECM_ARG_SECRET). */
#define SECRETS_MAX 16

typedef struct {
	ecm_arg_secret field[SECRETS_MAX];
	size_t n;
} secret_list;

static secret_list
secrets_of(const ecm_command *c)
{
	secret_list l;

	l.n = ecm_args_secrets(c->args, l.field, SECRETS_MAX);
	return l;
}

static int
is_secret(const ecm_command *c, const char *field)
{
	secret_list l = secrets_of(c);
	size_t i;

	for (i = 0; i < l.n; i++)
		if (strcmp(l.field[i].path, field) == 0)
			return 1;
	return 0;
}

/* "--backup-path" -> "backup_path" (malloc'd). */
static char *
field_name(const char *opt)
{
	char *name = strdup(opt + 2), *p;

	for (p = name; p != NULL && *p != '\0'; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

/* The object that holds field "a.b" (created on demand) and the leaf name "b"; args itself for "b". */
static cJSON *
holder_of(cJSON *args, const char *field, const char **leaf, int create)
{
	const char *dot = strchr(field, '.');
	char parent[64];
	cJSON *obj;

	*leaf = field;
	if (dot == NULL)
		return args;
	if ((size_t)(dot - field) >= sizeof(parent))
		return NULL;
	memcpy(parent, field, (size_t)(dot - field));
	parent[dot - field] = '\0';
	*leaf = dot + 1;
	obj = cJSON_GetObjectItemCaseSensitive(args, parent);
	if (obj == NULL && create)
		obj = cJSON_AddObjectToObject(args, parent);
	return cJSON_IsObject(obj) ? obj : NULL;
}

/* The host takes relative paths in the home folder (a browser starts it anywhere); on the command line a relative
 * path means the shell's folder, so every "path" option is made absolute here. */
static cJSON *
cli_path(const char *leaf, cJSON *value)
{
	char *abs;
	cJSON *out;

	if (strcmp(leaf, "path") != 0 || !cJSON_IsString(value) || (abs = ecm_cwd_path(value->valuestring)) == NULL)
		return value;
	out = cJSON_CreateString(abs);
	free(abs);
	if (out == NULL)
		return value;
	cJSON_Delete(value);
	return out;
}

static int
set_field(cJSON *args, const char *field, cJSON *value)
{
	const char *leaf;
	cJSON *holder = holder_of(args, field, &leaf, 1);

	if (holder == NULL) {
		fprintf(stderr, "ecm: --%s does not fit with the other options\n", field);
		cJSON_Delete(value);
		return 1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(holder, leaf);
	cJSON_AddItemToObject(holder, leaf, cli_path(leaf, value));
	return 0;
}

static int
add_secret_from_file(cJSON *args, const char *field, const char *file)
{
	char *secret = ecm_cli_read_secret(field, file);
	int rc;

	if (secret == NULL)
		return 1;
	rc = set_field(args, field, cJSON_CreateString(secret));
	ecm_secret_free(secret);
	return rc;
}

/* Whether key names a secret of c: "password" matches the secret "password" and the last part of
 * "backup.password", at whatever depth the key sits. */
static int
secret_key(const ecm_command *c, const char *key)
{
	secret_list l = secrets_of(c);
	const char *last;
	size_t i;

	for (i = 0; key != NULL && i < l.n; i++) {
		last = strrchr(l.field[i].path, '.');
		if (strcmp(last != NULL ? last + 1 : l.field[i].path, key) == 0)
			return 1;
	}
	return 0;
}

/* Whether JSON given on the command line carries a secret field anywhere: argv is visible to every process of
 * the machine, so secrets never come from it, not even inside --args-json. */
static int
json_has_secret(const ecm_command *c, const cJSON *item)
{
	const cJSON *child;

	for (child = item != NULL ? item->child : NULL; child != NULL; child = child->next)
		if (secret_key(c, child->string) || json_has_secret(c, child))
			return 1;
	return 0;
}

static int
add_args_json(const ecm_command *c, cJSON *args, const char *value)
{
	cJSON *extra = cJSON_Parse(value), *item;
	int rc = 0;

	if (!cJSON_IsObject(extra)) {
		fprintf(stderr, "ecm: --args-json needs a JSON object\n");
		rc = 1;
	} else if (json_has_secret(c, extra)) {
		fprintf(stderr, "ecm: --args-json cannot carry a secret: it is asked for, or read with --FIELD-file\n");
		rc = 1;
	}
	while (rc == 0 && (item = extra->child) != NULL)
		cJSON_AddItemToObject(args, item->string, cJSON_DetachItemViaPointer(extra, item));
	ecm_wipe_json_strings(extra); /* a refused secret is not left in freed memory */
	cJSON_Delete(extra);
	return rc;
}

static int
parse_option(const ecm_command *c, generic_opts *o, char *opt, const char *value)
{
	char *name = field_name(opt);
	size_t n = name ? strlen(name) : 0;
	int rc = 0;

	if (name == NULL)
		return 1;
	if (n > 5 && strcmp(name + n - 5, "_file") == 0 && is_secret(c, (name[n - 5] = '\0', name)))
		rc = add_secret_from_file(o->args, name, value);
	else if (is_secret(c, name)) {
		fprintf(stderr, "ecm: --%s is a secret: it is asked for, or read with --%s-file\n", opt + 2, opt + 2);
		rc = 1;
	} else if (value == NULL)
		rc = set_field(o->args, name, cJSON_CreateTrue());
	else if (strcmp(name, "args_json") == 0)
		rc = add_args_json(c, o->args, value);
	else
		rc = set_field(o->args, name, cJSON_CreateString(value));
	free(name);
	return rc;
}

static int
parse_options(const ecm_command *c, generic_opts *o, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *value = (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) ? argv[i + 1] : NULL;
		if (strncmp(argv[i], "--", 2) != 0) {
			fprintf(stderr, "ecm: unexpected argument %s\n", argv[i]);
			return 1;
		}
		if ((c->flags & ECM_CMD_NEEDS_LOGIN) && strcmp(argv[i], "--id") == 0 && value)
			o->login_id = value;
		else if (strcmp(argv[i], "--password-file") == 0 && value && !is_secret(c, "password"))
			o->password_file = value;
		else if (parse_option(c, o, argv[i], value) != 0)
			return 1;
		if (value != NULL)
			i++;
	}
	return 0;
}

/* A store's password is asked for only when the store turns out to have one (see ecm_cli_generic). */
static int
asked_on_demand(const char *secret)
{
	return strcmp(secret, "store_password") == 0;
}

/* A map of secrets (a password per store) is never prompted for: a store asks for its own (see below). */
static int
prompt_missing_secrets(const ecm_command *c, generic_opts *o)
{
	secret_list l = secrets_of(c);
	const char *s, *leaf;
	cJSON *holder;
	size_t i;

	for (i = 0; i < l.n; i++) {
		s = l.field[i].path;
		holder = holder_of(o->args, s, &leaf, 0);
		if (holder == NULL || l.field[i].is_map || asked_on_demand(s) ||
		    cJSON_GetObjectItemCaseSensitive(holder, leaf) != NULL)
			continue;
		if (strcmp(s, "password") == 0 && o->password_file != NULL) {
			if (add_secret_from_file(o->args, s, o->password_file) != 0)
				return 1;
			continue;
		}
		if (add_secret_from_file(o->args, s, NULL) != 0)
			return 1;
	}
	return 0;
}

/* The command failed only because a store has a password that was not given: ask once and try again. */
static int
store_asks_password(const ecm_command *c, const generic_opts *o, const cJSON *reply)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply, "error"), "code");

	return cJSON_IsString(code) && strcmp(code->valuestring, "STORE_PASSWORD_REQUIRED") == 0 &&
	    is_secret(c, "store_password") && cJSON_GetObjectItemCaseSensitive(o->args, "store_password") == NULL;
}

static void
print_result(const cJSON *result)
{
	char *text = cJSON_Print(result);

	if (text != NULL)
		printf("%s\n", text);
	cJSON_free(text);
}

int
ecm_cli_generic(ecm_cli *cli, int argc, char **argv)
{
	generic_opts o = { NULL, NULL, cJSON_CreateObject() };
	const ecm_command *c;
	ecm_error err;
	cJSON *reply;
	int rc = 1;

	ecm_error_init(&err);
	c = ecm_command_find(argv[0], &err);
	if (c == NULL) {
		fprintf(stderr, "ecm: %s (ecm help lists the commands)\n", err.message);
		ecm_error_clear(&err);
		goto out;
	}
	if (parse_options(c, &o, argc, argv) != 0)
		goto out;
	if ((c->flags & ECM_CMD_NEEDS_LOGIN) != 0) {
		if (o.login_id == NULL) {
			fprintf(stderr, "ecm: %s needs a login: add --id <national ID>\n", c->name);
			goto out;
		}
		if (ecm_cli_login(cli, o.login_id, o.password_file) != 0)
			goto out;
	}
	if (prompt_missing_secrets(c, &o) != 0)
		goto out;
	reply = ecm_cli_call(cli, c->name, cJSON_Duplicate(o.args, 1));
	if (store_asks_password(c, &o, reply) && add_secret_from_file(o.args, "store_password", NULL) == 0) {
		cJSON_Delete(reply);
		reply = ecm_cli_call(cli, c->name, cJSON_Duplicate(o.args, 1));
	}
	rc = ecm_cli_reply_ok(reply) ? (print_result(ecm_cli_result(reply)), 0) : ecm_cli_report_error(reply);
	cJSON_Delete(reply);
out:
	if (o.args != NULL)
		ecm_wipe_json_strings(o.args);
	cJSON_Delete(o.args);
	return rc;
}
