// Several brokers in Firefox ESR (issue 20; headless, puppeteer-core over WebDriver BiDi): each broker's order page is
// signed with its own certificate, an unlisted and an ungranted origin get nothing (tests/e2e/brokers-lib.mjs). The
// test build's host_permissions are granted at install, as Chromium grants them. Prints "ok - …"; e2e.t numbers them.
import { createRequire } from 'node:module';
import path from 'node:path';
import { EXT, TMP, ok, failures, sleep } from './lib.mjs';
import { brokerPages, strangers } from './brokers-lib.mjs';

const require = createRequire(import.meta.url);
const puppeteer = require('puppeteer-core');
const GECKO_ID = 'ecert-manager@ecertmanager.org';

const browser = await puppeteer.launch({
  browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, acceptInsecureCerts: true,
  userDataDir: path.join(TMP, 'firefox-brokers'),
  extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: '5c1e0b7a-2d4f-4a8e-9b3c-7e6f1a2d3c4b' }), 'intl.locale.requested': 'zh-TW' },
  env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1' },
});
ok(await browser.installExtension(EXT) === GECKO_ID, `Firefox: the test build installs as ${GECKO_ID}`);

const isWindow = async (p) => (await p.evaluate(() => location.href).catch(() => '')).includes('/sign/confirm.html');
const seen = new Set();
function onWindow(fn) {
  let on = true;
  (async () => {
    while (on) {
      for (const p of await browser.pages()) if (!seen.has(p) && await isWindow(p)) { seen.add(p); fn(p); }
      await sleep(150);
    }
  })();
  return () => { on = false; };
}
async function nextWindow() {
  for (let i = 0; i < 100; i++) {
    for (const p of await browser.pages()) {
      if (!seen.has(p) && await isWindow(p)) {
        seen.add(p);
        await p.waitForSelector('body[data-ready=yes]', { timeout: 15000 });
        return p;
      }
    }
    await sleep(200);
  }
  throw new Error('no confirmation window within 20 s');
}

const b = {
  name: 'Firefox',
  open: async (url) => { const p = await browser.newPage(); if (url !== 'about:blank') await p.goto(url); return p; },
  nextWindow,
  onWindow,
  press: async (w, sel) => {
    if (sel === '#sign-approve') { await w.bringToFront().catch(() => {}); await w.waitForSelector('body:not([data-approvable=no])', { timeout: 10000 }); }
    await w.click(sel).catch(() => {});
  },
};
await brokerPages(b);
await strangers(b);

await browser.close();
process.exit(failures() ? 1 : 0);
