// Where a certificate goes, in Chromium (zh-TW) with the real host, on a family's shared home (tests/e2e/family.sh:
// profiles 爸爸, 媽媽 with a master password, 孩子 holding only the kid's certificate). Dad applies: the wizard lists
// the stores by name, 孩子 unticked, and what is ticked (媽媽 with her master password) is what gets the key. The
// install page's result takes focus. Importing the kid's file warns whose it is before anything is written, and
// the install it offers installs the kid's certificate. Clean-up reports what failed (媽媽's password) as well as
// what it removed, and retries there with the password. Checked from outside with certutil.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { EXT, TMP, RA, CHROME_ID, ok, diag, step, failures, raOtp, raClock, shotPath } from './lib.mjs';
import { noViolations } from './chromium-lib.mjs';

const BASE = `chrome-extension://${CHROME_ID}/`;
const HOME = path.join(TMP, 'family');
const FF = path.join(HOME, '.mozilla/firefox');
const DIR = { 'nss:pki': path.join(HOME, '.pki/nssdb'), 'firefox:home:dad.default': path.join(FF, 'dad.default'),
  'firefox:home:mum.protected': path.join(FF, 'mum.protected'), 'firefox:home:kid.profile': path.join(FF, 'kid.profile') };
const [PKI, DAD, MUM, KID] = Object.keys(DIR);
const DADID = 'A123456789', KIDID = 'E120556786', MPW = 'mum-master-1', KIDPW = 'Kid-Backup-2026';
const BACKUP_PW = 'Tw-Secure#2026';
const EXE = fs.existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';

function launch() {
  return chromium.launchPersistentContext(path.join(TMP, 'chromium-family'), {
    executablePath: EXE, headless: true, locale: 'zh-TW', viewport: { width: 1000, height: 900 },
    env: { ...process.env, LANGUAGE: 'zh_TW', LANG: 'zh_TW.UTF-8' },
    args: [`--load-extension=${EXT}`, `--disable-extensions-except=${EXT}`, '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-TW'],
  });
}

