// Page signing with two brokers (issue 20), the same in Chromium (brokers.mjs, playwright-core) and Firefox ESR
// (brokers-firefox.mjs, puppeteer-core): each broker's order page is signed with its own broker's certificate, and a
// page of an origin no profile lists, or of a listed origin the person did not grant, gets nothing. The adapter `b`:
// open(url) -> page, nextWindow() -> the next confirmation window (ready), onWindow(fn) -> off(), press(w, sel), name.
// Environment: tests/e2e/brokers.sh's BRK_* (origins, serials, CA files).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { ok, step, sleep } from './lib.mjs';
import { serve, cmsSigner } from '../sign/pages.mjs';

const ID = 'A123456789';
const env = process.env;
export const BROKERS = [
  { id: 'brka', origin: env.BRK_A_ORIGIN, serial: env.BRK_A_SERIAL, ca: env.BRK_A_CA },
  { id: 'brkb', origin: env.BRK_B_ORIGIN, serial: env.BRK_B_SERIAL, ca: env.BRK_B_CA },
];

const text = (p, sel) => p.evaluate((q) => (document.querySelector(q)?.textContent || '').trim(), sel);
const ask = (p, data) => p.evaluate((d) => ECMSign.sign({ data: d, customer: 'A123456789' })
  .then((r) => ({ ok: true, cms: r.cms, serial: r.serial }), (e) => ({ code: e.code })), data);

// The content script is registered a moment after the extension starts (background/brokers.js): reload until heard.
export async function heard(p, url, ms = 30000) {
  for (const until = Date.now() + ms; Date.now() < until;) {
    await p.goto(url);
    if (await p.evaluate(() => ECMSign.available({ timeoutMs: 1500 }))) return true;
  }
  return false;
}

export async function brokerPages(b) {
  const N = b.name;
  for (const k of BROKERS) {
    await step(`${N}: ${k.id}'s order page (${k.origin}) is signed with ${k.id}'s certificate and accepted by its RA`, async () => {
      const p = await b.open('about:blank');
      ok(await heard(p, `${k.origin}/order`), `${N}: ${k.origin} is heard (listed by ${k.id}, granted by the test build)`);
      await p.evaluate((id) => {
        for (const [f, v] of [['login-id', id], ['login-password', 'Demo1234'], ['symbol', '2330'], ['lots', '2']]) document.getElementById(f).value = v;
      }, ID);
      const win = b.nextWindow();
      await p.click('#place');
      const w = await win;
      const shown = [await text(w, '#sign-origin'), await text(w, '#sign-serial')];
      ok(shown[0] === k.origin && shown[1] === k.serial, `${N}: the window shows ${k.origin} and ${k.id}'s certificate (${shown.join(', ')})`);
      await b.press(w, '#sign-approve');
      await p.waitForSelector('#result[data-valid]', { timeout: 30000 });
      const valid = await p.evaluate(() => document.getElementById('result').dataset.valid);
      await p.waitForSelector('#orders tbody tr', { timeout: 10000 });
      const row = await p.evaluate(() => Array.from(document.querySelectorAll('#orders tbody tr:last-child td'), (td) => td.textContent));
      ok(valid === 'true' && row[5] === k.serial, `${N}: ${k.id}'s RA accepted the order, signed by serial ${row[5]} (${await text(p, '#result')})`);
      // the same page through the page API: openssl verifies the CMS against this broker's CA only
      const win2 = b.nextWindow();
      const answer = ask(p, `委託 2330 買 1 張 @ ${k.id}`);
      await b.press(await win2, '#sign-approve');
      const r = await answer;
      const other = BROKERS.find((x) => x !== k);
      const mine = r.ok ? cmsSigner(r.cms, k.ca) : { cn: '' };
      const theirs = r.ok ? cmsSigner(r.cms, other.ca) : { cn: '' };
      ok(r.ok && r.serial === k.serial && mine.cn.startsWith(ID) && theirs.cn === '',
        `${N}: openssl cms -verify: ${k.id}'s CA verifies the signer ${mine.cn || r.code}, ${other.id}'s CA does not`);
      await p.close();
      return ok(subjectsOf(k.ca).includes(mine.issuer) && !subjectsOf(other.ca).includes(mine.issuer),
        `${N}: the signer's issuer is ${k.id}'s CA, not ${other.id}'s (${mine.issuer})`);
    });
  }
}
// The subjects of every certificate in a PEM file (a broker's ra_ca_file: its root and issuing CAs).
const subjectsOf = (file) => (fs.readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) || [])
  .map((pem) => execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], { input: pem, encoding: 'utf8' })
    .replace(/^subject=\s*/, '').trim());

// A page that must get nothing: no answer to the page API, no confirmation window.
async function nothing(b, url) {
  let windows = 0;
  const off = b.onWindow(async (w) => { windows++; await w.click('#sign-cancel').catch(() => {}); });
  const p = await b.open(url);
  const avail = await p.evaluate(() => ECMSign.available({ timeoutMs: 2500 }));
  const code = await Promise.race([ask(p, 'x').then((r) => r.code || 'SIGNED'), sleep(8000).then(() => 'no answer')]);
  await sleep(800);
  off();
  await p.close();
  return { avail, code, windows, nothing: avail === false && code === 'EXTENSION_NOT_FOUND' && windows === 0 };
}

export async function strangers(b) {
  const N = b.name;
  const unlisted = await serve(0); // 127.0.0.1: granted by the test build, but listed by no profile
  const ungranted = await serve(new URL(env.BRK_UNGRANTED).port, '127.0.0.2'); // listed by brka, not granted
  await step(`${N}: an origin no broker profile lists gets nothing (${unlisted.origin}, its host granted)`, async () => {
    const r = await nothing(b, `${unlisted.origin}/`);
    return ok(r.nothing, `${N}: available ${r.avail}, sign → ${r.code}, windows ${r.windows}`);
  });
  await step(`${N}: a listed origin the person has not granted gets nothing (${ungranted.origin}, listed by brka)`, async () => {
    const r = await nothing(b, `${ungranted.origin}/`);
    return ok(r.nothing, `${N}: available ${r.avail}, sign → ${r.code}, windows ${r.windows}`);
  });
  unlisted.server.close();
  ungranted.server.close();
}
