'use strict';
// The broker's side of 憑證簽驗 (issue 13) in the development RA: POST /api/v1/verify checks a CMS SignedData made
// by the extension's `sign` (signature, digest, chain to our CA, the certificate's status in our records, the
// CN's ID against the logged-in account); two pages over the RA's TLS origin (the 憑證簽驗 page signing a server
// nonce, and a demo order form whose signed order text the RA verifies and lists). Written from RFC 5652 with
// @peculiar/asn1-cms and Node's crypto: no code shared with the C host, so the two check each other.
// Contract: docs/ra-protocol.md ("Signatures"); pages: tests/ra/pages/.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { AsnConvert, OctetString } = require('@peculiar/asn1-schema');
const cms = require('@peculiar/asn1-cms');
const asnX509 = require('@peculiar/asn1-x509');
const pki = require('./lib/pki');

const OID = {
	sha256: '2.16.840.1.101.3.4.2.1',
	contentType: '1.2.840.113549.1.9.3',
	messageDigest: '1.2.840.113549.1.9.4',
	signingTime: '1.2.840.113549.1.9.5',
};
const NONCE_LIFETIME_MS = 10 * 60e3;
const MAX_CMS = 256 * 1024;
const PAGES = path.join(__dirname, 'pages');
const STATIC = { // path -> [file, content type]; the page API is the one documented for brokers (docs/signing.md)
	'/ecm-sign.js': [path.join(__dirname, '..', '..', 'docs', 'examples', 'ecm-sign.js'), 'text/javascript; charset=utf-8'],
	'/pages/sign-check.js': [path.join(PAGES, 'sign-check.js'), 'text/javascript; charset=utf-8'],
	'/pages/order.js': [path.join(PAGES, 'order.js'), 'text/javascript; charset=utf-8'],
	'/pages/common.js': [path.join(PAGES, 'common.js'), 'text/javascript; charset=utf-8'],
	'/pages/pages.css': [path.join(PAGES, 'pages.css'), 'text/css; charset=utf-8'],
};
const HTML = { '/sign-check': 'sign-check.html', '/order': 'order.html' };
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; "
	+ "form-action 'none'; frame-ancestors 'none'";

class VerifyFailure extends Error {
	constructor(reason, message) { super(message); this.reason = reason; }
}
const fail = (reason, message) => { throw new VerifyFailure(reason, message); };

function attr(attrs, oid) {
	const a = attrs.find((x) => x.attrType === oid);
	return a && a.attrValues.length === 1 ? Buffer.from(a.attrValues[0]) : null;
}

/** The parts of a CMS SignedData with exactly one signer whose certificate is inside. Throws VerifyFailure. */
function parse(der) {
	let signed;
	try {
		const info = AsnConvert.parse(der, cms.ContentInfo);
		if (info.contentType !== cms.id_signedData) throw new Error('not SignedData');
		signed = AsnConvert.parse(info.content, cms.SignedData);
	} catch (e) {
		fail('format', 'not a CMS SignedData (DER ContentInfo)');
	}
	if (signed.signerInfos.length !== 1) fail('format', 'exactly one signer expected');
	const si = signed.signerInfos[0];
	const ias = si.sid.issuerAndSerialNumber;
	if (!ias) fail('format', 'the signer must be named by issuer and serial number');
	const want = Buffer.from(ias.serialNumber);
	const choice = (signed.certificates || []).find((c) => c.certificate
		&& Buffer.from(c.certificate.tbsCertificate.serialNumber).equals(want));
	if (!choice) fail('format', 'the signer certificate is not included');
	const ec = signed.encapContentInfo.eContent;
	const content = ec ? Buffer.from(ec.single ? ec.single.buffer : ec.any) : null;
	return { si, certDer: Buffer.from(AsnConvert.serialize(choice.certificate)), content };
}

/** DER of the signed attributes as a SET (RFC 5652 5.4: what is signed is their [0] IMPLICIT field re-tagged as
 *  SET), in the order they came, which DER already fixed for the signer. */
function setOf(attrs) {
	const body = Buffer.concat(attrs.map((a) => Buffer.from(AsnConvert.serialize(a))));
	const n = body.length;
	const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
	return Buffer.concat([Buffer.from([0x31, ...len]), body]);
}

