// End-to-end in Firefox ESR (headless, puppeteer-core over WebDriver BiDi) with the real host and the dev RA.
// Firefox runs background.scripts as a non-persistent event page: this also checks that the native port
// (and with it the login) survives the event page's idle timeout. Prints TAP lines; e2e.t numbers them.
import path from 'node:path';
import { launchFirefox, open, GECKO_ID } from './firefox-lib.mjs';
import { TMP, ok, diag, step, setCommands, raOtp, account, shotPath, sleep, smallestFonts } from './lib.mjs';

const IDLE_MS = 2000;
const BACKUP_PW = 'Tw-Secure#2026';

const attr = (page, sel, a) => page.$eval(sel, (e, n) => e.getAttribute(n), a).catch(() => null);
const count = (page, sel) => page.$$eval(sel, (l) => l.length);
const visible = (page, sel) => page.$eval(sel, (e) => !e.hidden && e.offsetParent !== null).catch(() => false);

async function fill(page, sel, value) {
  await page.$eval(sel, (e) => { e.value = ''; });
  await page.type(sel, value);
}

async function login(page, id, pw) {
  await fill(page, '#login-id', id);
  await fill(page, '#login-password', pw);
  await page.click('#login-submit');
  await page.waitForFunction(() => !document.querySelector('#login-form') ||
    !document.querySelector('#login-error').hidden, { timeout: 20000 });
}

function bg(page, cmd) {
  return page.evaluate((c) => new Promise((res) => {
    const port = browser.runtime.connect({ name: 'ecm-ui' });
    port.onMessage.addListener((m) => { if (m.rid === 'x') { res(m.reply); port.disconnect(); } });
    port.postMessage({ rid: 'x', cmd: c });
  }), cmd);
}

