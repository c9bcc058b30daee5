// 憑證簽驗 end to end in Debian's Chromium (headless, playwright-core from tests/e2e) with the real host and the
// development RA. Prints "ok - …" lines; browser-sign.t numbers them. Needs SIGN_ORIGIN, SIGN_SERIAL, SIGN_ID.
import { createRequire } from 'node:module';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { EXT, PAGE_API, TMP, RA, CHROME_ID, ok, diag, step, failures, shotPath, sleep } from '../e2e/lib.mjs';
import { guards } from './guards.mjs';

const require = createRequire(new URL('../e2e/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const ORIGIN = process.env.SIGN_ORIGIN;
const SERIAL = process.env.SIGN_SERIAL;
const ID = process.env.SIGN_ID;
const PORT = new URL(ORIGIN).port;
const EXE = fs.existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';
const MANAGER = `chrome-extension://${CHROME_ID}/manager.html`;

const ctx = await chromium.launchPersistentContext(path.join(TMP, 'profile'), {
  executablePath: EXE, headless: true, locale: 'zh-TW', ignoreHTTPSErrors: true, viewport: { width: 1000, height: 720 },
  env: { ...process.env, LANGUAGE: 'zh_TW', LANG: 'zh_TW.UTF-8', TZ: 'Asia/Taipei' },
  args: [`--load-extension=${EXT}`, `--disable-extensions-except=${EXT}`, '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    '--lang=zh-TW', '--ignore-certificate-errors'],
});
if (!ctx.serviceWorkers()[0]) await ctx.waitForEvent('serviceworker', { timeout: 15000 });

// A second HTTPS server on 127.0.0.1 (matched by the manifest, NOT in sign_origins), serving the same pages.
const raState = path.dirname(process.env.RA_JSON);
const other = https.createServer({ key: fs.readFileSync(path.join(raState, 'tls-key.pem')), cert: fs.readFileSync(path.join(raState, 'tls.pem')) },
  (req, res) => {
    const lib = fs.readFileSync(PAGE_API);
    if (req.url === '/ecm-sign.js') { res.writeHead(200, { 'Content-Type': 'text/javascript' }); res.end(lib); return; }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><meta charset="utf-8"><title>other</title><script src="/ecm-sign.js"></script><p id="x">other</p>');
  });
await new Promise((r) => other.listen(0, '127.0.0.1', r));
const OTHER = `https://127.0.0.1:${other.address().port}`;

// The confirmation window the next request opens (a page of this context: chrome.windows.create popup).
function nextWindow(timeout = 20000) {
  return ctx.waitForEvent('page', { predicate: (p) => p.url().includes('/sign/confirm.html'), timeout });
}
async function windowReady(w) { await w.waitForSelector('body[data-ready=yes]', { timeout: 15000 }); return w; }
const txt = async (p, sel) => ((await p.locator(sel).first().textContent()) || '').trim();
async function result(page) {
  await page.waitForSelector('#result[data-valid]', { timeout: 30000 });
  return { valid: await page.getAttribute('#result', 'data-valid'), reason: await page.getAttribute('#result', 'data-reason'),
    text: await txt(page, '#result') };
}
// Presses a button of the confirmation window, which closes itself on the click. 簽章 takes a click only once the
// window has had the focus for a moment (and the text was seen): bring it to the front and wait for that.
async function press(w, sel) {
  if (sel === '#sign-approve') {
    await w.bringToFront();
    await w.waitForSelector('body:not([data-approvable=no])', { timeout: 10000 });
  }
  await w.click(sel, { noWaitAfter: true }).catch((e) => { if (!w.isClosed()) throw e; });
}
async function shot(page, name) { await page.screenshot({ path: shotPath(name) }); }

const check = await ctx.newPage();
await step('憑證簽驗 page: 開始簽驗 opens the confirmation window with what the browser reports, the data and the certificate', async () => {
  await check.goto(`${ORIGIN}/sign-check`);
  await check.fill('#login-id', ID);
  await check.fill('#login-password', 'Demo1234');
  const win = nextWindow();
  await check.click('#check');
  const w = await windowReady(await win);
  const origin = await txt(w, '#sign-origin');
  const data = await txt(w, '#sign-data');
  const signed = await txt(check, '#signed-text');
  ok(origin === ORIGIN, `the window shows the origin the browser reported (${origin})`);
  ok(data === signed && /nonce=[0-9a-f]{32}/.test(data), 'the window shows the exact text the page asks to sign, as text');
  ok(await txt(w, '#sign-cn') === `${ID}-00-PC001` && await txt(w, '#sign-serial') === SERIAL,
    `the window names the signing certificate (CN ${ID}-00-PC001, serial ${SERIAL})`);
  ok(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/.test(await txt(w, '#sign-expiry')), 'the window shows the certificate expiry in local time');
  ok(await txt(w, '#sign-store') === 'Chrome/Chromium' && await txt(w, '#sign-masked-id') === 'A12****789', 'the window names the store and the customer (masked ID)');
  ok(/^[0-9a-f]{64}$/.test(await txt(w, '#sign-sha256')), 'the window shows the SHA-256 of the data');
  ok(await w.evaluate(() => document.activeElement && document.activeElement.id) === 'sign-cancel', '取消 has the focus (a stray Enter cancels)');
  await w.setViewportSize({ width: 500, height: 660 });
  await shot(w, 'sign-confirm');
  await press(w, '#sign-approve');
  const r = await result(check);
  ok(r.valid === 'true', `after 簽章 the RA reports ✔ (${r.text})`);
  await shot(check, 'sign-check-ok');
  return true;
});

await step('憑證簽驗 page: 取消 in the window answers CANCELLED, the RA gets nothing', async () => {
  const win = nextWindow();
  await check.click('#check');
  const w = await windowReady(await win);
  await press(w, '#sign-cancel');
  const r = await result(check);
  return r.valid === 'false' && r.reason === 'CANCELLED';
});

await step('closing the window is 取消 too (CANCELLED)', async () => {
  const win = nextWindow();
  await check.click('#check');
  const w = await windowReady(await win);
  await w.close();
  const r = await result(check);
  return r.reason === 'CANCELLED';
});

await step('one pending request per tab: a second one while the window is open is SIGN_BUSY', async () => {
  const win = nextWindow();
  const first = check.evaluate(() => ECMSign.sign({ data: 'first' }).then(() => 'signed', (e) => e.code));
  const w = await windowReady(await win);
  const second = await check.evaluate(() => ECMSign.sign({ data: 'second' }).then(() => 'signed', (e) => e.code));
  ok(second === 'SIGN_BUSY', `the second request of the tab: ${second}`);
  ok(await txt(w, '#sign-data') === 'first', 'the window still shows the first request');
  await press(w, '#sign-cancel');
  return (await first) === 'CANCELLED';
});

await step('the order form: the signed order is verified and listed by the RA', async () => {
  const order = await ctx.newPage();
  order.on('pageerror', (e) => diag(`order page error: ${e}`));
  await order.goto(`${ORIGIN}/order`);
  await order.fill('#login-id', ID);
  await order.fill('#login-password', 'Demo1234');
  await order.fill('#symbol', '2317');
  await order.selectOption('#side', '賣');
  await order.fill('#lots', '3');
  await order.fill('#price', '105.5');
  const win = nextWindow();
  await order.locator('#place').click();
  await order.waitForFunction(() => document.getElementById('result').textContent !== '', null, { timeout: 5000 })
    .catch(() => diag('the order page did not react to the click'));
  const w = await windowReady(await win.catch(async (e) => { diag(`order page: ${await txt(order, '#result')}`); throw e; }));
  const data = await txt(w, '#sign-data');
  ok(data.includes('股票代號: 2317') && data.includes('買賣: 賣') && data.includes('張數: 3') && data.includes('價格: 105.5'),
    'the window shows the order text (股票代號, 買賣, 張數, 價格)');
  await press(w, '#sign-approve');
  const r = await result(order);
  ok(r.valid === 'true', `the RA accepted the order (${r.text})`);
  await order.waitForSelector('#orders tbody tr');
  const row = await order.locator('#orders tbody tr').first().locator('td').allTextContents();
  ok(row[1] === '2317' && row[2] === '賣' && row[3] === '3' && row[4] === '105.5' && row[5] === SERIAL,
    `the accepted orders list it with the signer's serial (${row.join(' | ')})`);
  await shot(order, 'sign-order');
  await order.close();
  return true;
});

await step('a page of another origin gets nothing: no chrome.runtime, no content script, no window', async () => {
  let opened = false;
  const onPage = (p) => { if (p.url().includes('/sign/confirm.html')) opened = true; };
  ctx.on('page', onPage);
  const p = await ctx.newPage();
  // the same RA under another name: not matched by the manifest at all
  await p.goto(`https://localhost:${PORT}/sign-check`);
  const a = await p.evaluate(async () => ({ runtime: typeof (window.chrome && window.chrome.runtime), avail: await ECMSign.available({ timeoutMs: 1500 }),
    code: await ECMSign.sign({ data: 'x' }).then(() => 'signed', (e) => e.code) }));
  ok(a.runtime === 'undefined' && a.avail === false && a.code === 'EXTENSION_NOT_FOUND',
    `https://localhost:${PORT}: chrome.runtime ${a.runtime}, available ${a.avail}, sign → ${a.code}`);
  // matched by the manifest (127.0.0.1) but not in the host's sign_origins: the extension does not answer
  await p.goto(`${OTHER}/`);
  const b = await p.evaluate(() => ECMSign.sign({ data: 'x' }).then(() => 'signed', (e) => e.code));
  const marker = await p.evaluate(() => new Promise((res) => {
    let got = false;
    window.addEventListener('message', (e) => { if (e.data && e.data.ecm_sign === 'reply') got = true; });
    window.postMessage({ ecm_sign: 'request', id: 'probe', ping: true }, location.origin);
    setTimeout(() => res(got), 1000);
  }));
  ok(b === 'EXTENSION_NOT_FOUND' && marker === false, `${OTHER} (not in sign_origins): sign → ${b}, the content script stays silent`);
  await sleep(500);
  ctx.off('page', onPage);
  await p.close();
  return !opened;
});

await step('取消並停止此網站: the site is stopped without a window, and allowed again from the 憑證簽驗 section', async () => {
  const win = nextWindow();
  await check.click('#check');
  const w = await windowReady(await win);
  await press(w, '#sign-block');
  await press(w, '#sign-block-yes');
  ok((await result(check)).reason === 'CANCELLED', 'the request is CANCELLED');
  let opened = false;
  const onPage = (p) => { if (p.url().includes('/sign/confirm.html')) opened = true; };
  ctx.on('page', onPage);
  const again = await check.evaluate(() => ECMSign.sign({ data: 'again' }).then(() => 'signed', (e) => `${e.code}/${e.details.blocked}`));
  await sleep(800);
  ctx.off('page', onPage);
  ok(again === 'CANCELLED/true' && !opened, `a stopped site gets CANCELLED (blocked) with no window (${again}, window ${opened})`);
  const m = await ctx.newPage();
  await m.goto(`${MANAGER}#selftest`);
  await m.waitForSelector('#sign-blocked li');
  ok((await txt(m, '#sign-blocked li code')) === ORIGIN, 'the 憑證簽驗 section lists the stopped site');
  await m.click('#sign-blocked li button');
  await m.waitForSelector('#sign-blocked li', { state: 'detached' });
  await m.close();
  const win2 = nextWindow();
  const p = check.evaluate(() => ECMSign.sign({ data: 'allowed again' }).then(() => 'signed', (e) => e.code));
  const w2 = await windowReady(await win2);
  await press(w2, '#sign-cancel');
  return (await p) === 'CANCELLED';
});

await guards({
  name: 'Chromium', frames: true, popupUrl: `chrome-extension://${CHROME_ID}/popup.html`,
  open: async (url) => { const p = await ctx.newPage(); await p.goto(url); return p; },
  nextWindow: async () => windowReady(await nextWindow()),
  onWindow: (fn) => {
    const on = (p) => { if (p.url().includes('/sign/confirm.html')) fn(p); };
    ctx.on('page', on);
    return () => ctx.off('page', on);
  },
  rawRequest: (msg) => new Promise((res) => chrome.runtime.sendMessage('mainajikbmfkgohgpkhpgioaimbggpmo', msg,
    (x) => res(x && !x.ok ? x.error : { code: x ? 'SIGNED' : 'no answer' }))),
  restartWorker: async (page) => { // as the probe did: through the DevTools protocol
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
  },
}, { press, ID });

await step('the self-test: ✔ for the good stores, ✘ expired / missing / key missing with the fix one click away', async () => {
  const m = await ctx.newPage();
  await m.setViewportSize({ width: 1100, height: 720 });
  await m.goto(`${MANAGER}#list`); // log in first: the self-test then asks the RA too
  await m.waitForSelector('#login-id');
  await m.fill('#login-id', ID);
  await m.fill('#login-password', 'Demo1234');
  await m.click('#login-submit');
  await m.waitForSelector('#login-form', { state: 'detached', timeout: 20000 });
  await m.goto(`${MANAGER}#selftest`);
  await m.waitForSelector('#selftest-run');
  await m.click('#selftest-run');
  await m.waitForSelector('body[data-selftest=done]', { timeout: 60000 });
  const rows = {};
  for (const tr of await m.locator('#selftest-table tbody tr').all()) {
    rows[await tr.getAttribute('data-store')] = { result: await tr.getAttribute('data-result'), text: await tr.locator('td').nth(2).textContent(),
      fix: await tr.locator('a.fix').count() ? await tr.locator('a.fix').getAttribute('href') : null };
  }
  diag(JSON.stringify(rows));
  const ff = (p) => rows[`firefox:home:e2e.${p}`] || {};
  ok(rows['nss:pki']?.result === 'ok' && /券商驗證通過/.test(rows['nss:pki'].text), 'Chromium (nss:pki): ✔, verified locally and by the broker');
  ok(ff('default-release').result === 'ok', 'Firefox default-release: ✔');
  ok(ff('expired').result === 'CERT_EXPIRED' && ff('expired').fix === '#apply', 'Firefox expired: ✘ 憑證已過期, fix: 申請憑證');
  ok(ff('empty').result === 'NO_CERTIFICATE' && ff('empty').fix === '#install', 'Firefox empty: ✘ no certificate, fix: 安裝到此瀏覽器');
  ok(ff('nokey').result === 'KEY_MISSING' && ff('nokey').fix === '#import', 'Firefox nokey: ✘ key missing, fix: 匯入備份');
  await m.locator('main').screenshot({ path: shotPath('sign-selftest') });
  await m.close();
  return true;
});

other.close();
await ctx.close();
process.exit(failures() ? 1 : 0);
