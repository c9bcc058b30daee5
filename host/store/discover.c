/* Which stores this user has: the primary store of the platform, the Chrome family's NSS database on Linux
 * (and snap Chromium's), and every Firefox profile listed in profiles.ini / installs.ini under each place a
 * Firefox keeps them. HOME (and XDG_CONFIG_HOME, APPDATA) come from the environment. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecm/utf8.h"
#include "ecm/platform.h"
#include "ecm/util.h"
#include "store_int.h"

#define INI_MAX_BYTES (256u * 1024u)
#define STORES_MAX 64

#if defined(__APPLE__)
extern const ecm_store_backend ecm_store_keychain;
#elif defined(_WIN32)
extern const ecm_store_backend ecm_store_wincrypt;
#endif

/* Where a place's folder starts: the home folder, %APPDATA%, $XDG_CONFIG_HOME (else ~/.config), or nowhere (the
 * place's path is the store's own name, e.g. the login keychain). */
typedef enum { AT_HOME, AT_APPDATA, AT_XDG_CONFIG, AT_NAME } place_root;

/* One place a store may be: a store of backend (primary: where install and query go first), or with backend
 * NULL a Firefox folder whose profiles.ini / installs.ini list its profiles. only_if: the place counts only
 * when this folder (under home) exists. */
typedef struct {
	const ecm_store_backend *backend;
	const char *id, *browser;
	place_root root;
	const char *path, *only_if;
	int primary;
} store_place;

/* Every place, per system, in the order they are listed (as curl's available_backends[]). */
static const store_place places[] = {
#if defined(__APPLE__)
	{ &ecm_store_keychain, "keychain:login", "Safari, Chrome, Edge, Brave", AT_NAME, "login", NULL, 1 },
	{ NULL, "home", "Firefox", AT_HOME, "Library/Application Support/Firefox", NULL, 0 },
#elif defined(_WIN32)
	{ &ecm_store_wincrypt, "windows:my", "Edge, Chrome, Brave", AT_NAME, "CurrentUser\\My", NULL, 1 },
	{ NULL, "home", "Firefox", AT_APPDATA, "Mozilla/Firefox", NULL, 0 },
#else
	{ &ecm_store_nss, "nss:pki", "Chrome, Chromium, Edge, Brave, Vivaldi", AT_HOME, ".pki/nssdb", NULL, 1 },
	{ &ecm_store_nss, "nss:snap-chromium", "Chromium (snap)", AT_HOME, "snap/chromium/current/.pki/nssdb",
	    "snap/chromium", 0 },
	{ NULL, "home", "Firefox", AT_HOME, ".mozilla/firefox", NULL, 0 },
	{ NULL, "snap", "Firefox (snap)", AT_HOME, "snap/firefox/common/.mozilla/firefox", NULL, 0 },
	{ NULL, "flatpak", "Firefox (Flatpak)", AT_HOME, ".var/app/org.mozilla.firefox/.mozilla/firefox", NULL, 0 },
	{ NULL, "xdg", "Firefox", AT_XDG_CONFIG, "mozilla/firefox", NULL, 0 },
#endif
};

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
	char *ra, *rb;
	int same;

	if (strcmp(a, b) == 0)
		return 1;
	ra = ecm_platform_realpath(a);
	rb = ecm_platform_realpath(b);
	same = ra != NULL && rb != NULL && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
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
	/* profiles.ini is input: 256 KiB of "[ProfileN]" lines would be ten thousand stores, each compared with every
	 * other (realpath) and then opened by install. Real users have a handful; the rest are ignored. */
	if (list->n >= STORES_MAX || known_path(list, path)) {
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
 * get a certificate database created there by install. An IsRelative=0 path that is not absolute would be read
 * against the host's working folder (wherever the browser started it): skipped too (found by tests/fuzz/profiles). */
static char *
profile_dir(const char *root, const ini_profile *p)
{
	if (p->path[0] == '\0')
		return NULL;
	if (ecm_path_is_absolute(p->path))
		return strdup(p->path);
	if (!p->relative)
		return NULL;
	if (has_dotdot(p->path))
		return NULL;
	return ecm_path_join(root, p->path);
}

static const char *
base_name(const char *path)
{
	const char *base = ecm_base_name(path);

	return base[0] != '\0' ? base : path;
}

static ecm_code
add_profile(ecm_store_list *list, const char *tag, const char *browser, const char *root, const ini_profile *p,
    ecm_error *err)
{
	char *dir = profile_dir(root, p), base[320];

	if (dir == NULL)
		return ECM_OK;
	snprintf(base, sizeof(base), "firefox:%s:%.*s", tag, ecm_utf8_prec(base_name(dir), 256), base_name(dir));
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
			snprintf(p.name, sizeof(p.name), "%.*s", ecm_utf8_prec(eq + 1, sizeof(p.name) - 1), eq + 1);
		else if (strcmp(l, "IsRelative") == 0)
			p.relative = strtol(eq + 1, NULL, 10) != 0; /* atoi is undefined past INT_MAX */
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

/* --- the places ------------------------------------------------------------------------------------------ */

/* The folder a place starts from (malloc'd), or NULL when it has none here. */
static char *
root_dir(place_root root, const char *home)
{
	const char *env = getenv(root == AT_APPDATA ? "APPDATA" : "XDG_CONFIG_HOME");

	switch (root) {
	case AT_HOME:
		return strdup(home);
	case AT_APPDATA:
		return env != NULL && ecm_platform_path_is_absolute(env) ? strdup(env) : NULL;
	case AT_XDG_CONFIG:
		return env != NULL && ecm_platform_path_is_absolute(env) ? strdup(env) : ecm_path_join(home, ".config");
	default:
		return NULL;
	}
}

static ecm_code
add_place(ecm_store_list *list, const store_place *pl, const char *home, ecm_error *err)
{
	char *dir, *path;

	if (pl->only_if != NULL && !exists_in(home, pl->only_if))
		return ECM_OK;
	if (pl->root == AT_NAME)
		return add_store(list, pl->backend, pl->id, pl->browser, NULL, strdup(pl->path), pl->primary, err);
	dir = root_dir(pl->root, home);
	if (dir == NULL)
		return ECM_OK;
	path = ecm_path_join(dir, pl->path);
	free(dir);
	if (pl->backend != NULL)
		return add_store(list, pl->backend, pl->id, pl->browser, NULL, path, pl->primary, err);
	return firefox_root(list, pl->id, pl->browser, path, err);
}

static ecm_code
platform_stores(ecm_store_list *list, const char *home, ecm_error *err)
{
	ecm_code rc = ECM_OK;
	size_t i;

	for (i = 0; rc == ECM_OK && i < sizeof(places) / sizeof(places[0]); i++)
		rc = add_place(list, &places[i], home, err);
	return rc;
}

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
