'use strict';
// Shared by the development RA's 憑證簽驗 and order pages: the broker's login (HTTP Basic to the account API, kept
// in this page only) and the reasons the RA gives, in words.
const REASON_TEXT = {
	format: '簽章格式錯誤 (format)', signature: '簽章無法驗證 (signature)', digest: '內容與簽章不符 (digest)',
	chain: '憑證不是本券商所發 (chain)', expired: '憑證已過期 (expired)', revoked: '憑證已註銷 (revoked)',
	superseded: '憑證已被新憑證取代 (superseded)', unknown_certificate: '本券商沒有此憑證的記錄 (unknown_certificate)',
	other_id: '憑證的身分證字號與登入帳號不同 (other_id)', nonce: '簽驗隨機碼不符或已使用 (nonce)', order: '簽章內容不是委託單 (order)',
	CANCELLED: '使用者取消簽章 (CANCELLED)', SIGN_BUSY: '已有簽章要求等候中 (SIGN_BUSY)',
	EXTENSION_NOT_FOUND: '找不到 e-Cert Manager 擴充功能 (EXTENSION_NOT_FOUND)', NO_CERTIFICATE: '找不到憑證 (NO_CERTIFICATE)',
	CERT_EXPIRED: '憑證已過期 (CERT_EXPIRED)', CERT_SUPERSEDED: '不是最新的憑證 (CERT_SUPERSEDED)',
	KEY_MISSING: '缺少私密金鑰 (KEY_MISSING)', SIGN_ORIGIN_NOT_ALLOWED: '此網站未被允許要求簽章 (SIGN_ORIGIN_NOT_ALLOWED)',
};
function reasonText(code) { return REASON_TEXT[code] || code; }

function authHeader() {
	const id = document.getElementById('login-id').value.trim().toUpperCase();
	const pw = document.getElementById('login-password').value;
	if (!id) return {};
	const bytes = new TextEncoder().encode(`${id}:${pw}`);
	return { Authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
}

async function postJson(path, body, withAuth) {
	const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(withAuth ? authHeader() : {}) },
		body: JSON.stringify(body) });
	const j = await r.json();
	if (!r.ok) throw Object.assign(new Error(j.message || j.code), { code: j.code || 'HTTP_' + r.status });
	return j;
}

function show(el, ok, text, code) {
	el.textContent = `${ok ? '✔' : '✘'} ${text}`;
	el.className = ok ? 'ok' : 'bad';
	el.dataset.valid = ok ? 'true' : 'false';
	el.dataset.reason = ok ? '' : code || '';
}