async function main() {
  const { browser, id } = await launchFirefox(path.join(TMP, 'firefox-profile'),
    { 'extensions.background.idle.timeout': IDLE_MS, 'intl.locale.requested': 'zh-TW' });
  try {
    ok(id === GECKO_ID, `Firefox: the extension installs as ${GECKO_ID} (got ${id})`);
    const p = await open(browser, 'popup.html', 400, 640);
    const hello = await bg(p, 'hello');
    ok(hello.ok && hello.result.host === 'e-Cert Manager', 'Firefox: hello round trip popup -> event page -> ecm-host');
    setCommands(hello.ok ? hello.result.commands : []);
    const uiLang = await p.evaluate(() => browser.i18n.getUILanguage());
    const btn = await p.$eval('#login-submit', (e) => e.textContent);
    // Debian's firefox-esr-l10n-zh-tw (tests/deps/apt-e2e.txt) is the zh-TW language pack (issue 22 item 12).
    ok(uiLang === 'zh-TW' && btn === '登入', `Firefox in zh-TW: the popup follows the browser's language (${uiLang}: "${btn}")`);
    const m0 = await open(browser, 'manager.html');
    const small = [...await smallestFonts(p), ...await smallestFonts(m0)];
    await m0.close();
    diag(`smallest fonts: ${JSON.stringify(small)}`);
    ok(small.every((x) => x.px >= 14), 'Firefox: no text under 14 px in the popup and the manager, computed (issue 22 item 3)');
    await p.screenshot({ path: shotPath('firefox-popup-login') });

    const acct = account('new', 2) || account('new', 1);
    await step('Firefox: wrong password is refused with WRONG_PASSWORD and the field cleared', async () => {
      await login(p, acct.id, 'Wrong-password');
      const code = await attr(p, '#login-error', 'data-code');
      const left = await p.$eval('#login-password', (e) => e.value);
      return code === 'WRONG_PASSWORD' && left === '';
    }, { needs: ['login'] });

    await step('Firefox: login shows the status card and suggests 憑證申請', async () => {
      await login(p, acct.id, acct.password);
      await p.waitForSelector('#status-card', { timeout: 20000 });
      await p.screenshot({ path: shotPath('firefox-popup-status') });
      return (await attr(p, '#suggest', 'data-suggestion')) === 'apply';
    }, { needs: ['login'] });
    await p.close();

    await step(`Firefox: the login survives the event page's idle timeout (${IDLE_MS} ms) with no page open`, async () => {
      await sleep(IDLE_MS * 3);
      const m = await open(browser, 'manager.html');
      const st = await bg(m, '_state');
      const h = await bg(m, 'hello');
      await m.close();
      diag(`state ${JSON.stringify(st.result && st.result.logged_in)} host logged_in ${h.ok && h.result.logged_in}`);
      return st.ok && st.result.logged_in === true && h.ok && h.result.logged_in === true;
    }, { needs: ['login'] });

    const bk1 = path.join(TMP, 'ffhome', 'firefox-apply.pfx');
    // The wizard: terms, backup, then the OTP last. wrong: first a wrong 6-digit OTP (item 4). replace: the
    // account holds a valid certificate, which the user chooses to supersede (item 1).
    const applyWizard = async (m, backupPath, { wrong = false, replace = false } = {}) => {
      if (replace) {
        await m.waitForSelector('#replace-ask', { timeout: 20000 });
        await m.click('#replace-sure');
        await m.click('#replace-confirm');
      }
      await m.waitForSelector('#terms-agree', { timeout: 20000 });
      await m.click('#terms-agree');
      await m.click('#terms-next');
      await m.waitForSelector('#wiz-pw1');
      await fill(m, '#wiz-pw1', BACKUP_PW);
      await fill(m, '#wiz-pw2', BACKUP_PW);
      await fill(m, '#wiz-path', backupPath);
      await m.click('#backup-next');
      await m.waitForFunction(() => document.querySelector('#otp-sent')?.textContent, { timeout: 20000 });
      if (wrong) {
        const sent = raOtp(acct.id);
        await fill(m, '#otp-code', sent === '000000' ? '111111' : '000000');
        await m.click('#wizard-start');
        await m.waitForSelector('#otp-error:not([hidden])', { timeout: 60000 });
        const code = await attr(m, '#otp-error', 'data-code');
        await sleep(300);
        const same = raOtp(acct.id) === sent;
        const cooldown = await m.$eval('#otp-cooldown', (e) => e.textContent);
        const off = await m.$eval('#otp-resend', (e) => e.disabled);
        await m.click('#otp-back');
        await m.waitForSelector('#wiz-pw1');
        const kept = await m.$eval('#wiz-pw1', (e) => e.value) === BACKUP_PW;
        await m.click('#backup-next');
        await m.waitForSelector('#otp-code');
        diag(`Firefox wrong OTP: ${code} same SMS ${same} cooldown "${cooldown}" resend disabled ${off} kept ${kept}`);
        ok(code === 'OTP_INVALID' && same && /\d/.test(cooldown) && off && kept,
          'Firefox item 4: a wrong OTP comes back to the OTP step, no new SMS, passwords kept, resend cooldown shown');
      }
      await fill(m, '#otp-code', raOtp(acct.id));
      await m.click('#wizard-start');
      await m.waitForSelector('#wizard-done, #wizard-error:not([hidden]), #otp-error:not([hidden])', { timeout: 90000 });
    };

    await step('Firefox: apply with terms + backup + OTP + install', async () => {
      const m = await open(browser, 'manager.html#apply');
      if (await count(m, '#login-form')) await login(m, acct.id, acct.password);
      await applyWizard(m, bk1, { wrong: true });
      const done = await count(m, '#wizard-done');
      const rows = await count(m, '#install-results tbody tr');
      if (!done) diag(await m.$eval('[role=alert]:not([hidden])', (e) => e.dataset.code + ' ' + e.textContent).catch(() => '?'));
      await m.screenshot({ path: shotPath('firefox-apply-result') });
      await m.close();
      return done === 1 && rows >= 1;
    }, { needs: ['login', 'terms', 'otp_request', 'apply'] });

    await step('Firefox item 1: apply with a valid certificate asks first, offers import, replacing needs a tick', async () => {
      const m = await open(browser, 'manager.html#apply');
      await m.waitForSelector('#replace-ask, #terms-agree', { timeout: 20000 });
      const asked = await count(m, '#replace-ask');
      const locked = asked ? await m.$eval('#replace-confirm', (e) => e.disabled) : false;
      const imp = await count(m, '#replace-import');
      await m.screenshot({ path: shotPath('firefox-apply-replace-ask') });
      await m.close();
      return asked === 1 && locked && imp === 1;
    }, { needs: ['login', 'apply', 'session'] });

    await step('Firefox item 3: renew before the window says when it opens, before any SMS', async () => {
      const before = raOtp(acct.id);
      const m = await open(browser, 'manager.html#renew');
      await m.waitForSelector('#wizard-closed, #terms-agree', { timeout: 20000 });
      const code = await attr(m, '#renew-closed', 'data-code');
      const said = await m.$eval('#renew-closed', (e) => e.textContent).catch(() => '');
      await m.close();
      diag(said);
      return code === 'NOT_IN_RENEWAL_WINDOW' && /\d{4}\/\d{2}\/\d{2}/.test(said) && raOtp(acct.id) === before;
    }, { needs: ['login', 'renew', 'session'] });

    await step('Firefox item 5: re-importing a superseded certificate warns and names its status', async () => {
      const m = await open(browser, 'manager.html#apply');
      await applyWizard(m, path.join(TMP, 'ffhome', 'firefox-apply-2.pfx'), { replace: true });
      const replaced = await count(m, '#wizard-done');
      await m.close();
      const i = await open(browser, 'manager.html#import');
      const input = await i.$('#import-file');
      await input.uploadFile(bk1);
      await fill(i, '#import-pw', BACKUP_PW);
      await i.click('#import-submit');
      await i.waitForSelector('#import-stale, #import-offer, #import-error:not([hidden])', { timeout: 30000 });
      const status = await attr(i, '#import-stale', 'data-status');
      const locked = await i.$eval('#import-install', (e) => e.disabled).catch(() => true);
      await i.screenshot({ path: shotPath('firefox-import-superseded') });
      await i.close();
      diag(`replaced ${replaced}, re-import status ${status}, install locked ${locked}`);
      return replaced === 1 && status === 'superseded' && locked;
    }, { needs: ['login', 'apply', 'import', 'list'] });

    await step('Firefox: list shows the new PC certificate as valid', async () => {
      const m = await open(browser, 'manager.html#list');
      await m.waitForSelector('#cert-list, #list-error:not([hidden])', { timeout: 20000 });
      const rows = await m.$$eval('#cert-list tbody tr', (l) => l.map((r) => r.dataset.status + ' ' + r.textContent));
      diag(rows.join('\n'));
      await m.close();
      return rows.some((r) => r.startsWith('valid') && r.includes('PC'));
    }, { needs: ['login', 'list'] });

    await step('Firefox: query shows the matching serial in blue', async () => {
      const q = await open(browser, 'popup.html', 400, 640);
      await q.waitForSelector('#status-card', { timeout: 20000 });
      const match = await attr(q, '#status-card', 'data-match');
      const color = await q.$eval('.serial.match', (e) => getComputedStyle(e).color).catch(() => '');
      // item 11: in Firefox the serial used to overflow its card
      const clipped = await q.$$eval('#status-card .cert, #status-card dd', (l) =>
        l.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.slice(0, 40)));
      await q.screenshot({ path: shotPath('firefox-popup-status') });
      await q.close();
      diag(`clipped: ${JSON.stringify(clipped)}`);
      return match === 'yes' && color === 'rgb(0, 51, 204)' && clipped.length === 0;
    }, { needs: ['login', 'query', 'apply'] });

    await step('Firefox item 2: logged out, query says the broker side is unknown and offers the login', async () => {
      const q = await open(browser, 'popup.html', 400, 640);
      if (await visible(q, '#logout')) { await q.click('#logout'); await q.waitForSelector('#login-form'); }
      await q.close();
      const m = await open(browser, 'manager.html#query');
      await m.waitForSelector('#status-card', { timeout: 20000 });
      const server = await m.$eval('#status-card section.cert', (e) => e.textContent);
      const offer = await count(m, '#query-login-open');
      await m.close();
      diag(server);
      return offer === 1 && !/no valid|沒有有效/i.test(server) && /logged in|尚未登入/i.test(server);
    }, { needs: ['login', 'query'] });
  } finally {
    await browser.close().catch(() => {});
  }
}

main().then(() => process.exit(0), (e) => {
  ok(false, 'firefox script ran to the end');
  diag(e.stack || e);
  process.exit(1);
});
