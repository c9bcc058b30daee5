/* The `ecm` prompts in the user's language, as the extension follows the browser's: zh-TW when the locale says
 * Chinese (LC_ALL, then LC_MESSAGES, then LANG, as setlocale would pick), else English. Each message is looked up
 * by its English text, so a missing translation still reads. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const table[][2] = {
	{ "\nTerms of use (version %s):\n%s\n\n", "\n用戶約定條款（版本 %s）：\n%s\n\n" },
	{ "Do you accept these terms? [y/N] ", "您是否同意以上用戶約定條款？[y/N] " },
	{ "ecm: the terms were not accepted; nothing was applied for\n", "ecm：未同意條款，沒有送出申請\n" },
	{ "A one-time password was sent to %s.\n", "簡訊驗證碼已傳送至 %s。\n" },
	{ "One-time password", "6 位數簡訊驗證碼" },
	{ "Backup password", "憑證檔密碼" },
	{ "New password for the backup file (8+ characters)", "憑證檔的新密碼（至少 8 個字元，需含英文字母與數字）" },
	{ "The same password again", "再輸入一次相同的密碼" },
	{ "ecm: the two passwords differ\n", "ecm：兩次輸入的密碼不同\n" },
	{ "Password of the current .pfx", "目前憑證檔（.pfx）的密碼" },
	{ "Certificate %s issued for %s, valid until %s.\n", "已核發憑證 %s（%s），效期至 %s。\n" },
	{ "Backup written to %s\n", "憑證檔已儲存至 %s\n" },
	{ "Not installed into any browser yet: import the backup file where you trade.\n",
	  "尚未安裝到任何瀏覽器：請在下單的電腦匯入這個憑證檔。\n" },
	{ "The broker is reviewing the request (reference %.16s); asking again in %ld s.\n",
	  "券商正在審核申請（參考碼 %.16s），%ld 秒後再次查詢。\n" },
	{ "ecm: run with --wait-approval to wait for the broker's approval of one request.\n",
	  "ecm：加上 --wait-approval 可等待券商核准同一份申請。\n" },
	{ "ecm: import its .pfx backup (ecm import), renew it when its window opens, or run with --replace-existing to "
	  "supersede it.\n",
	  "ecm：您已有有效的憑證。請匯入它的憑證檔（ecm import），或在可更新期間更新；若確定要讓它失效並申請新憑證，請加上 "
	  "--replace-existing。\n" },
	{ "Password of the certificate store %.*s", "憑證存放區 %.*s 的密碼" },
	{ "Online-trading password", "網路下單密碼" },
	{ "left out", "已略過" },
	{ "Applying", "申請中" },
	{ "Renewing", "更新中" },
};

static int
chinese(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v != NULL && v[0] != '\0')
			return strncmp(v, "zh", 2) == 0;
	}
	return 0;
}

const char *
ecm_cli_tr(const char *english)
{
	size_t i;

	if (!chinese())
		return english;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i][0], english) == 0)
			return table[i][1];
	return english;
}

int
ecm_cli_yes(const char *answer)
{
	return answer != NULL && (strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0 ||
	    strcmp(answer, "是") == 0 || strcmp(answer, "同意") == 0);
}
