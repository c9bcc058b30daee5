// Visits URL in headless Debian Chromium with HOME pointing at the fake home (so NSS uses ~/.pki/nssdb the host
// filled) and prints the page text. Certificate selection is automatic via the AutoSelectCertificateForUrls policy.
import { chromium } from 'playwright-core';
const [url, userDataDir] = process.argv.slice(2);
const ctx = await chromium.launchPersistentContext(userDataDir, {
	executablePath: '/usr/lib/chromium/chromium',
	headless: true,
	ignoreHTTPSErrors: true,
	env: { ...process.env },
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
		'--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
	const page = await ctx.newPage();
	await page.goto(url, { timeout: 20000 });
	process.stdout.write(await page.innerText('body'));
} finally {
	await ctx.close();
}
