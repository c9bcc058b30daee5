// Issue 22 (flows, round 2) and issue 17 item 4 (the reminder covers every customer) in Debian's Chromium, with
// the real host and the development RA, in a profile of its own whose home holds two customers' certificates
// (e2e.t puts them there: A's with 24 days left, B's newer one with 364). axe-core checks every state it shows.
// Prints TAP lines; e2e.t numbers them.
import fs from 'node:fs';
import path from 'node:path';
import { TMP, ok, diag, step, setCommands, account, sleep, smallestFonts } from './lib.mjs';
import { launch, open, popup, shot, text, login, noViolations } from './chromium-lib.mjs';

const HOME = path.join(TMP, 'home3');
const BACKUP_PW = 'Tw-Secure#2026';

function bgCall(page, cmd) {
  return page.evaluate((c) => new Promise((res) => {
    const port = chrome.runtime.connect({ name: 'ecm-ui' });
    port.onMessage.addListener((m) => { if (m.rid === 'x') { res(m.reply); port.disconnect(); } });
    port.postMessage({ rid: 'x', cmd: c });
  }), cmd);
}

async function main() {
  const ctx = await launch(path.join(TMP, 'chromium-profile-flows'));
  const p = await popup(ctx);
  const hello = await bgCall(p, 'hello');
  setCommands(hello.ok ? hello.result.commands : []);
  const a = account('new', 0);
  const other = account('other_devices');

  await step('issue 17 item 4: with two customers the reminder badge shows the nearer expiry and whose it is', async () => {
    const r = (await bgCall(p, '_check_expiry')).result;
    const badge = await p.evaluate(() => chrome.action.getBadgeText({}));
    const title = await p.evaluate(() => chrome.action.getTitle({}));
    diag(`check: ${JSON.stringify(r)} badge=${badge} title=${title}`);
    // Logged out, the popup's banner says whose and when (the local date of A's expiry).
    const q = await popup(ctx);
    await q.waitForSelector('#suggest:not([hidden])', { timeout: 10000 });
    const banner = await text(q, '#suggest');
    const date = r && r.nearest ? await q.evaluate((iso) => new Date(iso).toLocaleDateString(chrome.i18n.getUILanguage()), r.nearest.not_after) : '?';
    diag(`banner: ${banner} (date ${date})`);
    await shot(q, 'reminder-two-customers');
    await noViolations(q, 'popup, logged out, with the reminder banner');
    await q.close();
    const m = await open(ctx, 'manager.html');
    const mBanner = await text(m, '#remind-banner').catch(() => '');
    await noViolations(m, 'manager start page with the reminder banner');
    await m.close();
    diag(`manager banner: ${mBanner}`);
    if (!/A12\*{4}789/.test(mBanner) || !mBanner.includes(date)) return false;
    return r.state === 'renew' && /^2[34]$/.test(badge) && /A12\*{4}789/.test(title) && title.includes(date) &&
      /A12\*{4}789/.test(banner) && banner.includes(date) && !/B12\*{4}780/.test(banner) &&
      r.customers.length === 2 && r.customers[1].masked_id === 'B12****780';
  });

  await step('issue 22 item 3: no text under 14 px (popup and manager, computed)', async () => {
    const pm = await open(ctx, 'manager.html');
    const small = [...await smallestFonts(p), ...await smallestFonts(pm)];
    diag(JSON.stringify(small));
    await noViolations(pm, 'manager start page');
    await pm.close();
    return small.every((x) => x.px >= 14);
  });

  await step('issue 22 item 4: the 5th wrong password says the account is locked (not "0 attempts left")', async () => {
    const q = await popup(ctx);
    const said = [];
    for (let i = 0; i < 5; i++) {
      await login(q, 'F131104093', 'wrong-password');
      said.push(await text(q, '#login-error'));
    }
    diag(said.join(' / '));
    await noViolations(q, 'popup, login refused');
    await q.close();
    return /鎖定/.test(said[4]) && !/0 次/.test(said[4]) && /再錯 1 次|1 次/.test(said[3]);
  });

  await step('issue 22 item 2: a second 憑證備份 keeps the first file; the overwrite question focuses 取消, Escape cancels, passwords kept', async () => {
    const q = await popup(ctx);
    await login(q, a.id, a.password);
    await q.waitForSelector('#who:not([hidden])', { timeout: 20000 });
    await q.close();
    const m = await open(ctx, 'manager.html#backup');
    await m.waitForSelector('#bk-pw1', { timeout: 20000 });
    const run = async (where) => {
      await m.fill('#bk-pw1', BACKUP_PW);
      await m.fill('#bk-pw2', BACKUP_PW);
      await m.fill('#bk-path', where);
      await m.click('#backup-submit');
      await m.waitForSelector('#backup-done, #backup-exists, #backup-error:not([hidden])', { timeout: 30000 });
    };
    await run('');
    const first = await text(m, '#backup-path');
    await run('');
    const second = await text(m, '#backup-path');
    const asked1 = await m.locator('#backup-exists').count();
    if (asked1) await m.click('#backup-keep');
    diag(`default backups: ${first} / ${second} / asked ${asked1}`);
    const existing = path.join(HOME, 'exists.pfx');
    fs.writeFileSync(existing, 'the apply backup');
    await run(existing);
    const asked = await m.locator('#backup-exists').count();
    const focused = await m.evaluate(() => document.activeElement && document.activeElement.id);
    await noViolations(m, 'backup, overwrite question');
    await m.keyboard.press('Escape');
    await sleep(300);
    const gone = (await m.locator('#backup-exists').count()) === 0;
    const kept = (await m.inputValue('#bk-pw1')) === BACKUP_PW && (await m.inputValue('#bk-pw2')) === BACKUP_PW;
    diag(`asked ${asked}, focus ${focused}, Escape closed ${gone}, passwords kept ${kept}`);
    await m.close();
    return /-2\.pfx/.test(second) && !asked1 && second !== first && asked === 1 && focused === 'backup-keep' && gone && kept &&
      fs.readFileSync(existing, 'utf8') === 'the apply backup';
  });

  // A customer whose certificates are all on phones (the RA's other_devices account), logged in from the popup.
  let focus = '';
  await step('issue 22 item 7: a customer whose certificates are all on phones is not told 「您尚未申請憑證」', async () => {
    const q = await popup(ctx);
    if (await q.locator('#logout:visible').count()) { q.once('dialog', (d) => d.accept()); await q.click('#logout'); }
    await q.waitForSelector('#login-id', { timeout: 20000 });
    await login(q, other.id, other.password);
    await q.waitForSelector('#status-card', { timeout: 20000 });
    focus = await q.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
    await q.waitForSelector('#suggest:not([hidden])', { timeout: 10000 });
    const suggest = await text(q, '#suggest');
    await noViolations(q, 'popup, logged in');
    await q.close();
    diag(`suggestion: ${suggest}`);
    return /其他裝置/.test(suggest) && !/尚未申請/.test(suggest);
  });

  await step('issue 22 item 8: after the popup\'s login the focus is on the status, not the page body', async () => {
    diag(`focus after login: ${focus}`);
    return focus === 'status-title';
  });

  await step('issue 22 items 5, 13: 用戶憑證清單 shows 憑證效期迄 without scrolling (1000 px, 1366×768), 登出 not clipped; axe (landmark-unique)', async () => {
    const res = [];
    for (const [width, height] of [[1000, 720], [1366, 768]]) {
      const m = await open(ctx, 'manager.html#list', { width, height });
      await m.waitForSelector('#cert-list', { timeout: 20000 });
      res.push(await m.evaluate(() => {
        const wrap = document.querySelector('.tablewrap');
        const last = document.querySelector('#cert-list thead th:last-child').getBoundingClientRect();
        const out = document.querySelector('#logout').getBoundingClientRect();
        return { scrolls: wrap.scrollWidth > wrap.clientWidth + 1, lastRight: Math.round(last.right),
          wrapRight: Math.round(wrap.getBoundingClientRect().right), logoutRight: Math.round(out.right),
          page: document.documentElement.clientWidth, rows: document.querySelectorAll('#cert-list tbody tr').length };
      }));
      if (width === 1000) await noViolations(m, 'manager, 用戶憑證清單');
      await m.close();
    }
    diag(`list: ${JSON.stringify(res)}`);
    return res.every((r) => r.rows > 0 && !r.scrolls && r.lastRight <= r.wrapRight + 2 && r.logoutRight <= r.page);
  });

  await step('issue 22 items 8, 9: the self-test keeps the focus, its heading is the menu\'s words, its table is styled with the serial named as such', async () => {
    const m = await open(ctx, 'manager.html#selftest');
    await m.waitForSelector('#selftest-run');
    await m.click('#selftest-run');
    await m.waitForSelector('body[data-selftest=done]', { timeout: 60000 });
    const r = await m.evaluate(() => ({
      focus: document.activeElement && document.activeElement.id,
      heading: document.querySelector('#section-title').textContent,
      nav: document.querySelector('nav.side a[href="#selftest"]').textContent,
      heads: [...document.querySelectorAll('#selftest-table th')].map((th) => th.textContent),
      thBg: getComputedStyle(document.querySelector('#selftest-table th')).backgroundColor,
      emptyCells: [...document.querySelectorAll('#selftest-table tbody td')].filter((td) => !td.textContent.trim()).length,
    }));
    await noViolations(m, 'manager, 憑證簽驗 after a run');
    await m.close();
    diag(JSON.stringify(r));
    return r.focus === 'selftest-run' && r.heading === r.nav && !r.heads.includes('S/N') && r.heads.includes('憑證序號') &&
      r.thBg !== 'rgba(0, 0, 0, 0)' && r.emptyCells === 0;
  });

  await step('issue 22 item 10: 「密碼強度」 says nothing before anything is typed', async () => {
    const m = await open(ctx, 'manager.html#backup');
    await m.waitForSelector('#bk-pw1', { timeout: 20000 });
    const before = await text(m, '#bk-strength-text');
    await m.fill('#bk-pw1', 'abc');
    const after = await text(m, '#bk-strength-text');
    await noViolations(m, 'manager, 憑證備份');
    await m.close();
    diag(`strength before typing "${before}", after "${after}"`);
    return before === '' && after === '太弱';
  });

  await ctx.close();

  // English: one name per function (issue 22 item 9): the self-test's heading is its menu item, distinct from 憑證查詢's.
  const en = await launch(path.join(TMP, 'chromium-profile-flows'), { lang: 'en-US' });
  await step('issue 22 item 9 (English): the self-test heading is the menu\'s "Signature check", not "Certificate check" beside "Check certificate"', async () => {
    const m = await open(en, 'manager.html#selftest');
    const r = await m.evaluate(() => ({ heading: document.querySelector('#section-title').textContent,
      nav: document.querySelector('nav.side a[href="#selftest"]').textContent,
      query: document.querySelector('nav.side a[href="#query"]').textContent,
      heads: [...document.querySelectorAll('#selftest-table th')].map((th) => th.textContent) }));
    await m.close();
    diag(JSON.stringify(r));
    return r.heading === r.nav && r.heading !== 'Certificate check' && r.query !== r.heading && !r.heads.includes('S/N');
  });
  await en.close();
}

main().then(() => process.exit(0), (e) => {
  ok(false, 'chromium-flows script ran to the end');
  diag(e.stack || e);
  process.exit(1);
});
