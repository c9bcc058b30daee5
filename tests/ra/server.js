'use strict';
// e-Cert Manager development RA: EST (RFC 7030) + account API + revocation page over HTTPS on 127.0.0.1.
// The contract is docs/ra-protocol.md. Usage: tests/ra/run --state DIR [--port N] [--test-controls]
//                                                          [--renewal-window-days N] [--break POINT]…
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { Store, atomicWrite } = require('./lib/store');
const pki = require('./lib/pki');

const DAY = 86400e3;
const TERMS_VERSION = '2026.1';
const TERMS_TEXT = [
	'電子憑證申請及使用約定條款（開發測試用 RA）',
	'一、本憑證僅供立約人於本公司辦理電子式交易（網路下單）之簽章使用，立約人應妥善保管私密金鑰及憑證備份密碼。',
	'二、立約人申請或更新憑證時，須以身分證字號、交易密碼及傳送至留存手機之一次性驗證碼（OTP）完成身分確認。',
	'三、憑證有效期間為一年；到期前三十日內得於線上辦理更新，逾期或已廢止者須重新申請。',
	'四、立約人發現私密金鑰遺失、遭竊或有被冒用之虞時，應立即辦理憑證廢止。',
	'五、本服務為開發測試環境，所發憑證不具任何法律效力。',
].join('\n');
const LIMITS = { lockout: 5, otpLifetimeS: 300, otpAttempts: 3, revokePerDay: 5, revokePerYear: 20 };
const DEVICE_BY_CODE = { PC001: 'PC', MI001: 'iPhone', MG001: 'GPhone' };
const FAULT_PATHS = ['cacerts', 'csrattrs', 'simpleenroll', 'simplereenroll', 'account', 'certificates', 'terms',
	'otp', 'revoke', 'revoke_page'];
const FAULT_MODES = ['slow', 'error500', 'garbage', 'pending', 'none'];
// --break POINT: an RA that gets one point of the contract wrong, for `ecm ra-check` to find
// (tests/ra-client/ra-check.t). Off unless given on the command line.
const BREAK_POINTS = {
	'enroll-content-type': 'simpleenroll/simplereenroll answer 200 as application/octet-stream',
	intermediate: 'certificates come from an issuing intermediate that neither the answer nor /cacerts holds',
	'401-no-body': 'a 401 has no body (WWW-Authenticate only)',
	'account-shape': 'GET /account gives "now" as milliseconds, not an ISO 8601 time',
	'cacerts-pem': 'GET /cacerts answers a PEM certificate, not a certs-only PKCS#7',
};

// ---------------------------------------------------------------- options
function usage(code) {
	process.stderr.write('usage: tests/ra/run --state DIR [--port N] [--test-controls] [--renewal-window-days N]'
		+ ` [--break ${Object.keys(BREAK_POINTS).join('|')}]…\n`);
	process.exit(code);
}
const opts = { state: null, port: 0, testControls: false, windowDays: 30, broken: new Set() };
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	const val = () => { if (i + 1 >= process.argv.length) usage(2); return process.argv[++i]; };
	if (a === '--state') opts.state = val();
	else if (a === '--port') opts.port = Number(val());
	else if (a === '--test-controls') opts.testControls = true;
	else if (a === '--renewal-window-days') opts.windowDays = Number(val());
	else if (a === '--break') opts.broken.add(val());
	else if (a === '-h' || a === '--help') usage(0);
	else usage(2);
}
if (!opts.state || !Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535
	|| !Number.isInteger(opts.windowDays) || opts.windowDays < 0
	|| [...opts.broken].some((b) => !BREAK_POINTS[b])) usage(2);
const broken = (point) => opts.broken.has(point);
const stateDir = path.resolve(opts.state);
fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });

// ---------------------------------------------------------------- runtime state (memory only)
let clockOffsetDays = 0;
let faults = {};
let phantomFailures = {}; // unknown IDs get the same answers as real ones (no account enumeration)
// Connections and TLS handshakes since the start (or /test/reset): shows a client reusing its connection.
// by_agent: TLS connections by the product token of the User-Agent of their first request ("e-Cert-Manager").
const newCounters = () => ({ tcp_connections: 0, tls_handshakes: 0, tls_resumed: 0, by_agent: {} });
let counters = newCounters();
function countAgent(req) {
	if (req.socket.ecmCounted) return;
	req.socket.ecmCounted = true;
	const agent = String(req.headers['user-agent'] || '-').split('/')[0];
	counters.by_agent[agent] = (counters.by_agent[agent] || 0) + 1;
}
const nowMs = () => Date.now() + clockOffsetDays * DAY;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const log = (msg) => process.stderr.write(`[dev-ra ${new Date().toISOString()}] ${msg}\n`);