/** Digest and signature over the DER signed attributes (RFC 5652 5.4: the [0] IMPLICIT tag becomes SET). */
function checkSignature({ si, certDer }, content) {
	if (si.digestAlgorithm.algorithm !== OID.sha256) fail('digest', 'the digest algorithm is not SHA-256');
	if (!si.signedAttrs || si.signedAttrs.length === 0) fail('format', 'signed attributes are required');
	const md = attr(si.signedAttrs, OID.messageDigest);
	if (!attr(si.signedAttrs, OID.contentType) || !md) fail('format', 'content-type and message-digest attributes are required');
	const digest = AsnConvert.parse(md, OctetString);
	if (!Buffer.from(digest.buffer).equals(crypto.createHash('sha256').update(content).digest())) {
		fail('digest', 'the message digest does not match the content');
	}
	const signedAttrs = setOf(si.signedAttrs);
	const key = new crypto.X509Certificate(certDer).publicKey;
	let good = false;
	try {
		good = crypto.verify('sha256', signedAttrs, key, Buffer.from(si.signature.buffer));
	} catch (e) {
		good = false;
	}
	if (!good) fail('signature', 'the signature does not verify with the signer certificate');
}

function signingTime(si) {
	const v = attr(si.signedAttrs || [], OID.signingTime);
	if (!v) return null;
	try {
		return AsnConvert.parse(v, asnX509.Time).getTime().toISOString().replace(/\.\d{3}Z$/, 'Z');
	} catch (e) {
		return null;
	}
}

