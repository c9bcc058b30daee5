// Issue 22 item 11 in Debian's Chromium with the real host and the development RA, in a home with no certificate:
// the popup's 憑證註銷 opens the broker's revocation page with one click (its buttons appear only where they stay,
// so a click aimed at one lands on it), and 憑證查詢 with no certificate here opens the file dialog at once (the
// manual: 「跳出憑證檔案選取視窗」). The host's dialog is the program e2e.t puts first on its PATH (DISPLAY set): it
// writes down how it was asked and answers with the .pfx a person would choose. Prints TAP lines; e2e.t numbers them.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TMP, ok, diag, step, RA, sleep, account } from './lib.mjs';
import { launch, open, popup, login, text, realPopup, noViolations } from './chromium-lib.mjs';

const DIALOG = path.join(TMP, 'dialog');
const PFX = fs.readFileSync(path.join(DIALOG, 'answer'), 'utf8').trim();
const PFX_SERIAL = execFileSync('openssl', ['pkcs12', '-in', PFX, '-passin', 'pass:p12', '-nokeys', '-clcerts'], { encoding: 'utf8' })
  .match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)[0];
const serialOf = (pem) => execFileSync('openssl', ['x509', '-noout', '-serial'], { input: pem, encoding: 'utf8' })
  .trim().replace(/^serial=0*/, '').toUpperCase();

// Every animation frame from the first one until the popup is ready and a second has passed: where the 憑證註銷
// button is, and whether a person can see it. A button seen at one place and then another is clicked where it was.
function recordRevokeButton() {
  const frames = [];
  globalThis.revokeFrames = frames;
  const t0 = performance.now();
  let readyAt = 0;
  const tick = () => {
    const b = document.querySelector('[data-fn=revoke]');
    const seen = !!b && b.textContent !== '' && b.checkVisibility({ visibilityProperty: true });
    if (b) frames.push({ top: Math.round(b.getBoundingClientRect().top), seen });
    if (document.body && document.body.dataset.ready === 'yes' && !readyAt) readyAt = performance.now();
    if (!readyAt || performance.now() - readyAt < 1000) requestAnimationFrame(tick);
    else globalThis.revokeFramesDone = performance.now() - t0;
  };
  requestAnimationFrame(tick);
}

async function buttonStays(ctx, label) {
  const q = await ctx.newPage();
  await q.setViewportSize({ width: 400, height: 640 });
  await q.addInitScript(recordRevokeButton);
  await q.goto(popupUrl);
  await q.waitForFunction(() => globalThis.revokeFramesDone, null, { timeout: 30000 });
  const frames = await q.evaluate(() => globalThis.revokeFrames);
  await q.close();
  const last = frames[frames.length - 1].top;
  const seenAt = [...new Set(frames.filter((f) => f.seen).map((f) => f.top))];
  diag(`${label}: ${frames.length} frames; the button seen at top ${seenAt.join(', ')} px; settled at ${last} px`);
  return seenAt.length === 1 && seenAt[0] === last;
}

let popupUrl = '';

async function main() {
  const ctx = await launch(path.join(TMP, 'chromium-popup'));
  let sw = ctx.serviceWorkers()[0];
  if (!sw) sw = await ctx.waitForEvent('serviceworker', { timeout: 15000 });
  popupUrl = new URL('popup.html', sw.url()).href;
  const a = account('new', 0);

  await step('item 11: logged out, the popup shows its function buttons only where they stay (no move after the host answers)',
    () => buttonStays(ctx, 'logged out'));

  await step('item 11: the real toolbar popup, logged out: one real click on 憑證註銷 opens the revocation page; the popup closes', async () => {
    const pop = await realPopup(ctx, sw);
    const [tab] = await Promise.all([ctx.waitForEvent('page', { timeout: 15000 }).catch(() => null), pop.click('[data-fn=revoke]')]);
    if (tab) await tab.waitForLoadState('domcontentloaded').catch(() => {});
    await sleep(500);
    const gone = await pop.gone();
    const url = tab ? tab.url() : '(no tab)';
    const form = tab ? await tab.locator('form[action="/revoke"]').count() : 0;
    diag(`opened ${url}; revocation form ${form}; popup closed ${gone}`);
    if (tab) await tab.close();
    return url === RA.revoke_url && form === 1 && gone;
  });

  await step('item 11: logged in (the suggestion banner and the status above them), the buttons still show only where they stay', async () => {
    const q = await popup(ctx);
    await login(q, a.id, a.password);
    await q.waitForSelector('#status-card', { timeout: 20000 });
    await q.close();
    return buttonStays(ctx, 'logged in');
  });

  await step('item 11: the real toolbar popup, logged in: one real click on 憑證註銷 opens the revocation page', async () => {
    const pop = await realPopup(ctx, sw);
    const [tab] = await Promise.all([ctx.waitForEvent('page', { timeout: 15000 }).catch(() => null), pop.click('[data-fn=revoke]')]);
    const url = tab ? tab.url() : '(no tab)';
    diag(`opened ${url}`);
    if (tab) await tab.close();
    return url === RA.revoke_url;
  });

  await step('item 11: 憑證查詢 with no certificate here opens the file dialog at once; the chosen .pfx is checked after its password', async () => {
    fs.rmSync(path.join(DIALOG, 'args'), { force: true });
    const q = await popup(ctx);
    const [m] = await Promise.all([ctx.waitForEvent('page', { timeout: 15000 }).catch(() => null), q.click('[data-fn=query]')]);
    await q.close();
    if (!m) { diag('憑證查詢 opened nothing'); return false; }
    await m.waitForSelector('#query-picked', { timeout: 20000 });
    const args = fs.readFileSync(path.join(DIALOG, 'args'), 'utf8').split('\n');
    const shown = await m.inputValue('#query-path');
    const focus = await m.evaluate(() => document.activeElement && document.activeElement.id);
    await noViolations(m, 'manager, 憑證查詢 with the chosen file');
    await m.fill('#query-pw', 'p12');
    await m.click('#query-pfx-submit');
    await m.waitForSelector('#status-card, #query-error:not([hidden])', { timeout: 20000 });
    const card = await text(m, '#status-card').catch(() => '');
    await m.close();
    const serial = serialOf(PFX_SERIAL);
    diag(`dialog asked with ${args.filter(Boolean).join(' ')}; path shown ${shown}; focus ${focus}; card ${card.slice(0, 160)}`);
    return args.includes('--file-selection') && !args.includes('--save') && shown === PFX && focus === 'query-pw' &&
      card.replace(/[^0-9A-F]/gi, '').toUpperCase().includes(serial);
  });

  await ctx.close();
}

main().then(() => process.exit(0), (e) => {
  ok(false, 'popup-functions script ran to the end');
  diag(e.stack || e);
  process.exit(1);
});
