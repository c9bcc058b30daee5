// chromium-hello.js USER_DATA_DIR EXT_DIR EXT_ID: start Debian's Chromium with the test extension, let the
// extension page call chrome.runtime.sendNativeMessage('org.ecertmanager.host', {id: 1, cmd: 'hello'}) and print
// what it got as one JSON line: {"reply": ...} or {"error": "..."}. The host manifest must already be installed.
'use strict';
const { chromium } = require('playwright-core');

async function main() {
	const [userDataDir, ext, id] = process.argv.slice(2);
	if (!userDataDir || !ext || !id)
		throw new Error('usage: chromium-hello.js USER_DATA_DIR EXT_DIR EXT_ID');
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		timeout: 60000,
		args: [`--load-extension=${ext}`, `--disable-extensions-except=${ext}`, '--no-sandbox', '--disable-gpu',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			'--no-first-run', '--disable-quic'],
	});
	try {
		const page = await context.newPage();
		await page.goto(`chrome-extension://${id}/test.html`);
		await page.waitForSelector('#out[data-done]', { timeout: 20000 });
		console.log(await page.textContent('#out'));
	} finally {
		await context.close();
	}
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
