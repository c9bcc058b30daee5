// packages.mjs: a built extension package loaded in a real browser (issue 21; tests/e2e/packages.t,
// tests/installer/brokers.t). Prints one JSON line: {ready, reply} where ready says the popup page loaded and
// reply is the host's answer to hello through the extension, or {error}.
//   node packages.mjs chromium-hello USER_DATA_DIR EXT_DIR   the unpacked .zip, its popup calls sendNativeMessage
//   node packages.mjs firefox-hello PROFILE_DIR XPI          the .xpi installed as is; hello through the event page
// The native host comes from the usual manifests (the caller writes them) and the environment.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

const GECKO_UUID = '6f1c2a9e-3d4b-4e8a-9b7c-1a2b3c4d5e6f';

// The Chromium ID of an unpacked extension with a manifest key: sha256 of the DER key, 32 hex digits as a-p.
function chromiumId(ext) {
  const key = JSON.parse(fs.readFileSync(path.join(ext, 'manifest.json'), 'utf8')).key;
  const hex = crypto.createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

async function chromiumHello(userDataDir, ext) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 90000,
    args: [`--load-extension=${ext}`, `--disable-extensions-except=${ext}`, '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${chromiumId(ext)}/popup.html`);
    await page.waitForSelector('body[data-ready=yes]', { timeout: 60000 });
    const reply = await page.evaluate(() => chrome.runtime.sendNativeMessage('org.ecertmanager.host', { id: 1, cmd: 'hello' }));
    return { ready: true, reply };
  } finally {
    await context.close();
  }
}

async function firefoxHello(profileDir, xpi) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profileDir,
    protocolTimeout: 90000,
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ 'ecert-manager@ecertmanager.org': GECKO_UUID }) },
    env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1' },
  });
  try {
    const id = await browser.installExtension(xpi);
    const page = await browser.newPage();
    page.goto(`moz-extension://${GECKO_UUID}/popup.html`).catch(() => {});   // may not resolve: wait for the page
    await page.waitForSelector('body[data-ready=yes]', { timeout: 60000 });
    const reply = await page.evaluate(() => new Promise((res) => {
      const port = browser.runtime.connect({ name: 'ecm-ui' });
      port.onMessage.addListener((m) => { if (m.rid === 'p') { res(m.reply); port.disconnect(); } });
      port.postMessage({ rid: 'p', cmd: 'hello' });
    }));
    return { id, ready: true, reply };
  } finally {
    await browser.close();
  }
}

const [mode, dir, pkg] = process.argv.slice(2);
const run = { 'chromium-hello': chromiumHello, 'firefox-hello': firefoxHello }[mode];
if (!run || !dir || !pkg) {
  console.error('usage: packages.mjs chromium-hello USER_DATA_DIR EXT_DIR | firefox-hello PROFILE_DIR XPI');
  process.exit(2);
}
run(dir, pkg).then((r) => console.log(JSON.stringify(r)))
  .catch((e) => { console.log(JSON.stringify({ error: String((e && e.message) || e) })); process.exit(1); });
