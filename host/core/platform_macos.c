/* What macOS does differently from Linux (the rest: platform_posix.c): no /proc, and its own folders. */
#include <mach-o/dyld.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/platform.h"
#include "ecm/util.h"

const char *
ecm_platform_name(void)
{
	return "macos";
}

char *
ecm_platform_user_config(void)
{
	char *home = ecm_platform_home_dir(), *path;

	if (home == NULL)
		return NULL;
	path = ecm_path_join(home, "Library/Application Support/ecert-manager/config.json");
	free(home);
	return path;
}

char *
ecm_platform_system_config(void)
{
	return strdup("/Library/Application Support/ecert-manager/config.json");
}

/* _NSGetExecutablePath may name the program through a symbolic link: realpath gives the folder it is in. */
char *
ecm_platform_exe_path(void)
{
	uint32_t size = 0;
	char *buf, *real;

	_NSGetExecutablePath(NULL, &size);
	buf = malloc(size + 1);
	if (buf == NULL)
		return NULL;
	if (_NSGetExecutablePath(buf, &size) != 0) {
		free(buf);
		return NULL;
	}
	real = realpath(buf, NULL);
	free(buf);
	return real;
}