// certutil -L (certificates) or -K (keys, 媽媽's with her master password) of a store: its nicknames' lines.
function listing(store, keys = false) {
  const args = [keys ? '-K' : '-L', '-d', 'sql:' + DIR[store]];
  if (keys && store === MUM) args.push('-f', path.join(TMP, 'family-mpw'));
  try { return execFileSync('certutil', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch (e) { return String(e.stdout || ''); }
}
const holdsKey = (store, id) => new RegExp(`\\s${id}-`).test(listing(store, true));
const holdsCert = (store, id) => new RegExp(`^${id}-`, 'm').test(listing(store));

async function manager(ctx, hash) {
  const page = await ctx.newPage();
  await page.goto(BASE + 'manager.html#' + hash);
  await page.waitForSelector('body[data-ready=yes]', { timeout: 15000 });
  if (await page.locator('#login-form').count()) {
    await page.fill('#login-id', DADID);
    await page.fill('#login-password', 'Demo1234');
    await page.click('#login-submit');
    await page.waitForSelector('#login-form', { state: 'detached', timeout: 20000 });
  }
  return page;
}

async function shot(page, name) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
  await page.locator('body').screenshot({ path: shotPath(name) });
}

const row = (page, prefix, store) => page.locator(`#${prefix}-stores li[data-store="${store}"]`);

async function applyWithChoice(ctx) {
  const page = await manager(ctx, 'apply');
  await page.waitForSelector('#terms-agree', { timeout: 20000 });
  await page.check('#terms-agree');
  await page.click('#terms-next');
  await page.waitForSelector('#wiz-pw1');
  await page.fill('#wiz-pw1', BACKUP_PW);
  await page.fill('#wiz-pw2', BACKUP_PW);
  await page.fill('#wiz-path', path.join(TMP, 'dad.pfx'));
  await page.waitForSelector('#wiz-stores li[data-store]', { timeout: 20000 });
  const labels = await page.locator('#wiz-stores label').allTextContents();
  diag('store choice: ' + labels.join(' | '));
  ok(labels.some((l) => /設定檔「爸爸」/.test(l)) && labels.some((l) => /設定檔「媽媽」/.test(l)) && labels.some((l) => /設定檔「孩子」/.test(l)),
    'apply: the wizard lists each Firefox profile by its name (爸爸, 媽媽, 孩子)');
  const kidBox = row(page, 'wiz', KID).locator('input[type=checkbox]');
  ok(!(await kidBox.isChecked()) && /其他客戶/.test(await row(page, 'wiz', KID).textContent()),
    'apply: 孩子 (only another customer\'s certificate) is unticked by default, and says why');
  ok(await row(page, 'wiz', DAD).locator('input[type=checkbox]').isChecked(), 'apply: 爸爸 (his own, empty) is ticked');
  ok(await row(page, 'wiz', PKI).locator('input[type=checkbox]').isChecked(), 'apply: the shared Chrome store is ticked');
  const mumPw = row(page, 'wiz', MUM).locator('input[type=password]');
  ok(await mumPw.count() === 1, 'apply: 媽媽 (master password) has a password field');
  await mumPw.fill(MPW);
  await noViolations(page, 'the store chooser in the apply wizard (lib/storechoice.js)');
  await shot(page, 'stores-choice-apply');
  await page.click('#backup-next');
  await page.waitForFunction(() => document.querySelector('#otp-sent')?.textContent, null, { timeout: 20000 });
  await page.fill('#otp-code', raOtp(DADID));
  await page.click('#wizard-start');
  await page.waitForSelector('#wizard-done, #wizard-error:not([hidden]), #unsaved-say', { timeout: 120000 });
  ok(await page.locator('#wizard-done').count() === 1, 'apply: done');
  const rows = await page.locator('#install-results tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.dataset.store}=${tr.dataset.status}`));
  diag('install results: ' + rows.join(' '));
  ok(holdsKey(PKI, DADID) && holdsKey(DAD, DADID) && holdsKey(MUM, DADID),
    'apply: certutil -K shows Dad\'s key where ticked: Chrome, 爸爸, 媽媽 (with her master password)');
  ok(!holdsCert(KID, DADID), 'apply: nothing of Dad\'s in 孩子 (unticked), certutil -L');
  await page.close();
}

// Issue 22 item 6: the renew wizard's current-file field is a file it reads, so its hint is not the save hint.
async function renewHint(ctx) {
  raClock(340);   // the renewal window is open; a new login gives the session the RA's new clock
  try {
    const page = await manager(ctx, 'query');
    await page.evaluate((id) => new Promise((res) => {
      const port = chrome.runtime.connect({ name: 'ecm-ui' });
      port.onMessage.addListener((m) => { if (m.rid === 'relogin') { res(m.reply); port.disconnect(); } });
      port.postMessage({ rid: 'relogin', cmd: 'login', args: { id, password: 'Demo1234' } });
    }), DADID);
    await page.goto(BASE + 'manager.html#renew');
    await page.reload();
    await page.waitForSelector('body[data-ready=yes]', { timeout: 15000 });
    await page.waitForSelector('#terms-agree', { timeout: 20000 });
    await page.check('#terms-agree');
    await page.click('#terms-next');
    await page.waitForSelector('#wiz-cur-path', { state: 'attached' });
    const hint = await page.locator('#wiz-cur-path-hint').textContent();
    const placeholder = await page.locator('#wiz-cur-path').getAttribute('placeholder');
    const described = await page.locator('#wiz-cur-path').getAttribute('aria-describedby');
    ok(hint === '留空則使用瀏覽器中的目前憑證。' && !placeholder && described === 'wiz-cur-path-hint',
      `renew: 「目前憑證檔路徑」 says what an empty field means for a file it reads (hint "${hint}", placeholder "${placeholder}")`);
    ok(await page.locator('#wiz-stores').count() === 1, 'renew: the wizard shows the store choice too');
    await page.close();
  } finally {
    raClock(0);
  }
}

async function installFocus(ctx) {
  const page = await manager(ctx, 'install');
  await page.waitForSelector('#inst-stores li[data-store]', { timeout: 20000 });
  ok(!(await row(page, 'inst', KID).locator('input[type=checkbox]').isChecked()), '跨瀏覽器安裝: 孩子 unticked by default');
  await row(page, 'inst', MUM).locator('input[type=checkbox]').uncheck();
  await page.click('#install-start');
  await page.waitForSelector('#install-results', { timeout: 60000 });
  const stores = await page.locator('#install-results tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.store).sort());
  ok(JSON.stringify(stores) === JSON.stringify([DAD, PKI].sort()), `跨瀏覽器安裝: results only for the ticked stores (${stores.join(' ')})`);
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  ok(focused === 'install-results', `跨瀏覽器安裝: focus goes to the result, not the page body (${focused})`);
  await shot(page, 'stores-choice-install');
  await page.close();
}

async function importOther(ctx) {
  const page = await manager(ctx, 'import');
  await page.setInputFiles('#import-file', path.join(TMP, 'kid.pfx'));
  await page.fill('#import-pw', KIDPW);
  await page.click('#import-submit');
  await page.waitForSelector('#import-other, #import-done, #import-error:not([hidden])', { timeout: 30000 });
  const masked = await page.locator('#import-other').getAttribute('data-masked-id').catch(() => null);
  ok(masked === 'E12****786' && /E12\*\*\*\*786/.test(await page.locator('#import-other').textContent()),
    `import of the kid's file while Dad is logged in: a warning naming whose (masked) before anything (${masked})`);
  ok(!holdsCert(PKI, KIDID), 'import: nothing written while the question is open (certutil)');
  await shot(page, 'stores-choice-import-other');
  await page.click('#import-other-yes');
  await page.waitForSelector('#import-done', { timeout: 30000 });
  ok(holdsKey(PKI, KIDID), 'import confirmed: the kid\'s certificate and key in the Chrome store');
  await page.waitForSelector('#imp-stores li[data-store]', { timeout: 20000 });
  await noViolations(page, 'the store chooser import offers (lib/storechoice.js)');
  for (const s of [MUM, KID]) {
    const box = row(page, 'imp', s).locator('input[type=checkbox]');
    if (await box.count()) await box.uncheck();
  }
  await row(page, 'imp', DAD).locator('input[type=checkbox]').check();
  await page.click('#import-install');
  await page.waitForSelector('#import-install-slot #install-results', { timeout: 60000 });
  const st = await page.locator(`#install-results tr[data-store="${DAD}"]`).getAttribute('data-status');
  ok(st === 'installed' && holdsKey(DAD, KIDID),
    `import's offered install put the imported (kid's) certificate into 爸爸, not Dad's own (${st}; certutil -K)`);
  await page.close();
}

async function cleanupReport(ctx) {
  // Dad's certificate revoked at the broker: it is stale wherever it is.
  const serial = JSON.parse(execFileSync('curl', ['-sS', '--cacert', RA.ra_ca_file, '-u', `${DADID}:Demo1234`,
    RA.api_url + '/account'], { encoding: 'utf8' })).current_pc_cert?.serial;
  execFileSync('curl', ['-sS', '--cacert', RA.ra_ca_file, '-u', `${DADID}:Demo1234`, '-H', 'Content-Type: application/json',
    '-d', JSON.stringify({ serial, reason: 'keyCompromise' }), RA.api_url + '/revoke'], { encoding: 'utf8' });
  const page = await manager(ctx, 'cleanup');
  await page.waitForSelector('#cleanup-yes, #cleanup-none, #cleanup-page-error:not([hidden])', { timeout: 30000 });
  await page.click('#cleanup-yes');
  await page.waitForSelector('#cleanup-done', { timeout: 60000 });
  const failed = await page.locator('#cleanup-failed li').evaluateAll((lis) => lis.map((li) => `${li.dataset.store}=${li.dataset.code}`));
  const removed = await page.locator('#cleanup-removed li').count();
  diag(`cleanup: removed ${removed}, failed ${failed.join(' ')}; ${await page.locator('#cleanup-done').textContent()}`);
  ok(removed === 2 && failed.length === 1 && failed[0] === `${MUM}=STORE_PASSWORD_REQUIRED` && /1 處未能移除/.test(await page.locator('#cleanup-done').textContent()),
    'cleanup: the screen shows the removals (Chrome, 爸爸) and the failure in 媽媽 (STORE_PASSWORD_REQUIRED)');
  ok(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'cleanup-done', 'cleanup: focus on the result');
  await shot(page, 'stores-choice-cleanup');
  await page.locator(`#cleanup-failed li[data-store="${MUM}"] input[type=password]`).fill(MPW);
  await page.locator(`#cleanup-failed li[data-store="${MUM}"] button`).click();
  await page.waitForSelector(`#cleanup-failed li[data-store="${MUM}"][data-code=OK]`, { timeout: 30000 });
  ok(!holdsKey(MUM, DADID) && !holdsKey(PKI, DADID) && !holdsKey(DAD, DADID),
    'cleanup retried with 媽媽\'s master password: Dad\'s revoked certificate gone from every store (certutil -K)');
  await page.close();
}

async function main() {
  const ctx = await launch();
  try {
    await step('store choice in the apply wizard', () => applyWithChoice(ctx));
    await step('the renew wizard\'s current-file hint', () => renewHint(ctx));
    await step('跨瀏覽器安裝 with the store choice', () => installFocus(ctx));
    await step('import of another customer\'s file', () => importOther(ctx));
    await step('clean-up reports failures and removals', () => cleanupReport(ctx));
  } finally {
    await ctx.close();
  }
  process.exit(failures() ? 1 : 0);
}

main().catch((e) => { diag(e.stack || String(e)); process.exit(1); });