module.exports = function signing(ra) {
	const { ca, store, statusOf, authenticate, basicCredentials, ApiError, readJson, sendJson, send, nowMs, iso, log } = ra;
	let nonces = new Map(); // nonce -> expiry (ms); one use each
	let orders = [];        // accepted orders, newest last

	function newNonce() {
		const now = nowMs();
		for (const [n, exp] of nonces) if (exp < now) nonces.delete(n);
		const n = crypto.randomBytes(16).toString('hex');
		nonces.set(n, now + NONCE_LIFETIME_MS);
		return n;
	}

	/** Every check, in order; the first that fails is the reason. account: the logged-in customer or null. */
	async function verify(der, detachedData, account) {
		const parts = parse(der);
		const content = parts.content ?? detachedData;
		if (!content) fail('format', 'a detached signature needs `data`');
		if (parts.content && detachedData && !parts.content.equals(detachedData)) fail('digest', 'data differs from the signed content');
		checkSignature(parts, content);
		const cert = await ca.verifyIssued(parts.certDer);
		if (!cert) fail('chain', 'the signer certificate was not issued by this RA\'s CA');
		const now = nowMs();
		if (now < cert.notBefore.getTime() || now > cert.notAfter.getTime()) fail('expired', 'the certificate is not valid now');
		const serial = pki.normSerial(cert.serialNumber);
		const rec = store.cert(serial);
		if (!rec || !pki.pemToDer(rec.pem).equals(parts.certDer)) fail('unknown_certificate', 'the RA has no record of this certificate');
		const status = statusOf(rec);
		if (status !== 'valid') fail(status, `the certificate is ${status} in the RA's records`);
		if (account && rec.id !== account.id) fail('other_id', `the certificate belongs to another ID than ${account.id}`);
		return { serial, cn: rec.cn, status, content, signing_time: signingTime(parts.si) };
	}

	/** Answer of /verify and the pages: {valid, reason, message, serial?, cn?, ...}. Never throws VerifyFailure. */
	async function check(body, req) {
		const cred = basicCredentials(req);
		const account = cred ? authenticate(cred) : null; // wrong credentials are an error, not a verdict
		if (typeof body.cms !== 'string' || !body.cms) throw new ApiError(400, 'BAD_REQUEST', 'cms: base64 of a DER CMS');
		const der = Buffer.from(body.cms, 'base64');
		if (der.length === 0 || der.length > MAX_CMS) throw new ApiError(400, 'BAD_REQUEST', 'cms: empty or too large');
		const data = typeof body.data === 'string' ? Buffer.from(body.data, 'base64') : null;
		let out = { valid: false, account_checked: !!account };
		try {
			const v = await verify(der, data, account);
			out = { ...out, valid: true, reason: null, serial: v.serial, cn: v.cn, status: v.status,
				signing_time: v.signing_time, content: v.content.toString('base64') };
			if (body.nonce !== undefined) checkNonce(body.nonce, v.content);
		} catch (e) {
			if (!(e instanceof VerifyFailure)) throw e;
			out = { ...out, valid: false, reason: e.reason, message: e.message };
		}
		return out;
	}

	function checkNonce(nonce, content) {
		const exp = nonces.get(String(nonce));
		if (!exp || exp < nowMs()) fail('nonce', 'the nonce was not issued by this RA, was used, or has expired');
		const lines = content.toString('utf8').split('\n').map((l) => l.trim());
		if (!lines.includes(`nonce=${nonce}`) && !lines.includes(`nonce: ${nonce}`)) fail('nonce', 'the signed text does not carry the nonce');
		nonces.delete(String(nonce));
	}

	/** The order the customer signed, read from the signed text only (never from the form). */
	function parseOrder(text) {
		const f = {};
		for (const line of text.split('\n')) {
			const m = /^([^:]+):\s*(.*)$/.exec(line);
			if (m) f[m[1].trim()] = m[2].trim();
		}
		const o = { symbol: f['股票代號'], side: f['買賣'], lots: Number(f['張數']), price: f['價格'], nonce: f.nonce };
		if (!/^\d{4,6}[A-Z]?$/.test(o.symbol || '') || !['買', '賣'].includes(o.side)
			|| !Number.isInteger(o.lots) || o.lots < 1 || o.lots > 499 || !/^\d{1,5}(\.\d{1,2})?$/.test(o.price || '')) {
			return null;
		}
		return o;
	}

	// Pages call these with fetch: a 401 with WWW-Authenticate would make the browser put up its own login prompt
	// over the page, so a refused login is 403 here (same code and body).
	const noPrompt = (fn) => async (req, res, url) => {
		try {
			return await fn(req, res, url);
		} catch (e) {
			if (e instanceof ApiError && e.status === 401) throw new ApiError(403, e.code, e.message, e.extra);
			throw e;
		}
	};
	const api = {
		'POST verify': async (req, res) => sendJson(res, 200, await check(await readJson(req), req)),
		'POST nonce': async (req, res) => sendJson(res, 200, { nonce: newNonce(), expires_in: NONCE_LIFETIME_MS / 1000 }),
		'POST orders': async (req, res) => {
			const cred = basicCredentials(req);
			if (!cred) throw new ApiError(401, 'WRONG_PASSWORD', 'log in to place an order');
			const body = await readJson(req);
			const v = await check({ cms: body.cms, nonce: body.nonce }, req);
			if (!v.valid) return sendJson(res, 200, { accepted: false, reason: v.reason, message: v.message });
			const o = parseOrder(Buffer.from(v.content, 'base64').toString('utf8'));
			if (!o) return sendJson(res, 200, { accepted: false, reason: 'order', message: 'the signed text is not an order' });
			const rec = { no: orders.length + 1, id: store.cert(v.serial).id, ...o, serial: v.serial,
				signing_time: v.signing_time, accepted_at: iso(nowMs()) };
			delete rec.nonce;
			orders.push(rec);
			log(`order ${rec.no} accepted: ${rec.side} ${rec.symbol} ${rec.lots} @ ${rec.price} (${rec.id}, serial ${rec.serial})`);
			sendJson(res, 200, { accepted: true, order: rec });
		},
		'GET orders': async (req, res) => {
			const c = authenticate(basicCredentials(req));
			sendJson(res, 200, { orders: orders.filter((o) => o.id === c.id) });
		},
	};
	for (const k of Object.keys(api)) api[k] = noPrompt(api[k]);

	/** The pages and their scripts; true when the request was one of them. */
	function handlePage(req, res, p) {
		if (req.method !== 'GET' || (!HTML[p] && !STATIC[p])) return false;
		if (HTML[p]) {
			send(res, 200, fs.readFileSync(path.join(PAGES, HTML[p])), {
				'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' });
		} else {
			const [file, type] = STATIC[p];
			send(res, 200, fs.readFileSync(file), { 'Content-Type': type });
		}
		return true;
	}

	function reset() { nonces = new Map(); orders = []; }

	return { api, handlePage, reset, verify };
};
