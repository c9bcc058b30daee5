// What the Chromium scripts share: launching Debian's Chromium with the extension, opening its pages (the real
// toolbar popup too), screenshots, reading text, logging in, axe-core.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { EXT, CHROME_ID, shotPath, sleep, ok, diag } from './lib.mjs';

export const BASE = `chrome-extension://${CHROME_ID}/`;
export const EXE = fs.existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';

export async function launch(profile, { lang = 'zh-TW' } = {}) {
  const posix = lang.replace('-', '_');
  return chromium.launchPersistentContext(profile, {
    executablePath: EXE,
    headless: true,
    locale: lang,
    ignoreHTTPSErrors: true,
    viewport: { width: 1000, height: 720 },
    env: { ...process.env, LANGUAGE: posix, LANG: `${posix}.UTF-8` },
    args: [`--load-extension=${EXT}`, `--disable-extensions-except=${EXT}`, '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic', `--lang=${lang}`,
      // the revocation page is served by the development RA, whose CA the browser does not know
      '--ignore-certificate-errors'],
  });
}

export async function ready(page) { await page.waitForSelector('body[data-ready=yes]', { timeout: 15000 }); }

export async function open(ctx, file, { width = 1000, height = 720 } = {}) {
  const page = await ctx.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(BASE + file);
  await ready(page);
  return page;
}
export const popup = (ctx) => open(ctx, 'popup.html', { width: 400, height: 640 });

export async function shot(page, name) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
  await page.locator('body').screenshot({ path: shotPath(name) });
}

export async function text(page, sel) { return (await page.locator(sel).first().textContent()) || ''; }

export async function login(page, id, password) {
  await page.fill('#login-id', id);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForFunction(() => !document.querySelector('#login-form') ||
    !document.querySelector('#login-error').hidden, null, { timeout: 20000 });
}

export async function errCode(page, sel) { return page.locator(sel).getAttribute('data-code'); }


// The real toolbar popup (chrome.action.openPopup): Playwright does not list it as a page, so it is driven
// through CDP target messages. Returns {evaluate(expr), click(selector), gone()}; click is a person's click (mouse
// events at the element's centre, where it is on the screen at that moment), not a script's.
export async function realPopup(ctx, sw) {
  const anchor = ctx.pages()[0] || await ctx.newPage();
  await anchor.bringToFront();
  const cdp = await ctx.newCDPSession(anchor);
  const find = async () => (await cdp.send('Target.getTargets')).targetInfos.find((t) => t.url === BASE + 'popup.html' && t.type === 'page');
  await sw.evaluate(() => chrome.action.openPopup());
  let target = null;
  for (let i = 0; i < 50 && !target; i++) { target = await find(); if (!target) await sleep(100); }
  if (!target) throw new Error('the toolbar popup did not open');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let n = 1;
  const waits = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    if (waits.has(m.id)) { waits.get(m.id)(m); waits.delete(m.id); }
  });
  const send = (method, params) => new Promise((res) => {
    const id = n++;
    waits.set(id, res);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
  });
  const evaluate = async (expression) => {
    const m = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    return m.result && m.result.result && m.result.result.value;
  };
  const click = async (sel) => {
    const at = await evaluate(`(() => { const r = document.querySelector(${JSON.stringify(sel)}).getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`);
    const ev = { ...at, button: 'left', clickCount: 1 };
    await send('Input.dispatchMouseEvent', { type: 'mousePressed', ...ev });
    // the click may close the popup: its answer need not come
    await Promise.race([send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...ev }), sleep(1000)]);
  };
  for (let i = 0; i < 100 && (await evaluate('document.body.dataset.ready')) !== 'yes'; i++) await sleep(100);
  return { evaluate, click, gone: async () => !(await find()) };
}

// axe-core in the page: the pages' CSP refuses an added script tag (and eval), so its source goes in through the
// debugger protocol (page.evaluate of the source text). Returns the violations as "rule: target" lines.
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export async function axe(page) {
  if (!(await page.evaluate(() => !!globalThis.axe))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}
export async function noViolations(page, label) {
  const v = await axe(page);
  if (v.length) diag(`axe ${label}: ${v.join(' | ')}`);
  return ok(v.length === 0, `axe: no violation on ${label}`);
}
