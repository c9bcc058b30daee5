/* What a path means (include/ecm/path.h). The rules differ only in the separators and the roots Windows has. */
#include <stdlib.h>
#include <string.h>

#include "ecm/path.h"
#include "ecm/util.h"

static int
is_sep(ecm_path_rules r, char c)
{
	return c == '/' || (r == ECM_PATH_WINDOWS && c == '\\');
}

static int
drive(ecm_path_rules r, const char *p)
{
	return r == ECM_PATH_WINDOWS && ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
}

int
ecm_path_absolute_in(ecm_path_rules r, const char *path)
{
	if (path == NULL)
		return 0;
	return is_sep(r, path[0]) || (drive(r, path) && is_sep(r, path[2]));
}

int
ecm_path_is_absolute(const char *path)
{
	return ecm_path_absolute_in(ECM_PATH_NATIVE, path);
}

/* How much of path is its root: "/" (1), "C:\" (3), "\\server\share\" (through the share's separator), or 0. */
static size_t
root_len(ecm_path_rules r, const char *path)
{
	size_t n, parts;

	if (drive(r, path))
		return is_sep(r, path[2]) ? 3 : 2;
	if (!is_sep(r, path[0]))
		return 0;
	if (r != ECM_PATH_WINDOWS || !is_sep(r, path[1]))
		return 1;
	for (n = 2, parts = 0; path[n] != '\0' && parts < 2; n++) /* \\server\share\ */
		if (is_sep(r, path[n]))
			parts++;
	return n;
}

char *
ecm_path_dir_in(ecm_path_rules r, const char *path)
{
	size_t root, end = 0, i;
	char *dir;

	if (path == NULL)
		return NULL;
	root = root_len(r, path);
	for (i = 0; path[i] != '\0'; i++)
		if (is_sep(r, path[i]))
			end = i + 1;
	if (end == 0)
		return NULL;
	if (end > root) /* drop the separator itself, unless it is the root's */
		end--;
	if (end < root)
		end = root;
	if ((dir = malloc(end + 1)) == NULL)
		return NULL;
	memcpy(dir, path, end);
	dir[end] = '\0';
	return dir;
}

char *
ecm_dir_of(const char *path)
{
	return ecm_path_dir_in(ECM_PATH_NATIVE, path);
}

const char *
ecm_base_name(const char *path)
{
	const char *base = path, *p;

	for (p = path; *p != '\0'; p++)
		if (is_sep(ECM_PATH_NATIVE, *p))
			base = p + 1;
	return base;
}

char *
ecm_user_path(const char *path)
{
	char *home, *out;

	if (ecm_path_is_absolute(path))
		return strdup(path);
	if ((home = ecm_home_dir()) == NULL)
		return NULL;
	if (path[0] == '~' && (is_sep(ECM_PATH_NATIVE, path[1]) || path[1] == '\0'))
		path += path[1] != '\0' ? 2 : 1;
	out = path[0] != '\0' ? ecm_path_join(home, path) : strdup(home);
	free(home);
	return out;
}
