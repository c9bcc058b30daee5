'use strict';
// Certificate authority side of the development RA: CA and TLS key material, CSR checks, issuance, PKCS#7.
// Built on @peculiar/x509 (WebCrypto) and Node's own crypto; no code shared with the C host.
require('reflect-metadata');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const x509 = require('@peculiar/x509');
const cms = require('@peculiar/asn1-cms');
const { AsnConvert } = require('@peculiar/asn1-schema');
const asnX509 = require('@peculiar/asn1-x509');
const { atomicWrite } = require('./store');

const subtle = crypto.webcrypto.subtle;
x509.cryptoProvider.set(crypto.webcrypto);

const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const BROKER_O = 'e-Cert Dev Broker';
const BROKER_OU = 'RA-DEV';

class CsrError extends Error {
	constructor(code, message) { super(message); this.code = code; }
}

function genRsaPair(bits = 2048) {
	return crypto.generateKeyPairSync('rsa', { modulusLength: bits });
}

async function toSigningKey(keyObject) {
	const der = keyObject.export({ format: 'der', type: 'pkcs8' });
	const alg = keyObject.asymmetricKeyType === 'ec'
		? { name: 'ECDSA', namedCurve: 'P-256' }
		: RSA_SIGN;
	return subtle.importKey('pkcs8', der, alg, false, ['sign']);
}

/** 16 random bytes, first byte 0x10..0x7F: positive, and its upper-case hex has no leading zero at all. */
function randomSerialHex() {
	const b = crypto.randomBytes(16);
	b[0] = 0x10 + (b[0] % 0x70);
	return b.toString('hex').toUpperCase();
}

