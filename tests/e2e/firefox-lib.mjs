// What the Firefox ESR scripts share: launching it (headless, puppeteer-core over WebDriver BiDi) with the
// extension at a fixed internal UUID, and opening the extension's pages.
import puppeteer from 'puppeteer-core';
import { EXT, diag } from './lib.mjs';

export const GECKO_ID = 'ecert-manager@ecertmanager.org';
const UUID = '3b0a6d5e-8c1f-4f7e-9a51-6c2d1e0f4b7a';
export const BASE = `moz-extension://${UUID}/`;

// Resolves {browser, id}: id is the ID the extension installed as.
export async function launchFirefox(profile, prefs = {}) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }), ...prefs },
    env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1' },
  });
  return { browser, id: await browser.installExtension(EXT) };
}

export async function open(browser, file, width = 1000, height = 720) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  page.on('console', (m) => diag(`console ${file}: ${m.text()}`));
  page.on('pageerror', (e) => diag(`pageerror ${file}: ${e.message}`));
  const go = () => page.goto(BASE + file).catch((e) => {   // may never resolve: wait for the page instead
    if (!/Frame detached/.test(e.message)) diag(`goto ${file}: ${e.message}`);
  });
  go();
  try {
    await page.waitForSelector('body[data-ready=yes]', { timeout: 20000 });
  } catch (e) {
    // Seen once under load: the moz-extension:// navigation never committed. Say so and try once more.
    diag(`${file} not ready: url=${page.url()} body=${await page.evaluate(() => document.body && document.body.innerText.slice(0, 200)).catch((x) => x.message)}; retrying`);
    go();
    await page.waitForSelector('body[data-ready=yes]', { timeout: 20000 });
  }
  return page;
}
