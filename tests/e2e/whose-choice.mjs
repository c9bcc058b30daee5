// Whose certificate without a login (issue 17 item 2), in Chromium (zh-TW, TZ Asia/Taipei) with the real host: two
// customers' certificates (A's older, B's newer) in the shared Chrome store, nobody logged in. 憑證備份 asks whose
// (both masked IDs, the expiry in local time), keyboard only, and choosing B writes B's certificate and key
// (openssl on the .pfx). 跨瀏覽器憑證安裝 asks too: Escape cancels (nothing installed), choosing A installs A's
// (certutil on the Firefox profile). 憑證查詢 shows the chosen one's card; 憑證簽驗 asks once per run.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TMP, ok, diag, step, failures, pickByKeyboard } from './lib.mjs';
import { launch, open, shot, noViolations } from './chromium-lib.mjs';

const HOME = path.join(TMP, 'whose');
const A = { id: 'A123456789', masked: 'A12****789' }, B = { id: 'B123456780', masked: 'B12****780' };
const PW = 'Tw-Secure#2026';
const PFX = path.join(TMP, 'whose-b.pfx');
const FFDB = 'sql:' + path.join(HOME, '.mozilla/firefox/e2e.default-release');

const sh = (cmd, args, input) => execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
for (const c of [A, B]) {
  const pem = path.join(TMP, 'cert-' + c.id, 'c.pem');
  c.serial = sh('openssl', ['x509', '-noout', '-serial', '-in', pem]).trim().replace(/^serial=/, '');
  c.notAfter = new Date(sh('openssl', ['x509', '-noout', '-enddate', '-in', pem]).trim().replace(/^notAfter=/, ''));
  c.pub = sh('openssl', ['x509', '-noout', '-pubkey', '-in', pem]);
}
const sameSerial = (x, y) => String(x).replace(/^0+/, '').toUpperCase() === String(y).replace(/^0+/, '').toUpperCase();

// The manager's date format (lib/ui.js fmtDate) in this process's time zone (TZ, the browser's too), and in UTC.
function fmt(d, utc) {
  const p = (n) => String(n).padStart(2, '0');
  const g = (f) => d[(utc ? 'getUTC' : 'get') + f]();
  return `${g('FullYear')}/${p(g('Month') + 1)}/${p(g('Date'))} ${p(g('Hours'))}:${p(g('Minutes'))}:${p(g('Seconds'))}`;
}

// The chooser `prefix`: its rows' text, and whether it names both customers with B's expiry in local time.
// An error shown instead (errSel) ends the step at once, naming the error.
async function chooserShows(page, prefix, errSel) {
  await page.waitForSelector(`#${prefix}-who, ${errSel}`, { timeout: 60000 });
  if (!await page.locator(`#${prefix}-who`).count())
    throw new Error(`no chooser; the screen shows ${await page.locator(errSel).first().textContent()}`);
  const legend = await page.locator(`#${prefix}-who legend`).textContent();
  const rows = await page.locator(`#${prefix}-who li`).allTextContents();
  diag(`${prefix}: ${legend} | ${rows.join(' | ')}`);
  const rowB = rows.find((r) => r.includes(B.masked)) || '';
  return { legend, rows, names: rows.some((r) => r.includes(A.masked)) && rowB !== '',
    local: rowB.includes('到期 ' + fmt(B.notAfter, false)) && fmt(B.notAfter, false) !== fmt(B.notAfter, true) };
}

async function backup(ctx) {
  const page = await open(ctx, 'manager.html#backup');
  await page.fill('#bk-pw1', PW);
  await page.fill('#bk-pw2', PW);
  await page.fill('#bk-path', PFX);
  await page.click('#backup-submit');
  const c = await chooserShows(page, 'backup', '#backup-error:not([hidden])');
  await noViolations(page, 'the customer chooser in 憑證備份 (lib/whose.js)');
  ok(c.names, `憑證備份 without a login shows the chooser naming both customers (${A.masked}, ${B.masked})`);
  ok(c.local, `憑證備份: the expiry is in local time (${fmt(B.notAfter, false)}, not UTC ${fmt(B.notAfter, true)})`);
  ok(/多位客戶的憑證/.test(c.legend) && c.rows.every((r) => /Chrome/.test(r)), '憑證備份: a legend asks whose; each row names its store');
  const focus = await page.evaluate(() => document.activeElement?.type === 'radio' && !!document.activeElement.closest('fieldset'));
  ok(focus, '憑證備份: the focus moves to the list (a radio inside the fieldset)');
  ok(!fs.existsSync(PFX), '憑證備份: nothing written while the question is open');
  await shot(page, 'whose-choice-backup');
  await page.locator('#backup-who-0').focus();
  ok(await pickByKeyboard(page, 'backup', B), '憑證備份: keyboard only (arrows, Tab to 繼續, Enter)');
  await page.waitForSelector('#backup-done, #backup-error:not([hidden])', { timeout: 60000 });
  ok(await page.locator('#backup-done').count() === 1, '憑證備份: done after the choice');
  const info = sh('openssl', ['pkcs12', '-info', '-nokeys', '-in', PFX, '-passin', 'pass:' + PW]);
  const subj = (info.match(/subject=.*/) || [''])[0];
  const key = sh('openssl', ['pkcs12', '-nocerts', '-nodes', '-in', PFX, '-passin', 'pass:' + PW]);
  const pub = sh('openssl', ['pkey', '-pubout'], key);
  ok(subj.includes(B.id) && !subj.includes(A.id) && pub === B.pub,
    `憑證備份 chose B: the .pfx holds B's certificate (${subj}) and B's key (openssl pkcs12, pkey -pubout)`);
  await page.close();
}