const store = new Store(stateDir);
const ca = new pki.Authority(stateDir);

// ---------------------------------------------------------------- national ID
const ID_LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO'; // A=10 ... O=35 (Taiwanese ID letter codes)
function validNationalId(id) {
	if (!/^[A-Z][12]\d{8}$/.test(id)) return false;
	const n = ID_LETTERS.indexOf(id[0]) + 10;
	let s = Math.floor(n / 10) + (n % 10) * 9;
	for (let i = 1; i < 9; i++) s += Number(id[i]) * (9 - i);
	s += Number(id[9]);
	return s % 10 === 0;
}

// ---------------------------------------------------------------- errors and replies
class ApiError extends Error {
	constructor(status, code, message, extra = {}) { super(message); this.status = status; this.code = code; this.extra = extra; }
}
/** An EST error that names no code of ours: text/plain, as RFC 7030 section 4.2.3 allows and real EST servers
 * send, so that the host's tests meet the server's words instead of a JSON body. */
class PlainError extends ApiError {}
const E = {
	badRequest: (m) => new ApiError(400, 'BAD_REQUEST', m),
	estBadRequest: (m) => new PlainError(400, 'BAD_REQUEST', m),
	csr: (m) => new ApiError(400, 'CSR_REJECTED', m),
	notFound: (m = 'not found') => new ApiError(404, 'NOT_FOUND', m),
};

