// The manager's customer chooser (lib/whose.js, issue 17 item 2) in Firefox ESR, in English, with the real host:
// two customers' certificates (A's older, B's newer) in the shared Chrome store (Linux's primary store, whichever
// browser starts the host), nobody logged in. 憑證查詢 asks whose and shows the chosen one's card; 憑證備份 asks,
// keyboard only, and its .pfx holds the chosen customer's certificate (openssl). Prints TAP lines; e2e.t numbers them.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { TMP, ok, diag, step, failures, pickByKeyboard } from './lib.mjs';
import { launchFirefox, open, GECKO_ID } from './firefox-lib.mjs';

const A = { id: 'A123456789', masked: 'A12****789' }, B = { id: 'B123456780', masked: 'B12****780' };
const PW = 'Tw-Secure#2026';
const PFX = path.join(TMP, 'ff-whose-a.pfx');
const norm = (s) => String(s).replace(/^0+/, '').toUpperCase();
for (const c of [A, B]) {
  c.serial = norm(execFileSync('openssl', ['x509', '-noout', '-serial', '-in', path.join(TMP, 'cert-' + c.id, 'c.pem')],
    { encoding: 'utf8' }).trim().replace(/^serial=/, ''));
}

// The chooser `prefix` (or the error shown instead, which ends the step): its legend and rows.
async function chooser(page, prefix, errSel) {
  await page.waitForSelector(`#${prefix}-who, ${errSel}`, { timeout: 60000 });
  if (!await page.$(`#${prefix}-who`)) throw new Error(`no chooser; the screen shows ${await page.$eval(errSel, (e) => e.textContent)}`);
  const r = await page.$eval(`#${prefix}-who`, (f) => ({ legend: f.querySelector('legend').textContent,
    rows: [...f.querySelectorAll('li')].map((li) => li.textContent),
    focus: document.activeElement && document.activeElement.type === 'radio' && f.contains(document.activeElement) }));
  diag(`${prefix}: ${r.legend} | ${r.rows.join(' | ')}`);
  r.names = r.rows.some((x) => x.includes(A.masked)) && r.rows.some((x) => x.includes(B.masked));
  return r;
}

async function main() {
  const { browser, id } = await launchFirefox(path.join(TMP, 'firefox-whose-profile'), { 'intl.locale.requested': 'en-US' });
  try {
    ok(id === GECKO_ID, `Firefox: the extension installs as ${GECKO_ID}`);
    await step('Firefox (English): 憑證查詢 without a login asks whose certificate; choosing B shows B\'s card', async () => {
      const m = await open(browser, 'manager.html#query');
      const c = await chooser(m, 'query', '#status-card, #query-error:not([hidden])');
      const picked = await pickByKeyboard(m, 'query', B);
      await m.waitForSelector('#status-card', { timeout: 30000 });
      const serials = await m.$$eval('#status-card dd.serial', (l) => l.map((e) => e.textContent));
      await m.close();
      diag(`card serials ${serials.join(' ')}; B ${B.serial}`);
      return c.names && c.focus && /customers/i.test(c.legend) && picked && serials.map(norm).includes(B.serial);
    });
    await step('Firefox (English): 憑證備份 without a login asks whose; choosing A writes A\'s certificate', async () => {
      const m = await open(browser, 'manager.html#backup');
      await m.type('#bk-pw1', PW);
      await m.type('#bk-pw2', PW);
      await m.type('#bk-path', PFX);
      await m.click('#backup-submit');
      const c = await chooser(m, 'backup', '#backup-error:not([hidden])');
      const before = fs.existsSync(PFX);
      const picked = await pickByKeyboard(m, 'backup', A);
      await m.waitForSelector('#backup-done, #backup-error:not([hidden])', { timeout: 60000 });
      await m.close();
      const subj = fs.existsSync(PFX) ? execFileSync('openssl', ['pkcs12', '-info', '-nokeys', '-in', PFX, '-passin', 'pass:' + PW],
        { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).match(/subject=.*/)[0] : '(no file)';
      diag(`backup: ${subj}`);
      return c.names && c.focus && !before && picked && subj.includes(A.id) && !subj.includes(B.id);
    });
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
}

main().catch((e) => { diag(e.stack || String(e)); process.exit(1); });
