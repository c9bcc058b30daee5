// What the Chromium scripts share (chromium.mjs, chromium-flows.mjs): launching Debian's Chromium with the
// extension, opening its pages, screenshots, reading text, logging in.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import { EXT, CHROME_ID, shotPath } from './lib.mjs';

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

