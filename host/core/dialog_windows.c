/* The file dialog on Windows: the common Open / Save As dialog (comdlg32), owned by the browser's window. */
#include <windows.h>
#include <commdlg.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecm/platform.h"
#include "windows_int.h"

static HWND parent_window;

void
ecm_platform_set_parent_window(const char *handle)
{
	char *end;
	unsigned long long v = handle != NULL ? strtoull(handle, &end, 10) : 0;

	parent_window = handle != NULL && *end == '\0' ? (HWND)(uintptr_t)v : NULL;
}

/* Whether a window can be shown at all: not on a service's invisible window station, and a top-level window
 * can be created (Wine without a display cannot). GetOpenFileName itself reports neither (it answers as if
 * cancelled). */
static int
desktop_available(void)
{
	HWINSTA ws = GetProcessWindowStation();
	USEROBJECTFLAGS f;
	HWND probe;

	if (ws != NULL && GetUserObjectInformationW(ws, UOI_FLAGS, &f, sizeof(f), NULL) && !(f.dwFlags & WSF_VISIBLE))
		return 0;
	probe = CreateWindowExW(0, L"STATIC", L"", WS_POPUP, 0, 0, 1, 1, NULL, NULL, NULL, NULL);
	if (probe == NULL)
		return 0;
	DestroyWindow(probe);
	return 1;
}

int
ecm_platform_pick_file(int save, const char *start, char **path, const char **why)
{
	wchar_t file[32768] = L"";
	wchar_t *wstart = start != NULL ? ecm_win_wide(start) : NULL;
	OPENFILENAMEW ofn;
	BOOL ok;

	*path = NULL;
	*why = "no desktop to show the file dialog on";
	if (!desktop_available()) {
		free(wstart);
		return -1;
	}
	*why = "the file dialog failed";
	if (wstart != NULL) {
		wcsncpy(file, wstart, sizeof(file) / sizeof(file[0]) - 1);
		free(wstart);
	}
	memset(&ofn, 0, sizeof(ofn));
	ofn.lStructSize = sizeof(ofn);
	ofn.hwndOwner = parent_window != NULL && IsWindow(parent_window) ? parent_window : NULL;
	ofn.lpstrFilter = L"PKCS#12 (*.pfx, *.p12)\0*.pfx;*.p12\0";
	ofn.lpstrFile = file;
	ofn.nMaxFile = sizeof(file) / sizeof(file[0]);
	ofn.lpstrTitle = L"e-Cert Manager";
	ofn.lpstrDefExt = L"pfx";
	ofn.Flags = OFN_NOCHANGEDIR | OFN_PATHMUSTEXIST | (save ? OFN_OVERWRITEPROMPT : OFN_FILEMUSTEXIST);
	ok = save ? GetSaveFileNameW(&ofn) : GetOpenFileNameW(&ofn);
	if (!ok)
		return CommDlgExtendedError() == 0 ? 1 : -1; /* 0: the user cancelled */
	*path = ecm_win_utf8(file);
	return *path != NULL ? 0 : -1;
}
