// Strings of the signing window and the 憑證簽驗 section, zh-TW and English (kept here, beside the code that uses
// them, rather than in _locales: the codes and reasons are specific to signing).
const api = globalThis.browser ?? globalThis.chrome;
const ZH = {
  confirmTitle: '簽章確認', confirmIntro: '下列網站要求以您的憑證簽章。請確認網站與內容無誤再按「簽章」。',
  site: '要求的網站', content: '要簽章的內容', contentText: '文字（UTF-8）', contentBinary: '非文字資料（十六進位）',
  sha256: 'SHA-256', bytes: '位元組', detached: '分離式簽章（內容不附在簽章內）', cert: '簽章憑證', cn: '名稱 (CN)',
  serial: '序號', expiry: '到期日', store: '憑證庫', sign: '簽章', cancel: '取消', blockSite: '取消並停止此網站的簽章要求',
  waiting: '另有 {0} 個要求等候中', gone: '這個要求已不存在（已取消、逾時，或擴充功能已重新啟動）。沒有簽任何東西。',
  topSite: '所在網站（網址列）', chooseCustomer: '請選擇用誰的憑證簽章', customer: '身分證字號', device: '裝置',
  scrollToEnd: '請先捲動到內容的最後，才能簽章。', chooseFirst: '請先選擇憑證。', marked: '內容中有 {0} 個看不見或易混淆的字元，已標示為 ⟨U+…⟩。',
  blankRuns: '內容中連續的空白行（共 {0} 行）已摺疊並標示行數。', blockConfirm: '確定要停止 {0} 的所有簽章要求嗎？等候中的要求也會取消。',
  blockYes: '停止此網站', blockNo: '不要停止', stoppedTitle: '已停止簽章要求的網站',
  selfTitle: '憑證簽驗', selfIntro: '在每個找到的憑證庫，以其中的憑證簽一段測試文字，並在本機（與券商伺服器，登入後）驗證。',
  run: '開始簽驗', storeCol: '瀏覽器 / 憑證庫', resultCol: '結果', fixCol: '處理', okMark: '✔ 可以簽章', working: '簽驗中…',
  localOk: '本機驗證通過', raOk: '券商驗證通過', raSkipped: '未登入：未向券商驗證', blockedTitle: '已停止簽章要求的網站',
  unblock: '恢復', noneBlocked: '沒有被停止的網站。',
  fixInstall: '安裝到此瀏覽器', fixCleanup: '清除舊憑證', fixRenew: '更新憑證', fixApply: '申請憑證', fixImport: '匯入備份', fixLogin: '登入',
};
const EN = {
  confirmTitle: 'Confirm signature', confirmIntro: 'This site asks for a signature with your certificate. Check the site and the content, then press Sign.',
  site: 'Requesting site', content: 'Content to sign', contentText: 'Text (UTF-8)', contentBinary: 'Binary data (hex)',
  sha256: 'SHA-256', bytes: 'bytes', detached: 'Detached signature (the content is not inside it)', cert: 'Signing certificate', cn: 'Name (CN)',
  serial: 'Serial', expiry: 'Expires', store: 'Store', sign: 'Sign', cancel: 'Cancel', blockSite: 'Cancel and stop this site asking',
  waiting: '{0} more request(s) waiting', gone: 'This request no longer exists (cancelled, timed out, or the extension restarted). Nothing was signed.',
  topSite: 'Site in the address bar', chooseCustomer: 'Choose whose certificate signs', customer: 'National ID', device: 'Device',
  scrollToEnd: 'Scroll to the end of the content to sign.', chooseFirst: 'Choose a certificate first.', marked: '{0} invisible or look-alike character(s) in the content are shown as ⟨U+…⟩.',
  blankRuns: 'Runs of blank lines ({0} lines) are collapsed and counted.', blockConfirm: 'Stop all signing requests from {0}? Its waiting requests are cancelled too.',
  blockYes: 'Stop this site', blockNo: 'Do not stop', stoppedTitle: 'Sites stopped from asking',
  selfTitle: 'Certificate check', selfIntro: 'For every certificate store found, sign a test text with its certificate and verify it locally (and with the broker when logged in).',
  run: 'Run the check', storeCol: 'Browser / store', resultCol: 'Result', fixCol: 'Fix', okMark: '✔ can sign', working: 'Checking…',
  localOk: 'verified locally', raOk: 'verified by the broker', raSkipped: 'not logged in: the broker was not asked', blockedTitle: 'Sites stopped from asking',
  unblock: 'Allow again', noneBlocked: 'No site is stopped.',
  fixInstall: 'Install into this browser', fixCleanup: 'Clean up old certificates', fixRenew: 'Renew', fixApply: 'Apply', fixImport: 'Import a backup', fixLogin: 'Log in',
};
// Why a certificate cannot sign, by code or by verification reason.
const REASONS_ZH = {
  NO_CERTIFICATE: '✘ 這裡沒有您的憑證', CERT_EXPIRED: '✘ 憑證已過期', CERT_SUPERSEDED: '✘ 不是最新的憑證（已有更新的憑證）',
  KEY_MISSING: '✘ 有憑證但缺少私密金鑰', STORE_PASSWORD_REQUIRED: '✘ 憑證庫有密碼保護', STORE_FAILED: '✘ 憑證庫無法簽章',
  other_id: '✘ 這是另一個身分證字號的憑證', superseded: '✘ 券商記錄：憑證已被更新的憑證取代', revoked: '✘ 券商記錄：憑證已註銷',
  expired: '✘ 憑證已過期', chain: '✘ 憑證不是此券商所發', signature: '✘ 簽章無法驗證', digest: '✘ 內容與簽章不符',
  unknown_certificate: '✘ 券商沒有此憑證的記錄', format: '✘ 簽章格式錯誤', nonce: '✘ 簽驗用的隨機碼不符或已使用',
};
const REASONS_EN = {
  NO_CERTIFICATE: '✘ no certificate of yours here', CERT_EXPIRED: '✘ the certificate has expired', CERT_SUPERSEDED: '✘ not the newest certificate (a newer one exists)',
  KEY_MISSING: '✘ the certificate is here without its private key', STORE_PASSWORD_REQUIRED: '✘ the store is protected by a password', STORE_FAILED: '✘ the store cannot sign',
  other_id: "✘ another ID's certificate", superseded: "✘ broker's records: superseded by a newer certificate", revoked: "✘ broker's records: revoked",
  expired: '✘ the certificate has expired', chain: '✘ not issued by this broker', signature: '✘ the signature does not verify', digest: '✘ the content does not match',
  unknown_certificate: '✘ the broker has no record of this certificate', format: '✘ not a valid signature', nonce: '✘ wrong or used check code',
};
const zh = /^zh/i.test((api.i18n && api.i18n.getUILanguage && api.i18n.getUILanguage()) || navigator.language || 'zh-TW');
export const lang = zh ? 'zh-Hant-TW' : 'en';
export function s(key, ...subs) {
  let v = (zh ? ZH : EN)[key] || key;
  subs.forEach((x, i) => { v = v.replace(`{${i}}`, String(x)); });
  return v;
}
export function reason(code) { return (zh ? REASONS_ZH : REASONS_EN)[code] || `✘ ${code}`; }
