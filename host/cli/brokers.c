/* `ecm brokers`: the installed broker profiles (hello's brokers) and the files left out (broker_problems), for
 * support staff and installers. Exit status 1 when a profile was left out. */
#include <stdio.h>

#include "cli.h"

static const char *
text(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

static void
print_broker(const cJSON *b)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "name"), *o;

	printf("%s\t%s / %s\n", text(b, "id"), text(name, "zh-TW"), text(name, "en"));
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(b, "origins"))
		printf("\torigin %s\n", cJSON_IsString(o) ? o->valuestring : "-");
}

int
ecm_cli_brokers(ecm_cli *cli, int argc, char **argv)
{
	cJSON *reply;
	const cJSON *result, *b;
	int problems = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: ecm brokers\n");
		return 2;
	}
	reply = ecm_cli_call(cli, "hello", NULL);
	if (!ecm_cli_reply_ok(reply)) {
		int rc = ecm_cli_report_error(reply);
		cJSON_Delete(reply);
		return rc;
	}
	result = ecm_cli_result(reply);
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(result, "brokers"))
		print_broker(b);
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(result, "broker_problems")) {
		fprintf(stderr, "ecm: %s: %s\n", ecm_cli_tr("left out"), text(b, "message"));
		problems++;
	}
	cJSON_Delete(reply);
	return problems > 0;
}