/** Canonical serial form: upper-case hex, no separators, no leading zeros (as OpenSSL BN_bn2hex for our serials). */
function normSerial(s) {
	const t = String(s || '').replace(/[\s:]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
	return /^[0-9A-F]+$/.test(t) ? t : '';
}

function pemToDer(pem) {
	const b64 = String(pem).replace(/-----[^-]+-----/g, '').replace(/[^A-Za-z0-9+/=]/g, '');
	return Buffer.from(b64, 'base64');
}

function derToPem(der, label = 'CERTIFICATE') {
	const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
	return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Base64 on one line (RFC 4648, as RFC 8951 clarifies for EST) ending with LF: every client reads this; some
 *  (strongSwan pki --est 5.9.8) cannot read line-wrapped base64. */
/** Base64 folded at 76 columns with CRLF (RFC 2045 section 6.8, which RFC 7030 section 4.1.3 points to):
 * libest's client reads answers line by line and cannot read one unbroken line. */
function b64Body(buf) {
	return Buffer.from(buf).toString('base64').replace(/.{1,76}/g, '$&\r\n');
}

class Authority {
	constructor(stateDir) {
		this.dir = stateDir;
		this.caFile = path.resolve(stateDir, 'ca.pem');
	}

	async init() {
		const keyFile = path.join(this.dir, 'ca-key.pem');
		if (!fs.existsSync(keyFile) || !fs.existsSync(this.caFile)) {
			const { privateKey } = genRsaPair(2048);
			const signingKey = await toSigningKey(privateKey);
			const publicKey = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
			const name = `C=TW, O=${BROKER_O}, OU=${BROKER_OU}, CN=e-Cert Dev RA Root CA ${randomSerialHex().slice(0, 8)}`;
			const now = Date.now();
			const cert = await x509.X509CertificateGenerator.create({
				serialNumber: randomSerialHex(),
				subject: name,
				issuer: name,
				notBefore: new Date(now - 3650 * 86400e3),
				notAfter: new Date(now + 20 * 365 * 86400e3),
				publicKey: new x509.PublicKey(publicKey),
				signingKey,
				signingAlgorithm: RSA_SIGN,
				extensions: [
					new x509.BasicConstraintsExtension(true, 0, true),
					new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
						| x509.KeyUsageFlags.digitalSignature, true),
					await x509.SubjectKeyIdentifierExtension.create(new x509.PublicKey(publicKey)),
				],
			});
			atomicWrite(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), 0o600);
			atomicWrite(this.caFile, cert.toString('pem') + '\n', 0o644);
		}
		this.caKeyObject = crypto.createPrivateKey(fs.readFileSync(keyFile));
		this.caKey = await toSigningKey(this.caKeyObject);
		this.caPem = fs.readFileSync(this.caFile, 'utf8');
		this.caCert = new x509.X509Certificate(this.caPem);
		this.caDer = Buffer.from(this.caCert.rawData);
		await this.initTls();
	}

	async initTls() {
		const keyFile = path.join(this.dir, 'tls-key.pem');
		const certFile = path.join(this.dir, 'tls.pem');
		if (!fs.existsSync(keyFile) || !fs.existsSync(certFile)) {
			const { privateKey } = genRsaPair(2048);
			const spki = new x509.PublicKey(crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
			const now = Date.now();
			const cert = await x509.X509CertificateGenerator.create({
				serialNumber: randomSerialHex(),
				subject: `C=TW, O=${BROKER_O}, OU=${BROKER_OU}, CN=127.0.0.1`,
				issuer: this.caCert.subject,
				notBefore: new Date(now - 86400e3),
				notAfter: new Date(now + 10 * 365 * 86400e3),
				publicKey: spki,
				signingKey: this.caKey,
				signingAlgorithm: RSA_SIGN,
				extensions: [
					new x509.BasicConstraintsExtension(false, undefined, true),
					new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
					new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
					new x509.SubjectAlternativeNameExtension([
						{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }]),
					await x509.SubjectKeyIdentifierExtension.create(spki),
					await x509.AuthorityKeyIdentifierExtension.create(this.caCert.publicKey),
				],
			});
			atomicWrite(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), 0o600);
			atomicWrite(certFile, cert.toString('pem') + '\n', 0o644);
		}
		this.tlsKeyPem = fs.readFileSync(keyFile, 'utf8');
		this.tlsCertPem = fs.readFileSync(certFile, 'utf8');
	}

	/** Parse and check a PKCS#10 request (DER). Returns {csr, keyDesc}. Throws CsrError. */
	async checkCsr(der) {
		let csr;
		try {
			csr = new x509.Pkcs10CertificateRequest(der);
		} catch (e) {
			throw new CsrError('BAD_REQUEST', 'body is not a PKCS#10 certificate request');
		}
		let key;
		try {
			key = crypto.createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
		} catch (e) {
			throw new CsrError('CSR_REJECTED', 'unsupported public key in the request');
		}
		const d = key.asymmetricKeyDetails || {};
		let keyDesc;
		if (key.asymmetricKeyType === 'rsa') {
			if (!(d.modulusLength >= 2048 && d.modulusLength <= 8192)) {
				throw new CsrError('CSR_REJECTED', `RSA key of ${d.modulusLength} bits is too weak (at least 2048)`);
			}
			keyDesc = `rsa${d.modulusLength}`;
		} else if (key.asymmetricKeyType === 'ec') {
			if (d.namedCurve !== 'prime256v1') {
				throw new CsrError('CSR_REJECTED', `EC curve ${d.namedCurve} is not accepted (P-256 only)`);
			}
			keyDesc = 'ec-p256';
		} else {
			throw new CsrError('CSR_REJECTED', `key type ${key.asymmetricKeyType} is not accepted (RSA >= 2048 or EC P-256)`);
		}
		let good = false;
		try {
			good = await csr.verify();
		} catch (e) {
			good = false;
		}
		if (!good) throw new CsrError('CSR_REJECTED', 'the request signature does not verify');
		return { csr, keyDesc };
	}

	/** The issuing intermediate CA under the root (int-ca.pem, int-ca-key.pem), made on first use: only the
	 *  `--break intermediate` mode issues from it (a broker whose certificates come from an intermediate). */
	async intermediate() {
		if (this.inter) return this.inter;
		const keyFile = path.join(this.dir, 'int-ca-key.pem');
		const certFile = path.join(this.dir, 'int-ca.pem');
		if (!fs.existsSync(keyFile) || !fs.existsSync(certFile)) {
			const { privateKey } = genRsaPair(2048);
			const spki = new x509.PublicKey(crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
			const now = Date.now();
			const cert = await x509.X509CertificateGenerator.create({
				serialNumber: randomSerialHex(),
				subject: `C=TW, O=${BROKER_O}, OU=${BROKER_OU}, CN=e-Cert Dev RA Issuing CA ${randomSerialHex().slice(0, 8)}`,
				issuer: this.caCert.subject,
				notBefore: new Date(now - 3650 * 86400e3),
				notAfter: new Date(now + 10 * 365 * 86400e3),
				publicKey: spki,
				signingKey: this.caKey,
				signingAlgorithm: RSA_SIGN,
				extensions: [
					new x509.BasicConstraintsExtension(true, 0, true),
					new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
					await x509.SubjectKeyIdentifierExtension.create(spki),
					await x509.AuthorityKeyIdentifierExtension.create(this.caCert.publicKey),
				],
			});
			atomicWrite(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), 0o600);
			atomicWrite(certFile, cert.toString('pem') + '\n', 0o644);
		}
		const pem = fs.readFileSync(certFile, 'utf8');
		this.inter = { pem, cert: new x509.X509Certificate(pem),
			key: await toSigningKey(crypto.createPrivateKey(fs.readFileSync(keyFile))) };
		return this.inter;
	}

	/** Issue an end-entity certificate (from the intermediate when asked). publicKey: x509.PublicKey.
	 *  Returns {pem, der, serial, notBefore, notAfter}. */
	async issue({ cn, publicKey, notBefore, notAfter, fromIntermediate = false }) {
		const serial = randomSerialHex();
		const by = fromIntermediate ? await this.intermediate() : { cert: this.caCert, key: this.caKey };
		const cert = await x509.X509CertificateGenerator.create({
			serialNumber: serial,
			subject: subjectFor(cn),
			issuer: by.cert.subject,
			notBefore,
			notAfter,
			publicKey,
			signingKey: by.key,
			signingAlgorithm: RSA_SIGN,
			extensions: [
				new x509.BasicConstraintsExtension(false, undefined, true),
				new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
				new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
				await x509.SubjectKeyIdentifierExtension.create(publicKey),
				await x509.AuthorityKeyIdentifierExtension.create(by.cert.publicKey),
			],
		});
		return {
			pem: cert.toString('pem') + '\n',
			der: Buffer.from(cert.rawData),
			serial: normSerial(cert.serialNumber),
			notBefore: cert.notBefore,
			notAfter: cert.notAfter,
		};
	}

	/** Certs-only PKCS#7 (RFC 5652 SignedData, version 1, no digest algorithms, id-data without eContent, the
	 *  certificates, no signers; the same layout as `openssl crl2pkcs7 -nocrl`), DER. */
	pkcs7(certPems) {
		const signed = new cms.SignedData({
			version: cms.CMSVersion.v1,
			digestAlgorithms: new cms.DigestAlgorithmIdentifiers(),
			encapContentInfo: new cms.EncapsulatedContentInfo({ eContentType: cms.id_data }),
			certificates: new cms.CertificateSet(certPems.map((p) => new cms.CertificateChoices({
				certificate: AsnConvert.parse(pemToDer(p), asnX509.Certificate) }))),
			signerInfos: new cms.SignerInfos(),
		});
		const info = new cms.ContentInfo({ contentType: cms.id_signedData, content: AsnConvert.serialize(signed) });
		return Buffer.from(AsnConvert.serialize(info));
	}

	/** Check a DER certificate presented by a TLS client: signed by our CA (or by its intermediate, once made).
	 *  Returns the parsed cert or null. */
	async verifyIssued(der) {
		try {
			const cert = new x509.X509Certificate(der);
			let ok = await cert.verify({ publicKey: this.caCert.publicKey, signatureOnly: true });
			if (!ok && this.inter) ok = await cert.verify({ publicKey: this.inter.cert.publicKey, signatureOnly: true });
			return ok ? cert : null;
		} catch (e) {
			return null;
		}
	}
}

function subjectFor(cn) {
	return `C=TW, O=${BROKER_O}, OU=${BROKER_OU}, CN=${cn}`;
}

/** Name as a comparable list of [oid, value] pairs (independent of string encoding types). */
function nameKey(nameObj) {
	try {
		return JSON.stringify(nameObj.toJSON());
	} catch (e) {
		return '';
	}
}

/** Generate a key + certificate for seeding (devices other than PC). */
async function seedKey(kind) {
	if (kind === 'ec') {
		const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
		return new x509.PublicKey(publicKey.export({ format: 'der', type: 'spki' }));
	}
	const { publicKey } = genRsaPair(2048);
	return new x509.PublicKey(publicKey.export({ format: 'der', type: 'spki' }));
}

module.exports = {
	Authority, CsrError, normSerial, pemToDer, derToPem, b64Body, subjectFor, nameKey, seedKey, x509,
	BROKER_O, BROKER_OU,
};