function send(res, status, body, headers = {}) {
	const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
	res.writeHead(status, { 'Content-Length': buf.length, 'Cache-Control': 'no-store', ...headers });
	res.end(buf);
}
function sendJson(res, status, obj, headers = {}) {
	send(res, status, JSON.stringify(obj) + '\n', { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}
function sendError(res, err) {
	if (err.status === 401 && broken('401-no-body')) {
		return send(res, 401, '', { 'WWW-Authenticate': 'Basic realm="e-Cert Dev RA"' });
	}
	if (err instanceof PlainError) {
		send(res, err.status, `${err.message}\n`, { 'Content-Type': 'text/plain; charset=utf-8' });
		return;
	}
	const headers = {};
	if (err.status === 401) headers['WWW-Authenticate'] = 'Basic realm="e-Cert Dev RA", charset="UTF-8"';
	if (err.extra && err.extra.retry_after !== undefined) headers['Retry-After'] = String(err.extra.retry_after);
	sendJson(res, err.status, { code: err.code, message: err.message, ...err.extra }, headers);
}

function readBody(req, limit = 256 * 1024) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let n = 0;
		req.on('data', (c) => {
			n += c.length;
			if (n > limit) { reject(E.badRequest('request body too large')); req.destroy(); return; }
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

async function readJson(req) {
	const buf = await readBody(req);
	if (buf.length === 0) return {};
	try {
		const v = JSON.parse(buf.toString('utf8'));
		if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
		return v;
	} catch (e) {
		throw E.badRequest('body is not a JSON object');
	}
}

// ---------------------------------------------------------------- accounts, passwords, OTP
function hashPassword(pw, salt = crypto.randomBytes(16).toString('hex')) {
	return { salt, hash: crypto.scryptSync(String(pw), salt, 32, { N: 4096 }).toString('hex') };
}
function passwordOk(c, pw) {
	const h = Buffer.from(hashPassword(pw, c.pw.salt).hash, 'hex');
	return crypto.timingSafeEqual(h, Buffer.from(c.pw.hash, 'hex'));
}

function basicCredentials(req) {
	const h = req.headers.authorization || '';
	const m = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(h);
	if (!m) return null;
	const s = Buffer.from(m[1], 'base64').toString('utf8');
	const i = s.indexOf(':');
	if (i < 0) return null;
	const user = s.slice(0, i).trim();
	// EST clients that cannot add headers (pki --est) may carry the second factor in the user name:
	//   <ID>;otp=<6 digits>;terms=<terms version>   (the X-ECM-* headers win when both are given)
	const m2 = /^([^;]*);otp=([^;]*);terms=([^;]*)$/.exec(user);
	if (m2) return { id: m2[1].trim().toUpperCase(), password: s.slice(i + 1), otp: m2[2], terms: m2[3] };
	return { id: user.toUpperCase(), password: s.slice(i + 1) };
}

function authenticate(cred) {
	if (!cred) throw new ApiError(401, 'WRONG_PASSWORD', 'national ID and trading password required (HTTP Basic)');
	const c = validNationalId(cred.id) ? store.customer(cred.id) : null;
	if (!c) {
		const n = (phantomFailures[cred.id] = (phantomFailures[cred.id] || 0) + 1);
		if (n > LIMITS.lockout) throw new ApiError(403, 'ACCOUNT_LOCKED', 'account locked after too many wrong passwords');
		throw new ApiError(401, 'WRONG_PASSWORD', 'wrong ID or password', { attempts_left: LIMITS.lockout - n });
	}
	if (c.locked) throw new ApiError(403, 'ACCOUNT_LOCKED', 'account locked after too many wrong passwords');
	if (!passwordOk(c, cred.password)) {
		c.failed_logins = (c.failed_logins || 0) + 1;
		if (c.failed_logins >= LIMITS.lockout) c.locked = true;
		store.save();
		throw new ApiError(401, 'WRONG_PASSWORD', 'wrong ID or password',
			{ attempts_left: Math.max(0, LIMITS.lockout - c.failed_logins) });
	}
	if (c.failed_logins) { c.failed_logins = 0; store.save(); }
	return c;
}

function maskPhone(p) { return `${p.slice(0, 4)}-***-${p.slice(-3)}`; }

function sendOtp(c) {
	const code = String(crypto.randomInt(0, 1e6)).padStart(6, '0');
	c.otp = { code, issued_at: nowMs(), attempts: 0, used: false };
	store.save();
	fs.appendFileSync(path.join(stateDir, 'otp-sink.log'),
		`${iso(nowMs())} to=${c.phone} id=${c.id} otp=${code} (e-Cert 憑證申請驗證碼，${LIMITS.otpLifetimeS / 60} 分鐘內有效)\n`,
		{ mode: 0o600 });
	return { sent_to: maskPhone(c.phone), expires_in: LIMITS.otpLifetimeS };
}

function checkTerms(req) {
	const v = (req.headers['x-ecm-terms-version'] || req.userExtra?.terms || '').trim();
	if (v !== TERMS_VERSION) {
		throw new ApiError(403, 'TERMS_NOT_ACCEPTED', v ? `terms version ${v} is not the current one (${TERMS_VERSION})`
			: 'X-ECM-Terms-Version missing: accept the current terms first', { terms_version: TERMS_VERSION });
	}
}

function checkOtp(req, c) {
	const given = String(req.headers['x-ecm-otp'] || req.userExtra?.otp || '').trim();
	const o = c.otp;
	const age = o ? nowMs() - o.issued_at : 0;
	if (!o || o.used || o.attempts >= LIMITS.otpAttempts || age > LIMITS.otpLifetimeS * 1000) {
		throw new ApiError(403, 'OTP_EXPIRED', 'no usable one-time password: request a new one');
	}
	if (!/^\d{6}$/.test(given)) {
		throw new ApiError(403, 'OTP_INVALID', 'X-ECM-OTP missing or not 6 digits',
			{ attempts_left: LIMITS.otpAttempts - o.attempts });
	}
	if (!crypto.timingSafeEqual(Buffer.from(given), Buffer.from(o.code))) {
		o.attempts += 1;
		store.save();
		throw new ApiError(403, 'OTP_INVALID', 'wrong one-time password', { attempts_left: LIMITS.otpAttempts - o.attempts });
	}
	o.used = true;
	store.save();
}

// ---------------------------------------------------------------- certificates
function statusOf(rec, now = nowMs()) {
	if (rec.revoked_at) return 'revoked';
	if (rec.superseded_at) return 'superseded';
	if (now > Date.parse(rec.not_after)) return 'expired';
	return 'valid';
}
function certJson(rec) {
	return { serial: rec.serial, status: statusOf(rec), cn: rec.cn, device: rec.device,
		not_before: rec.not_before, not_after: rec.not_after };
}
function currentPc(c) {
	const pcs = store.certsOf(c.id).filter((r) => r.device === 'PC');
	return pcs.length ? pcs[pcs.length - 1] : null;
}

async function issueFor(c, deviceCode, publicKey) {
	const now = Math.floor(nowMs() / 1000) * 1000;
	const nb = new Date(now);
	const na = new Date(now);
	na.setUTCFullYear(na.getUTCFullYear() + 1);
	const cn = `${c.id}-00-${deviceCode}`;
	const out = await ca.issue({ cn, publicKey, notBefore: nb, notAfter: na, fromIntermediate: broken('intermediate') });
	const rec = { serial: out.serial, id: c.id, device: DEVICE_BY_CODE[deviceCode], cn, not_before: iso(nb.getTime()),
		not_after: iso(na.getTime()), issued_at: iso(nowMs()), pem: out.pem };
	return rec;
}

function decodeCsrBody(buf) {
	let s = buf.toString('latin1');
	if (buf.length && buf[0] === 0x30 && !/^[A-Za-z0-9+/=\s\0]*$/.test(s)) return buf; // binary DER
	if (/-----BEGIN [A-Z ]+-----/.test(s)) s = s.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '');
	const b64 = s.replace(/[\s\0]/g, '');
	if (!b64 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) throw E.estBadRequest('body is not base64 of a DER PKCS#10 request');
	return Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** True when the request came as one unbroken base64 line without Content-Transfer-Encoding, as strongSwan's
 * `pki --est` 5.9.8 sends it: that client cannot read a folded answer, so it gets one line back. */
function oneLineClient(req, body) {
	return !req.headers['content-transfer-encoding'] && !/[\r\n]./.test(body.toString('latin1'));
}

async function parseCsr(req) {
	const body = await readBody(req);
	req.oneLine = oneLineClient(req, body);
	const der = decodeCsrBody(body);
	try {
		return await ca.checkCsr(der);
	} catch (e) {
		if (e instanceof pki.CsrError) throw new (e.code === 'BAD_REQUEST' ? PlainError : ApiError)(400, e.code, e.message);
		throw e;
	}
}

function sendPkcs7(res, pems, oneLine = false) {
	const p7 = ca.pkcs7(pems);
	send(res, 200, oneLine ? `${Buffer.from(p7).toString('base64')}\n` : pki.b64Body(p7), {
		'Content-Type': broken('enroll-content-type') ? 'application/octet-stream'
			: 'application/pkcs7-mime; smime-type=certs-only',
		'Content-Transfer-Encoding': 'base64',
	});
}

/** The client certificate of this TLS connection if it was issued by us to customer c, else throws. */
async function clientCertOf(req, c) {
	const peer = req.socket.getPeerCertificate ? req.socket.getPeerCertificate(false) : null;
	if (!peer || !peer.raw) {
		throw new ApiError(403, 'CLIENT_CERT_REQUIRED', 'renewal needs the current certificate as TLS client certificate');
	}
	const cert = await ca.verifyIssued(peer.raw);
	const rec = cert ? store.cert(pki.normSerial(cert.serialNumber)) : null;
	if (!rec || rec.id !== c.id || rec.device !== 'PC'
		|| !pki.pemToDer(rec.pem).equals(Buffer.from(peer.raw))) {
		throw new ApiError(403, 'CLIENT_CERT_REQUIRED', 'the TLS client certificate is not a PC certificate of this customer');
	}
	return { cert, rec };
}

// ---------------------------------------------------------------- EST
function estAuth(req) {
	const cred = basicCredentials(req);
	if (cred && cred.otp !== undefined) req.userExtra = { otp: cred.otp, terms: cred.terms };
	return authenticate(cred);
}

async function estSimpleEnroll(req, res) {
	const c = estAuth(req);
	const { csr } = await parseCsr(req);
	const cns = csr.subjectName.getField('CN');
	if (cns.length > 1 || (cns.length === 1 && cns[0].split('-')[0].toUpperCase() !== c.id)) {
		throw E.csr(`CSR subject CN must be ${c.id}-00-PC001 (or empty): the RA sets the subject`);
	}
	checkTerms(req);
	checkOtp(req, c);
	const rec = await issueFor(c, 'PC001', csr.publicKey);
	for (const old of store.certsOf(c.id)) {
		if (old.device === 'PC' && statusOf(old) === 'valid') { old.superseded_at = iso(nowMs()); old.superseded_by = rec.serial; }
	}
	store.data.certificates.push(rec);
	store.save();
	log(`issued ${rec.cn} serial ${rec.serial} (simpleenroll)`);
	sendPkcs7(res, [rec.pem, ca.caPem], req.oneLine);
}

async function estSimpleReenroll(req, res) {
	const c = estAuth(req);
	const { cert, rec: old } = await clientCertOf(req, c);
	const st = statusOf(old);
	if (st === 'revoked' || st === 'superseded') {
		throw new ApiError(403, 'CERT_REVOKED', `the current certificate is ${st}: apply again`);
	}
	if (st === 'expired') throw new ApiError(403, 'CERT_EXPIRED', 'the current certificate has expired: apply again');
	const from = Date.parse(old.not_after) - opts.windowDays * DAY;
	if (nowMs() < from) {
		throw new ApiError(403, 'NOT_IN_RENEWAL_WINDOW',
			`renewal opens ${opts.windowDays} days before expiry, on ${iso(from)}`,
			{ window_days: opts.windowDays, renewable_from: iso(from) });
	}
	const { csr } = await parseCsr(req);
	if (pki.nameKey(csr.subjectName) !== pki.nameKey(cert.subjectName)) {
		throw new ApiError(403, 'SUBJECT_MISMATCH', `CSR subject must equal the current certificate's: ${cert.subject}`);
	}
	checkTerms(req);
	checkOtp(req, c);
	const rec = await issueFor(c, 'PC001', csr.publicKey);
	for (const o of store.certsOf(c.id)) {
		if (o.device === 'PC' && statusOf(o) === 'valid') { o.superseded_at = iso(nowMs()); o.superseded_by = rec.serial; }
	}
	store.data.certificates.push(rec);
	store.save();
	log(`issued ${rec.cn} serial ${rec.serial} (simplereenroll, supersedes ${old.serial})`);
	sendPkcs7(res, [rec.pem, ca.caPem], req.oneLine);
}

// ---------------------------------------------------------------- account API
function revokeCore(c, serialIn, reason) {
	const serial = pki.normSerial(serialIn);
	if (!serial) throw E.badRequest('serial missing or not hexadecimal');
	const rec = store.cert(serial);
	if (!rec || rec.id !== c.id) throw E.notFound(`no certificate ${serial} for this customer`);
	const st = statusOf(rec);
	if (st !== 'valid') throw E.badRequest(`certificate ${serial} is ${st}, not valid`);
	const now = nowMs();
	const times = (c.revocations || []).map(Date.parse);
	const day = times.filter((t) => t > now - DAY).sort((a, b) => a - b);
	const year = times.filter((t) => t > now - 365 * DAY).sort((a, b) => a - b);
	if (day.length >= LIMITS.revokePerDay) {
		throw new ApiError(429, 'REVOKE_LIMIT', `at most ${LIMITS.revokePerDay} revocations a day`,
			{ retry_after: Math.max(1, Math.ceil((day[0] + DAY - now) / 1000)) });
	}
	if (year.length >= LIMITS.revokePerYear) {
		throw new ApiError(429, 'REVOKE_LIMIT', `at most ${LIMITS.revokePerYear} revocations a year`,
			{ retry_after: Math.max(1, Math.ceil((year[0] + 365 * DAY - now) / 1000)) });
	}
	rec.revoked_at = iso(now);
	rec.revocation_reason = String(reason || 'unspecified').slice(0, 64);
	c.revocations = [...(c.revocations || []), iso(now)];
	store.save();
	log(`revoked ${rec.cn} serial ${rec.serial}`);
	return rec;
}

const api = {
	'GET account': async (req, res) => {
		const c = authenticate(basicCredentials(req));
		const cur = currentPc(c);
		sendJson(res, 200, { id: c.id, name: c.name, phone_masked: maskPhone(c.phone),
			now: broken('account-shape') ? nowMs() : iso(nowMs()),
			renewal_window_days: opts.windowDays, current_pc_cert: cur ? certJson(cur) : null });
	},
	'GET certificates': async (req, res) => {
		const c = authenticate(basicCredentials(req));
		const list = store.certsOf(c.id).slice().sort((a, b) => Date.parse(a.not_before) - Date.parse(b.not_before));
		sendJson(res, 200, { certificates: list.map(certJson) });
	},
	'GET terms': async (req, res) => sendJson(res, 200, { version: TERMS_VERSION, text: TERMS_TEXT }),
	'POST otp': async (req, res) => {
		const c = authenticate(basicCredentials(req));
		sendJson(res, 200, sendOtp(c));
	},
	'POST revoke': async (req, res) => {
		const c = authenticate(basicCredentials(req));
		const body = await readJson(req);
		const rec = revokeCore(c, body.serial, body.reason);
		sendJson(res, 200, { serial: rec.serial, status: 'revoked' });
	},
};

// ---------------------------------------------------------------- revocation page (HTML, for people)
const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
function page(title, body) {
	return `<!DOCTYPE html>\n<html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}label{display:block;margin:.6em 0}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}.err{color:#b00}</style></head>
<body><h1>${esc(title)}</h1>\n${body}\n<p><small>e-Cert Dev Broker · 開發測試用 RA</small></p></body></html>\n`;
}
function revokeForm(id = '', msg = '') {
	return page('憑證廢止 Certificate revocation', `${msg}
<form method="post" action="/revoke">
<label>身分證字號 ID <input name="id" value="${esc(id)}" required pattern="[A-Za-z][12][0-9]{8}" autocomplete="username"></label>
<label>交易密碼 Trading password <input name="password" type="password" required autocomplete="current-password"></label>
<label>憑證序號 Certificate serial (留空則列出您的憑證 / leave empty to list your certificates)
<input name="serial" pattern="[0-9A-Fa-f:]*"></label>
<button type="submit">送出 Submit</button>
</form>`);
}
function sendHtml(res, status, html) { send(res, status, html, { 'Content-Type': 'text/html; charset=utf-8' }); }

async function revokePage(req, res) {
	if (req.method === 'GET') return sendHtml(res, 200, revokeForm());
	if (req.method !== 'POST') throw new ApiError(405, 'BAD_REQUEST', 'GET or POST');
	const form = new URLSearchParams((await readBody(req)).toString('utf8'));
	const id = (form.get('id') || '').trim().toUpperCase();
	try {
		const c = authenticate({ id, password: form.get('password') || '' });
		const serial = (form.get('serial') || '').trim();
		if (!serial) {
			const rows = store.certsOf(c.id).map(certJson).map((r) => `<tr><td>${r.status === 'valid'
				? `<input type="radio" name="serial" value="${esc(r.serial)}" required>` : ''}</td><td><code>${esc(r.serial)}</code></td>
<td>${esc(r.device)}</td><td>${esc(r.cn)}</td><td>${esc(r.status)}</td><td>${esc(r.not_after)}</td></tr>`).join('\n');
			return sendHtml(res, 200, page('選擇要廢止的憑證 Choose the certificate to revoke', `
<form method="post" action="/revoke"><input type="hidden" name="id" value="${esc(c.id)}">
<table><tr><th></th><th>serial</th><th>device</th><th>CN</th><th>status</th><th>not after</th></tr>
${rows}</table>
<label>再次輸入交易密碼 Trading password again <input name="password" type="password" required></label>
<button type="submit">廢止 Revoke</button></form>`));
		}
		const rec = revokeCore(c, serial, 'revocation page');
		return sendHtml(res, 200, page('憑證已廢止 Certificate revoked',
			`<p id="result" data-code="OK">已廢止憑證 <code>${esc(rec.serial)}</code>（${esc(rec.cn)}）。
Certificate <code>${esc(rec.serial)}</code> (${esc(rec.cn)}) is now <strong>revoked</strong>.</p>
<p><a href="/revoke">返回 Back</a></p>`));
	} catch (e) {
		if (!(e instanceof ApiError)) throw e;
		return sendHtml(res, e.status, revokeForm(id,
			`<p class="err" id="result" data-code="${esc(e.code)}">${esc(e.code)}: ${esc(e.message)}</p>`));
	}
}

// 憑證簽驗: POST /api/v1/verify, nonces, demo orders and their pages (tests/ra/verify.js)
const signing = require('./verify')({ ca, store, statusOf, authenticate, basicCredentials, ApiError, readJson, sendJson,
	send, nowMs, iso, log });
Object.assign(api, signing.api);

// ---------------------------------------------------------------- test controls
const testApi = {
	'GET otp': async (req, res, url) => {
		const id = (url.searchParams.get('id') || '').toUpperCase();
		const c = store.customer(id);
		if (!c || !c.otp) throw E.notFound(`no OTP was sent to ${id}`);
		sendJson(res, 200, { otp: c.otp.code });
	},
	'GET connections': async (req, res) => sendJson(res, 200, counters),
	'GET clock': async (req, res) => sendJson(res, 200, { offset_days: clockOffsetDays, now: iso(nowMs()) }),
	'POST clock': async (req, res) => {
		const b = await readJson(req);
		if (typeof b.offset_days !== 'number' || !Number.isFinite(b.offset_days)) throw E.badRequest('offset_days: number');
		clockOffsetDays = b.offset_days;
		log(`clock offset ${clockOffsetDays} days, now ${iso(nowMs())}`);
		sendJson(res, 200, { offset_days: clockOffsetDays, now: iso(nowMs()) });
	},
	'POST reset': async (req, res) => {
		store.resetToSeed();
		signing.reset();
		clockOffsetDays = 0;
		faults = {};
		phantomFailures = {};
		counters = newCounters();
		log('reset to the seeded state');
		sendJson(res, 200, { reset: true, now: iso(nowMs()) });
	},
	'POST fault': async (req, res) => {
		const b = await readJson(req);
		if (!FAULT_PATHS.includes(b.path)) throw E.badRequest(`path: one of ${FAULT_PATHS.join(', ')}`);
		if (!FAULT_MODES.includes(b.mode)) throw E.badRequest(`mode: one of ${FAULT_MODES.join(', ')}`);
		if (b.seconds !== undefined && !(typeof b.seconds === 'number' && b.seconds >= 0)) throw E.badRequest('seconds: number');
		if (b.after !== undefined && !(Number.isInteger(b.after) && b.after >= 0)) throw E.badRequest('after: whole number');
		if (b.mode === 'none') delete faults[b.path];
		else faults[b.path] = { mode: b.mode, seconds: b.seconds, after: b.after ?? 0 };
		log(`fault ${b.path}: ${b.mode}${b.seconds !== undefined ? ` ${b.seconds}s` : ''}`);
		sendJson(res, 200, { path: b.path, mode: b.mode, seconds: b.seconds ?? null });
	},
};

// ---------------------------------------------------------------- faults
const sleepers = new Set();
function sleep(ms) {
	return new Promise((resolve) => {
		const t = setTimeout(() => { sleepers.delete(t); resolve(); }, ms);
		sleepers.add(t);
	});
}
/** Apply an injected fault; returns true when the answer was sent. */
async function applyFault(name, kind, res) {
	const f = faults[name];
	if (!f) return false;
	if (f.after > 0) { f.after--; return false; } /* the first `after` requests are answered as usual */
	if (f.mode === 'slow') { await sleep((f.seconds ?? 30) * 1000); return false; }
	if (f.mode === 'error500') {
		sendJson(res, 500, { code: 'SERVER_ERROR', message: `injected fault on ${name}` });
		return true;
	}
	if (f.mode === 'pending') {
		const s = Math.max(0, Math.round(f.seconds ?? 1));
		sendJson(res, 202, { status: 'pending', retry_after: s, message: 'request is waiting for approval' },
			{ 'Retry-After': String(s) });
		return true;
	}
	if (f.mode === 'garbage') {
		if (kind === 'est') {
			send(res, 200, 'VGhpcyBpcyBub3QgUEtDUyM3LCBqdXN0IGdhcmJhZ2Uu\n', {
				'Content-Type': 'application/pkcs7-mime; smime-type=certs-only', 'Content-Transfer-Encoding': 'base64' });
		} else if (kind === 'html') {
			send(res, 200, '\x00\x01garbage<<', { 'Content-Type': 'text/html' });
		} else {
			send(res, 200, '<html>not JSON {"code":', { 'Content-Type': 'application/json' });
		}
		return true;
	}
	return false;
}

// ---------------------------------------------------------------- dispatch
async function handle(req, res) {
	const url = new URL(req.url, 'https://127.0.0.1');
	const p = url.pathname.replace(/\/+$/, '') || '/';
	let m;
	if ((m = /^\/\.well-known\/est\/(cacerts|csrattrs|simpleenroll|simplereenroll)$/.exec(p))) {
		const [, op] = m;
		const want = op === 'cacerts' || op === 'csrattrs' ? 'GET' : 'POST';
		if (req.method !== want) throw new PlainError(405, 'BAD_REQUEST', `${op} takes ${want}`);
		if (await applyFault(op, 'est', res)) return;
		const ct = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
		if (want === 'POST' && ct !== 'application/pkcs10') {
			throw new PlainError(415, 'BAD_REQUEST', 'Content-Type must be application/pkcs10');
		}
		if (op === 'cacerts') {
			if (broken('cacerts-pem')) {
				return send(res, 200, ca.caPem, { 'Content-Type': 'application/pkcs7-mime' });
			}
			return send(res, 200, pki.b64Body(ca.pkcs7([ca.caPem])), {
				'Content-Type': 'application/pkcs7-mime', 'Content-Transfer-Encoding': 'base64' });
		}
		if (op === 'csrattrs') return send(res, 204, '');
		return op === 'simpleenroll' ? estSimpleEnroll(req, res) : estSimpleReenroll(req, res);
	}
	if ((m = /^\/api\/v1\/([a-z]+)$/.exec(p))) {
		const h = api[`${req.method} ${m[1]}`];
		if (!h) throw E.notFound(`no ${req.method} ${p}`);
		if (await applyFault(m[1], 'json', res)) return;
		return h(req, res, url);
	}
	if (signing.handlePage(req, res, p)) return;
	if (p === '/revoke') {
		if (await applyFault('revoke_page', 'html', res)) return;
		return revokePage(req, res);
	}
	if (opts.testControls && (m = /^\/test\/([a-z]+)$/.exec(p))) {
		const h = testApi[`${req.method} ${m[1]}`];
		if (!h) throw E.notFound(`no ${req.method} ${p}`);
		return h(req, res, url);
	}
	throw E.notFound(`no ${req.method} ${p}`);
}

// ---------------------------------------------------------------- seeding
async function seed() {
	const now = Date.now();
	const pw = 'Demo1234';
	const customers = [
		{ id: 'A123456789', name: '王小明', phone: '0912345678', state: 'new',
			note: 'new customer, no certificate yet: apply' },
		{ id: 'B220134565', name: '林美華', phone: '0923456781', state: 'other_devices',
			note: 'valid certificates on iPhone (MI001) and GPhone (MG001), no PC certificate' },
		{ id: 'C120045679', name: '陳大同', phone: '0934567812', state: 'locked',
			note: 'locked after too many wrong passwords (every request answers 403 ACCOUNT_LOCKED)' },
		{ id: 'D220334567', name: '張雅婷', phone: '0945678123', state: 'new',
			note: 'spare new customer for tests running in parallel' },
		{ id: 'E120556786', name: '黃志偉', phone: '0956781234', state: 'new',
			note: 'second spare new customer for tests running in parallel' },
	];
	store.data = { version: 1, created_at: iso(now), customers: {}, certificates: [] };
	for (const s of customers) {
		store.data.customers[s.id] = { id: s.id, name: s.name, phone: s.phone, pw: hashPassword(pw),
			password_demo: pw, state_seeded: s.state, note: s.note, locked: s.state === 'locked',
			failed_logins: s.state === 'locked' ? LIMITS.lockout : 0, otp: null, revocations: [] };
	}
	const b = store.data.customers.B220134565;
	for (const [code, kind, ageDays] of [['MI001', 'ec', 120], ['MG001', 'rsa', 200]]) {
		const saved = clockOffsetDays;
		clockOffsetDays = -ageDays;
		store.data.certificates.push(await issueFor(b, code, await pki.seedKey(kind)));
		clockOffsetDays = saved;
	}
	store.save();
	store.saveSeed();
	log(`seeded ${customers.length} demo customers in ${store.file}`);
}

// ---------------------------------------------------------------- main
async function main() {
	await ca.init();
	if (store.exists()) store.load();
	else await seed();
	if (!fs.existsSync(store.seedFile)) store.saveSeed();

	const server = https.createServer({
		key: ca.tlsKeyPem,
		cert: ca.tlsCertPem + ca.caPem,
		ca: [ca.caPem],
		requestCert: true,
		rejectUnauthorized: false,
		minVersion: 'TLSv1.2',
		maxVersion: 'TLSv1.3',
	}, (req, res) => {
		const t0 = Date.now();
		countAgent(req);
		res.on('finish', () => log(`${req.method} ${req.url.replace(/\?.*/, '')} ${res.statusCode} ${Date.now() - t0}ms`));
		handle(req, res).catch((e) => {
			if (res.headersSent) { res.destroy(); return; }
			if (e instanceof ApiError) return sendError(res, e);
			log(`error: ${e && e.stack ? e.stack : e}`);
			sendError(res, new ApiError(500, 'SERVER_ERROR', 'internal error'));
		});
	});
	server.on('tlsClientError', () => {});
	server.on('connection', () => { counters.tcp_connections += 1; });
	server.on('secureConnection', (sock) => {
		counters.tls_handshakes += 1;
		if (sock.isSessionReused()) counters.tls_resumed += 1;
	});
	// A client keeps its connection for a whole session (login, terms, OTP, enrollment): Node's default of 5 s
	// would close it while the user types the OTP. A broker's server may be stricter; the host then reconnects.
	server.keepAliveTimeout = 120e3;

	const raJson = path.join(stateDir, 'ra.json');
	let stopping = false;
	const stop = (sig) => {
		if (stopping) return;
		stopping = true;
		log(`${sig}: stopping`);
		for (const t of sleepers) clearTimeout(t);
		try { fs.unlinkSync(raJson); } catch (e) { /* already gone */ }
		server.close(() => process.exit(0));
		server.closeAllConnections();
		setTimeout(() => process.exit(0), 2000).unref();
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));

	server.listen(opts.port, '127.0.0.1', () => {
		const port = server.address().port;
		const origin = `https://127.0.0.1:${port}`;
		const info = {
			est_url: `${origin}/.well-known/est`,
			api_url: `${origin}/api/v1`,
			ra_ca_file: ca.caFile,
			revoke_url: `${origin}/revoke`,
			test_url: opts.testControls ? `${origin}/test` : null,
			port,
			pid: process.pid,
			renewal_window_days: opts.windowDays,
			terms_version: TERMS_VERSION,
			otp_sink: path.join(stateDir, 'otp-sink.log'),
			accounts: Object.values(store.data.customers).map((c) => ({
				id: c.id, password: c.password_demo, state: c.state_seeded, note: c.note })),
		};
		atomicWrite(raJson, JSON.stringify(info, null, 2) + '\n', 0o644);
		log(`listening on ${origin} (EST ${info.est_url}, API ${info.api_url}${opts.testControls ? ', test controls on' : ''})`);
		for (const b of opts.broken) log(`BROKEN on purpose (--break ${b}): ${BREAK_POINTS[b]}`);
	});
	server.on('error', (e) => { log(`listen failed: ${e.message}`); process.exit(1); });
}

main().catch((e) => { log(`fatal: ${e && e.stack ? e.stack : e}`); process.exit(1); });