async function install(ctx) {
  const page = await open(ctx, 'manager.html#install');
  await page.waitForSelector('#inst-stores li[data-store]', { timeout: 20000 });
  await page.click('#install-start');
  const c = await chooserShows(page, 'install', '#install-error:not([hidden])');
  await noViolations(page, 'the customer chooser in 跨瀏覽器憑證安裝');
  ok(c.names && c.local, '跨瀏覽器憑證安裝 without a login shows the chooser too');
  await page.keyboard.press('Escape');
  await page.waitForSelector('#install-who', { state: 'detached', timeout: 5000 });
  const after = await page.evaluate(() => ({ f: document.activeElement?.id, r: !!document.querySelector('#install-results') }));
  const ff = sh('certutil', ['-L', '-d', FFDB]);
  ok(after.f === 'install-start' && !after.r && !/A123456789|B123456780/.test(ff),
    `跨瀏覽器憑證安裝: Escape cancels (focus back on the button: ${after.f}; nothing installed, certutil -L)`);
  await page.click('#install-start');
  await page.waitForSelector('#install-who', { timeout: 60000 });
  await pickByKeyboard(page, 'install', A);
  await page.waitForSelector('#install-results, #install-error:not([hidden])', { timeout: 60000 });
  const ffAfter = sh('certutil', ['-L', '-d', FFDB]);
  // (the nickname may carry the token's name: "NSS Certificate DB:A123456789-00-00::PC001")
  ok(/A123456789-00/.test(ffAfter) && !/B123456780-00/.test(ffAfter),
    '跨瀏覽器憑證安裝 chose A: A\'s certificate, not B\'s, in the Firefox profile (certutil -L)');
  await page.close();
}

async function query(ctx) {
  const page = await open(ctx, 'manager.html#query');
  const c = await chooserShows(page, 'query', '#status-card, #query-error:not([hidden])');
  await noViolations(page, 'the customer chooser in 憑證查詢');
  ok(c.names, '憑證查詢 without a login asks whose certificate to show');
  await pickByKeyboard(page, 'query', B);
  await page.waitForSelector('#status-card', { timeout: 30000 });
  const serial = await page.locator('#status-card dd.serial').last().textContent();
  ok(sameSerial(serial, B.serial), `憑證查詢: the card shows B's certificate (${serial})`);
  await page.close();
}

async function selftest(ctx) {
  const page = await open(ctx, 'manager.html#selftest');
  await page.click('#selftest-run');
  const c = await chooserShows(page, 'selftest', 'body[data-selftest=done] #selftest-table tbody');
  await noViolations(page, 'the customer chooser in 憑證簽驗');
  ok(c.names, '憑證簽驗 without a login asks whose certificate signs');
  await pickByKeyboard(page, 'selftest', A);
  await page.waitForSelector('body[data-selftest=done]', { timeout: 120000 });
  const rows = await page.locator('#selftest-table tbody tr').evaluateAll((trs) => trs.map((tr) =>
    ({ store: tr.dataset.store, result: tr.dataset.result, serial: tr.querySelector('td.mono')?.textContent })));
  diag('self-test: ' + JSON.stringify(rows));
  const pki = rows.find((r) => r.store === 'nss:pki');
  ok(pki && pki.result === 'ok' && sameSerial(pki.serial, A.serial) && await page.locator('#selftest-who').count() === 0,
    '憑證簽驗 chose A: the Chrome store signs with A\'s certificate, asked once');
  await page.close();
}

async function main() {
  const ctx = await launch(path.join(TMP, 'chromium-whose'));
  try {
    await step('憑證備份 asks whose, and backs up the chosen customer\'s', () => backup(ctx));
    await step('跨瀏覽器憑證安裝 asks whose; Escape cancels', () => install(ctx));
    await step('憑證查詢 asks whose', () => query(ctx));
    await step('憑證簽驗 asks whose', () => selftest(ctx));
  } finally {
    await ctx.close();
  }
  process.exit(failures() ? 1 : 0);
}

main().catch((e) => { diag(e.stack || String(e)); process.exit(1); });
