// Shared helpers for the end-to-end scripts: TAP output, the RA's test controls (through tests/lib/ra.sh),
// and the host's command list.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
// The build the browsers load: tests/e2e/setup.sh's test_extension (the test pages' hosts granted), else extension/.
export const EXT = process.env.E2E_EXT || path.join(ROOT, 'extension');
export const PAGE_API = path.join(ROOT, 'docs', 'examples', 'ecm-sign.js');
// Runs write to build/screenshots; `E2E_SHOTS=docs/screenshots bash tests/e2e/e2e.t` refreshes the committed ones.
export const SHOTS = process.env.E2E_SHOTS || path.join(ROOT, 'build', 'screenshots');
export const TMP = process.env.E2E_TMP;
export const RA = JSON.parse(fs.readFileSync(process.env.RA_JSON, 'utf8'));
export const CHROME_ID = 'mainajikbmfkgohgpkhpgioaimbggpmo';

let failed = 0;
let commands = null;

export function ok(cond, name) {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
  if (!cond) failed++;
  return !!cond;
}
export function skip(name, why) { console.log(`ok - ${name} # SKIP ${why}`); }
export function diag(s) { for (const l of String(s).split('\n')) console.log('# ' + l); }
export function failures() { return failed; }

export function setCommands(list) { commands = list; }
export function missing(...cmds) { return cmds.filter((c) => !commands || !commands.includes(c)); }

// step(name, fn, {needs}): one TAP line; an exception is a failure with its message as diagnostics.
export async function step(name, fn, opts = {}) {
  const m = missing(...(opts.needs || []));
  if (m.length) { skip(name, `waiting for host command ${m.join(', ')}`); return false; }
  try {
    const r = await fn();
    return ok(r !== false, name);
  } catch (e) {
    ok(false, name);
    diag((e && e.stack) || String(e));
    return false;
  }
}

function raSh(script) {
  return execFileSync('bash', ['-c', `. "${ROOT}/tests/lib/ra.sh"; ${script}`], {
    env: { ...process.env, RA_CA: RA.ra_ca_file, RA_TEST: RA.test_url, RA_API: RA.api_url },
    encoding: 'utf8',
  }).trim();
}
export function raOtp(id) { return raSh(`ra_otp ${id}`); }
export function raClock(days) { raSh(`ra_clock ${Number(days)}`); }
export function account(state, n = 0) { return RA.accounts.filter((a) => a.state === state)[n]; }

export function shotPath(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name + '.png');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export function raFault(p, mode, seconds) { raSh(`ra_fault ${p} ${mode} ${seconds ?? ''}`); }

// Every visible element with text of its own, by computed font size (px), the smallest three first. Works with
// a playwright-core and a puppeteer-core page alike.
export function smallestFonts(page) {
  return page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.offsetParent !== null && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .map((e) => ({ px: parseFloat(getComputedStyle(e).fontSize), what: `${e.tagName.toLowerCase()}#${e.id} "${e.textContent.trim().slice(0, 20)}"` }))
    .sort((a, b) => a.px - b.px).slice(0, 3));
}

// The content script is registered a moment after the extension starts (extension/background/brokers.js): load url
// in page (playwright-core or puppeteer-core) until the page API is heard there; false after ms.
export async function heard(page, url, ms = 30000) {
  for (const until = Date.now() + ms; Date.now() < until;) {
    await page.goto(url);
    if (await page.evaluate(() => ECMSign.available({ timeoutMs: 1500 }))) return true;
  }
  return false;
}

// The customer chooser (extension/lib/whose.js), keyboard only, in Chromium (playwright) or Firefox (puppeteer):
// arrows until who's radio is checked, Tab to the continue button, Enter. true when Tab landed on that button.
export async function pickByKeyboard(page, prefix, who) {
  for (let i = 0; i < 4; i++) {
    const masked = await page.evaluate((p) => document.querySelector(`#${p}-who input:checked`)?.dataset.maskedId, prefix);
    if (masked === who.masked) break;
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Tab');
  const onGo = await page.evaluate((p) => document.activeElement?.id === `${p}-who-go`, prefix);
  await page.keyboard.press('Enter');
  return onGo;
}
