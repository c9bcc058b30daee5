#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ecm/log.h"
#include "ecm/platform.h"
#include "ecm/util.h"

static ecm_log_level threshold = ECM_LOG_OFF;
static FILE *log_file;

char *
ecm_log_path(void)
{
	return ecm_platform_log_path();
}

static ecm_log_level
level_from_env(void)
{
	const char *v = getenv("ECM_LOG");

	if (v == NULL)
		return ECM_LOG_OFF;
	if (strcmp(v, "debug") == 0)
		return ECM_LOG_DEBUG;
	if (strcmp(v, "info") == 0)
		return ECM_LOG_INFO;
	if (strcmp(v, "warn") == 0)
		return ECM_LOG_WARN;
	return ECM_LOG_OFF;
}

static FILE *
open_log(void)
{
	char *path = ecm_log_path(), *dir;
	FILE *f = NULL;
	mode_t old;

	if (path == NULL)
		return NULL;
	if ((dir = ecm_dir_of(path)) != NULL)
		(void)ecm_mkdirs(dir, 0700);
	free(dir);
	old = umask(077);
	f = fopen(path, "a");
	umask(old);
	free(path);
	return f;
}

void
ecm_log_init(void)
{
	threshold = level_from_env();
	if (threshold != ECM_LOG_OFF && log_file == NULL)
		log_file = open_log();
	if (log_file == NULL)
		threshold = ECM_LOG_OFF;
}

void
ecm_log(ecm_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn" };
	char stamp[32];
	time_t now;
	struct tm tm;
	va_list ap;

	if (level < threshold || threshold == ECM_LOG_OFF || log_file == NULL)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(log_file, "%s [%ld] %s: ", stamp, (long)getpid(), names[level]);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

void
ecm_log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	threshold = ECM_LOG_OFF;
}
