// 憑證簽驗 end to end in Firefox ESR (headless, puppeteer-core over WebDriver BiDi, from tests/e2e): the content
// script path (as in Chromium). Prints "ok - …" lines; browser-sign.t numbers them.
import { createRequire } from 'node:module';
import path from 'node:path';
import { EXT, TMP, ok, diag, step, failures, shotPath, sleep, heard } from '../e2e/lib.mjs';
import { guards } from './guards.mjs';
import { bridgeRequest } from './pages.mjs';

const require = createRequire(new URL('../e2e/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');
const ORIGIN = process.env.SIGN_ORIGIN;
const SERIAL = process.env.SIGN_SERIAL;
const ID = process.env.SIGN_ID;
const PORT = new URL(ORIGIN).port;
const GECKO_ID = 'ecert-manager@ecertmanager.org';
const UUID = '3b0a6d5e-8c1f-4f7e-9a51-6c2d1e0f4b7a';

const browser = await puppeteer.launch({
  browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, acceptInsecureCerts: true,
  userDataDir: path.join(TMP, 'firefox-profile'),
  extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }), 'intl.locale.requested': 'zh-TW' },
  env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1', TZ: 'Asia/Taipei' },
});
const id = await browser.installExtension(EXT);
ok(id === GECKO_ID, `Firefox: the extension installs as ${GECKO_ID}`);

// The confirmation window: BiDi may list it before its URL is known, so ask each page where it is.
const seen = new Set();
async function nextWindow() {
  for (let i = 0; i < 100; i++) {
    for (const p of await browser.pages()) {
      if (seen.has(p)) continue;
      const href = await p.evaluate(() => location.href).catch(() => '');
      if (href.includes('/sign/confirm.html')) {
        seen.add(p);
        await p.waitForSelector('body[data-ready=yes]', { timeout: 15000 });
        return p;
      }
    }
    await sleep(200);
  }
  throw new Error('no confirmation window within 20 s');
}
const txt = (p, sel) => p.$eval(sel, (e) => e.textContent.trim());
async function result(page) {
  await page.waitForSelector('#result[data-valid]', { timeout: 30000 });
  return page.$eval('#result', (e) => ({ valid: e.dataset.valid, reason: e.dataset.reason, text: e.textContent }));
}
// 簽章 takes a click only once the window has had the focus for a moment and its text was seen.
async function press(w, sel) {
  if (sel === '#sign-approve') {
    await w.bringToFront().catch(() => {});
    await w.waitForSelector('body:not([data-approvable=no])', { timeout: 10000 });
  }
  await w.click(sel).catch(() => {});
}

const page = await browser.newPage();
ok(await heard(page, `${ORIGIN}/sign-check`), `Firefox: ${ORIGIN} is heard: the content script is registered for it`);
await step('Firefox: the content script answers on the allowed origin (ECMSign.available)', async () =>
  page.evaluate(() => ECMSign.available({ timeoutMs: 5000 })));

await step('Firefox 憑證簽驗 page: the window shows the browser-reported origin and the certificate; 簽章 → the RA reports ✔', async () => {
  await page.type('#login-id', ID);
  await page.type('#login-password', 'Demo1234');
  const win = nextWindow();
  await page.click('#check');
  const w = await win.catch(async (e) => {
    await sleep(1000);
    diag(`page result: ${await txt(page, '#result')}; targets: ${(await browser.targets()).map((t) => t.url()).join(' ')}`);
    throw e;
  });
  ok(await txt(w, '#sign-origin') === ORIGIN, `Firefox: the window shows ${ORIGIN}`);
  if (!(await w.$('#sign-serial'))) diag(`window: ${await w.evaluate(() => document.body.innerText)}`);
  ok(await txt(w, '#sign-serial') === SERIAL, 'Firefox: the window names the installed certificate');
  ok((await txt(w, '#sign-data')) === (await txt(page, '#signed-text')), 'Firefox: the window shows exactly the text to be signed');
  await w.screenshot({ path: shotPath('sign-confirm-firefox') }).catch(() => {});
  await press(w, '#sign-approve');
  const r = await result(page);
  ok(r.valid === 'true', `Firefox: ✔ (${r.text.trim()})`);
  return true;
});

await step('Firefox: 取消 answers CANCELLED', async () => {
  const win = nextWindow();
  await page.click('#check');
  await press(await win, '#sign-cancel');
  const r = await result(page);
  return r.reason === 'CANCELLED';
});

await step('Firefox order form: the signed order is accepted and listed', async () => {
  const order = await browser.newPage();
  await order.goto(`${ORIGIN}/order`);
  await order.type('#login-id', ID);
  await order.type('#login-password', 'Demo1234');
  await order.evaluate(() => { document.getElementById('symbol').value = '0050'; document.getElementById('lots').value = '2'; });
  const win = nextWindow();
  await order.click('#place');
  const w = await win;
  ok((await txt(w, '#sign-data')).includes('股票代號: 0050'), 'Firefox: the window shows the order text');
  await press(w, '#sign-approve');
  const r = await result(order);
  await order.waitForSelector('#orders tbody tr');
  const cells = await order.$$eval('#orders tbody tr:last-child td', (l) => l.map((e) => e.textContent));
  ok(cells[1] === '0050' && cells[3] === '2' && cells[5] === SERIAL, `Firefox: listed (${cells.join(' | ')})`);
  await order.close();
  return r.valid === 'true';
});

await step('Firefox: a page of another origin gets nothing (no content script, no window)', async () => {
  const p = await browser.newPage();
  await p.goto(`https://localhost:${PORT}/sign-check`);
  const a = await p.evaluate(async () => [await ECMSign.available({ timeoutMs: 1500 }),
    await ECMSign.sign({ data: 'x' }).then(() => 'signed', (e) => e.code)]);
  await sleep(500);
  const windows = (await browser.targets()).filter((t) => t.url().includes('/sign/confirm.html')).length;
  await p.close();
  ok(a[0] === false && a[1] === 'EXTENSION_NOT_FOUND' && windows === 0, `https://localhost:${PORT}: available ${a[0]}, sign → ${a[1]}, windows ${windows}`);
  return true;
});

// Each page (and the popup) opened for the guards; a moz-extension page's goto may never settle (BiDi).
async function open(url) {
  const p = await browser.newPage();
  if (url.startsWith('moz-extension:')) { p.goto(url).catch(() => {}); await p.waitForSelector('body[data-ready=yes]', { timeout: 15000 }); } else await p.goto(url);
  return p;
}
function onWindow(fn) {
  let on = true;
  (async () => {
    while (on) {
      for (const p of await browser.pages()) {
        if (seen.has(p)) continue;
        const href = await p.evaluate(() => location.href).catch(() => '');
        if (href.includes('/sign/confirm.html')) { seen.add(p); fn(p); }
      }
      await sleep(150);
    }
  })();
  return () => { on = false; };
}
await guards({
  name: 'Firefox', frames: false, popupUrl: `moz-extension://${UUID}/popup.html`, open, nextWindow, onWindow, restartWorker: null,
  rawRequest: bridgeRequest, // the page API's way in: the content script's bridge
}, { press, ID });

await browser.close();
process.exit(failures() ? 1 : 0);
