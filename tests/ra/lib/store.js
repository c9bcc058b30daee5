'use strict';
// Persistence for the development RA: one JSON document (customers, certificates, counters) in the state
// folder, replaced atomically (temp file + fsync + rename + fsync of the folder) on every change.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

function atomicWrite(file, data, mode = 0o600) {
	const dir = path.dirname(file);
	const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
	const fd = fs.openSync(tmp, 'wx', mode);
	try {
		fs.writeSync(fd, typeof data === 'string' ? data : Buffer.from(data));
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
	fs.renameSync(tmp, file);
	try {
		const dfd = fs.openSync(dir, 'r');
		try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
	} catch (e) { /* directory fsync is best effort */ }
}

class Store {
	constructor(dir) {
		this.file = path.join(dir, 'db.json');
		this.seedFile = path.join(dir, 'seed.json');
		this.data = null;
	}

	exists() { return fs.existsSync(this.file); }

	load() {
		this.data = JSON.parse(fs.readFileSync(this.file, 'utf8'));
		return this.data;
	}

	save() { atomicWrite(this.file, JSON.stringify(this.data, null, 1) + '\n'); }

	/** Remember the current data as the seeded state (for /test/reset). */
	saveSeed() { atomicWrite(this.seedFile, JSON.stringify(this.data, null, 1) + '\n'); }

	resetToSeed() {
		this.data = JSON.parse(fs.readFileSync(this.seedFile, 'utf8'));
		this.save();
	}

	customer(id) { return this.data.customers[id] || null; }

	certsOf(id) { return this.data.certificates.filter((c) => c.id === id); }

	cert(serial) { return this.data.certificates.find((c) => c.serial === serial) || null; }
}

module.exports = { Store, atomicWrite };
