/* Which stores this user has: the primary store of the platform, the Chrome family's NSS database on Linux
 * (and snap Chromium's), and every Firefox profile listed in profiles.ini / installs.ini under each place a
 * Firefox keeps them. HOME (and XDG_CONFIG_HOME, APPDATA) come from the environment. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecm/util.h"
#include "store_int.h"

#define INI_MAX_BYTES (256u * 1024u)

#if defined(__APPLE__)
extern const ecm_store_backend ecm_store_keychain;
#elif defined(_WIN32)
extern const ecm_store_backend ecm_store_wincrypt;
#endif

static void
info_free(ecm_store_info *s)
{
	free(s->id);
	free(s->browser);
	free(s->profile);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

void
ecm_store_list_free(ecm_store_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		info_free(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

const ecm_store_info *
ecm_store_list_find(const ecm_store_list *list, const char *id)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->v[i].id, id) == 0)
			return &list->v[i];
	return NULL;
}

static int
same_place(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (strcmp(a, b) == 0)
		return 1;
	return realpath(a, ra) != NULL && realpath(b, rb) != NULL && strcmp(ra, rb) == 0;
}

static int
known_path(const ecm_store_list *list, const char *path)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (same_place(list->v[i].path, path))
			return 1;
	return 0;
}

static int
exists_in(const char *dir, const char *name)
{
	char *p = ecm_path_join(dir, name);
	int r = p != NULL && access(p, F_OK) == 0;

	free(p);
	return r;
}

/* Takes ownership of path. A unique id is made from base (base, base-2, …). */
static ecm_code
add_store(ecm_store_list *list, const ecm_store_backend *backend, const char *base, const char *browser,
    const char *profile, char *path, int primary, ecm_error *err)
{
	ecm_store_info *v, *s;
	char id[512];
	int k;

	if (path == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	if (known_path(list, path)) {
		free(path);
		return ECM_OK;
	}
	v = realloc(list->v, (list->n + 1) * sizeof(*v));
	if (v == NULL) {
		free(path);
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	}
	list->v = v;
	snprintf(id, sizeof(id), "%s", base);
	for (k = 2; ecm_store_list_find(list, id) != NULL; k++)
		snprintf(id, sizeof(id), "%s-%d", base, k);
	s = &list->v[list->n++];
	memset(s, 0, sizeof(*s));
	s->id = strdup(id);
	s->browser = strdup(browser);
	s->profile = profile ? strdup(profile) : NULL;
	s->path = path;
	s->primary = primary;
	s->backend = backend;
	s->exists = backend == &ecm_store_nss ? exists_in(path, "cert9.db") : 1;
	if (s->id == NULL || s->browser == NULL || (profile != NULL && s->profile == NULL))
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	return ECM_OK;
}

/* --- profiles.ini / installs.ini ------------------------------------------------------------------------- */

typedef struct ini_profile {
	char name[256];
	char path[PATH_MAX];
	int relative;
} ini_profile;

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Whether a path has a ".." component. */
static int
has_dotdot(const char *path)
{
	size_t n;

	for (;;) {
		n = strcspn(path, "/\\");
		if (n == 2 && path[0] == '.' && path[1] == '.')
			return 1;
		if (path[n] == '\0')
			return 0;
		path += n + 1;
	}
}

/* A relative Path= stays under the Firefox folder: Firefox never writes "..", and a profile found outside would
 * get a certificate database created there by install. */
static char *
profile_dir(const char *root, const ini_profile *p)
{
	if (p->path[0] == '\0')
		return NULL;
	if (p->path[0] == '/' || (!p->relative && p->path[0] != '\0'))
		return strdup(p->path);
	if (has_dotdot(p->path))
		return NULL;
	return ecm_path_join(root, p->path);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static ecm_code
add_profile(ecm_store_list *list, const char *tag, const char *browser, const char *root, const ini_profile *p,
    ecm_error *err)
{
	char *dir = profile_dir(root, p), base[320];

	if (dir == NULL)
		return ECM_OK;
	snprintf(base, sizeof(base), "firefox:%s:%.256s", tag, base_name(dir));
	return add_store(list, &ecm_store_nss, base, browser, p->name[0] ? p->name : base_name(dir), dir, 0, err);
}

/* Calls add_profile for each [Profile*] (profiles.ini) or each install's Default= (installs.ini). */
static ecm_code
read_ini(ecm_store_list *list, const char *tag, const char *browser, const char *root, const char *file,
    int installs, ecm_error *err)
{
	char *path = ecm_path_join(root, file), *line, *save = NULL, *text = NULL;
	unsigned char *raw = NULL;
	size_t len;
	ini_profile p;
	int in_section = 0;
	ecm_code rc = ECM_OK;
	ecm_error ignored;

	ecm_error_init(&ignored);
	if (path == NULL || ecm_read_file(path, INI_MAX_BYTES, &raw, &len, &ignored) != ECM_OK) {
		free(path);
		ecm_error_clear(&ignored);
		return ECM_OK;
	}
	free(path);
	text = (char *)raw;
	memset(&p, 0, sizeof(p));
	p.relative = 1;
	for (line = strtok_r(text, "\n", &save); line != NULL && rc == ECM_OK; line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *eq;
		if (l[0] == '[') {
			if (in_section)
				rc = add_profile(list, tag, browser, root, &p, err);
			memset(&p, 0, sizeof(p));
			p.relative = 1;
			in_section = installs ? strcmp(l, "[General]") != 0 : strncmp(l, "[Profile", 8) == 0;
			continue;
		}
		eq = strchr(l, '=');
		if (!in_section || eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(l, installs ? "Default" : "Path") == 0)
			snprintf(p.path, sizeof(p.path), "%s", eq + 1);
		else if (strcmp(l, "Name") == 0)
			snprintf(p.name, sizeof(p.name), "%s", eq + 1);
		else if (strcmp(l, "IsRelative") == 0)
			p.relative = atoi(eq + 1) != 0;
	}
	if (rc == ECM_OK && in_section)
		rc = add_profile(list, tag, browser, root, &p, err);
	free(raw);
	return rc;
}

static ecm_code
firefox_root(ecm_store_list *list, const char *tag, const char *browser, char *root, ecm_error *err)
{
	ecm_code rc;

	if (root == NULL)
		return ecm_fail(err, ECM_OUT_OF_MEMORY, "out of memory");
	rc = read_ini(list, tag, browser, root, "profiles.ini", 0, err);
	if (rc == ECM_OK)
		rc = read_ini(list, tag, browser, root, "installs.ini", 1, err);
	free(root);
	return rc;
}

/* --- per platform ---------------------------------------------------------------------------------------- */

#if defined(__APPLE__)
static ecm_code
platform_stores(ecm_store_list *list, const char *home, ecm_error *err)
{
	ecm_code rc = add_store(list, &ecm_store_keychain, "keychain:login", "Safari, Chrome, Edge, Brave", NULL,
	    strdup("login"), 1, err);

	if (rc == ECM_OK)
		rc = firefox_root(list, "home", "Firefox", ecm_path_join(home, "Library/Application Support/Firefox"),
		    err);
	return rc;
}
#elif defined(_WIN32)
static ecm_code
platform_stores(ecm_store_list *list, const char *home, ecm_error *err)
{
	const char *appdata = getenv("APPDATA");
	ecm_code rc = add_store(list, &ecm_store_wincrypt, "windows:my", "Edge, Chrome, Brave", NULL,
	    strdup("CurrentUser\\My"), 1, err);

	if (rc == ECM_OK && appdata != NULL)
		rc = firefox_root(list, "home", "Firefox", ecm_path_join(appdata, "Mozilla/Firefox"), err);
	return rc;
}
#else
static char *
xdg_firefox(const char *home)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");

	if (xdg != NULL && xdg[0] == '/')
		return ecm_path_join(xdg, "mozilla/firefox");
	return ecm_path_join(home, ".config/mozilla/firefox");
}

static ecm_code
platform_stores(ecm_store_list *list, const char *home, ecm_error *err)
{
	char *snap = ecm_path_join(home, "snap/chromium");
	int have_snap = snap != NULL && access(snap, F_OK) == 0;
	ecm_code rc;

	free(snap);
	rc = add_store(list, &ecm_store_nss, "nss:pki", "Chrome, Chromium, Edge, Brave, Vivaldi", NULL,
	    ecm_path_join(home, ".pki/nssdb"), 1, err);
	if (rc == ECM_OK && have_snap)
		rc = add_store(list, &ecm_store_nss, "nss:snap-chromium", "Chromium (snap)", NULL,
		    ecm_path_join(home, "snap/chromium/current/.pki/nssdb"), 0, err);
	if (rc == ECM_OK)
		rc = firefox_root(list, "home", "Firefox", ecm_path_join(home, ".mozilla/firefox"), err);
	if (rc == ECM_OK)
		rc = firefox_root(list, "snap", "Firefox (snap)",
		    ecm_path_join(home, "snap/firefox/common/.mozilla/firefox"), err);
	if (rc == ECM_OK)
		rc = firefox_root(list, "flatpak", "Firefox (Flatpak)",
		    ecm_path_join(home, ".var/app/org.mozilla.firefox/.mozilla/firefox"), err);
	if (rc == ECM_OK)
		rc = firefox_root(list, "xdg", "Firefox", xdg_firefox(home), err);
	return rc;
}
#endif

ecm_code
ecm_stores_discover(ecm_store_list *out, ecm_error *err)
{
	char *home = ecm_home_dir();
	ecm_code rc;

	out->v = NULL;
	out->n = 0;
	if (home == NULL)
		return ecm_fail(err, ECM_STORE_NOT_FOUND, "no home folder");
	rc = platform_stores(out, home, err);
	free(home);
	if (rc != ECM_OK)
		ecm_store_list_free(out);
	return rc;
}
