/* A fixture for the Windows suites: imports a .pfx into CurrentUser\My as the Windows import wizard does by
 * default, its key NOT exportable (PFXImportCertStore without CRYPT_EXPORTABLE). No code of the host runs here.
 * usage: import-nonexportable.exe FILE PASSWORD (built with -municode: wide arguments) */
#include <windows.h>
#include <wincrypt.h>

#include <stdio.h>
#include <stdlib.h>

int
wmain(int argc, wchar_t **argv)
{
	CRYPT_DATA_BLOB blob = { 0, NULL };
	HCERTSTORE tmp, my;
	PCCERT_CONTEXT c = NULL;
	DWORD size;
	FILE *f;
	long n;
	int added = 0;

	if (argc != 3 || (f = _wfopen(argv[1], L"rb")) == NULL)
		return 2;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (blob.pbData = malloc((size_t)n)) == NULL || fread(blob.pbData, 1, (size_t)n, f) != (size_t)n)
		return 2;
	fclose(f);
	blob.cbData = (DWORD)n;
	if ((tmp = PFXImportCertStore(&blob, argv[2], CRYPT_USER_KEYSET)) == NULL ||
	    (my = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY")) == NULL) {
		fprintf(stderr, "import failed: %lu\n", GetLastError());
		return 1;
	}
	while ((c = CertEnumCertificatesInStore(tmp, c)) != NULL) {
		size = 0;
		if (CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, NULL, &size) &&
		    CertAddCertificateContextToStore(my, c, CERT_STORE_ADD_REPLACE_EXISTING, NULL))
			added++;
	}
	CertCloseStore(my, 0);
	CertCloseStore(tmp, 0);
	return added > 0 ? 0 : 1;
}
