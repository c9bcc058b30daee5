/* The file dialog on Windows: the common Open / Save As dialog (comdlg32). */
#include <windows.h>
#include <commdlg.h>

#include <stdlib.h>
#include <string.h>

#include "ecm/platform.h"
#include "windows_int.h"

int
ecm_platform_pick_file(int save, const char *start, char **path, const char **why)
{
	wchar_t file[32768] = L"";
	wchar_t *wstart = start != NULL ? ecm_win_wide(start) : NULL;
	OPENFILENAMEW ofn;
	BOOL ok;

	*path = NULL;
	*why = "the file dialog failed";
	if (wstart != NULL) {
		wcsncpy(file, wstart, sizeof(file) / sizeof(file[0]) - 1);
		free(wstart);
	}
	memset(&ofn, 0, sizeof(ofn));
	ofn.lStructSize = sizeof(ofn);
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
