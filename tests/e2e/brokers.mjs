// Several brokers in Debian's Chromium (issue 20; tests/e2e/brokers.sh made the fixture): the popup asks which broker
// (two installed), remembers it and shows that broker's certificate after the login; lists the broker whose page the
// person has not allowed; each broker's order page is signed with its own certificate; the reminder names the broker;
// an unlisted and an ungranted origin get nothing. Prints "ok - …" lines; e2e.t numbers them.
import path from 'node:path';
import { TMP, ok, diag, step, failures, shotPath } from './lib.mjs';
import { launch, popup, login, text } from './chromium-lib.mjs';
import { BROKERS, brokerPages, strangers } from './brokers-lib.mjs';

const ID = 'A123456789';
const ctx = await launch(path.join(TMP, 'chromium-brokers'));
const worker = async () => ctx.serviceWorkers()[0] || ctx.waitForEvent('serviceworker', { timeout: 15000 });

await step('the content script is registered for the granted host of the listed origins only', async () => {
  let matches = [];
  for (let i = 0; i < 60 && !matches.includes('https://127.0.0.1/*'); i++) {
    matches = await (await worker()).evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).flatMap((s) => s.matches))
      .catch(() => []);
    if (!matches.length) await new Promise((r) => setTimeout(r, 500));
  }
  return ok(JSON.stringify(matches) === '["https://127.0.0.1/*"]', `registered: ${JSON.stringify(matches)} (127.0.0.2 is listed by brka but not granted)`);
});

await step('popup: a broker chooser with both brokers; the broker whose page is not allowed is listed with a button', async () => {
  const p = await popup(ctx);
  await p.waitForSelector('#login-broker', { timeout: 10000 });
  const options = await p.locator('#login-broker option').evaluateAll((l) => l.map((o) => `${o.value}=${o.textContent}`));
  ok(JSON.stringify(options) === JSON.stringify(['brka=券商 brka', 'brkb=券商 brkb']), `the chooser: ${options.join(', ')}`);
  await p.waitForSelector('#broker-pages:not([hidden]) button', { timeout: 10000 });
  const buttons = await p.locator('#broker-pages button').evaluateAll((l) => l.map((b) => `${b.dataset.broker}=${b.textContent}`));
  await p.locator('body').screenshot({ path: shotPath('popup-brokers') });
  await p.close();
  return ok(JSON.stringify(buttons) === JSON.stringify(['brka=允許 券商 brka 的網頁']), `not yet allowed: ${buttons.join(', ')}`);
});

for (const k of BROKERS) {
  await step(`login at ${k.id}: the popup shows ${k.id}'s certificate of ${ID} (serial ${k.serial})`, async () => {
    const p = await popup(ctx);
    await p.waitForSelector('#login-broker');
    await p.selectOption('#login-broker', k.id);
    await login(p, ID, 'Demo1234');
    const err = await text(p, '#login-error').catch(() => '');
    if (err) diag(`login error: ${err}`);
    await p.waitForSelector('#status-card dd.serial', { timeout: 30000 });
    const serials = await p.locator('#status-card dd.serial').allTextContents();
    await p.waitForFunction((b) => document.querySelector('#who').textContent.endsWith(`・券商 ${b}`), k.id, { timeout: 10000 })
      .catch(() => {});
    const who = await text(p, '#who');
    ok(who.includes(ID) && who.endsWith(`・券商 ${k.id}`), `the login line names the broker: ${who}`);
    await p.click('#logout');
    await p.waitForSelector('#login-form');
    await p.close();
    return ok(serials.length === 2 && serials.every((s) => s === k.serial), `server and local serials: ${serials.join(', ')}`);
  });
}

await step('the chooser starts with the broker of the last login (remembered), not the first', async () => {
  const p = await popup(ctx);
  await p.waitForSelector('#login-broker');
  const v = await p.locator('#login-broker').inputValue();
  await p.close();
  return ok(v === 'brkb', `chosen: ${v}`);
});

const b = {
  name: 'Chromium',
  open: async (url) => { const p = await ctx.newPage(); if (url !== 'about:blank') await p.goto(url); return p; },
  nextWindow: async () => {
    const w = await ctx.waitForEvent('page', { predicate: (p) => p.url().includes('/sign/confirm.html'), timeout: 20000 });
    await w.waitForSelector('body[data-ready=yes]', { timeout: 15000 });
    return w;
  },
  onWindow: (fn) => {
    const on = (p) => { if (p.url().includes('/sign/confirm.html')) fn(p); };
    ctx.on('page', on);
    return () => ctx.off('page', on);
  },
  press: async (w, sel) => {
    if (sel === '#sign-approve') { await w.bringToFront(); await w.waitForSelector('body:not([data-approvable=no])', { timeout: 10000 }); }
    await w.click(sel, { noWaitAfter: true }).catch((e) => { if (!w.isClosed()) throw e; });
  },
};
await brokerPages(b);
await strangers(b);

await step('the reminder names the broker: one entry per (customer, broker), the badge tooltip and the popup say whose and where', async () => {
  // Each broker's RA says its own renewal window at login: only the broker whose window (400 days) covers its
  // certificate (about a year left) is due, whichever of the two expires first.
  const check = (windows) => worker().then((w) => w.evaluate(async (win) => {
    await chrome.storage.local.set({ renewal_windows: win });
    const x = await ecmBackground.checkExpiry();
    return { x, title: await chrome.action.getTitle({}) };
  }, windows));
  const states = (x) => x.customers.map((c) => `${c.broker && c.broker.id}:${c.state}`).sort().join(' ');
  let r = await check({ brkb: 400 });
  ok(states(r.x) === 'brka:ok brkb:renew' && r.title.startsWith('券商 brkb：'),
    `brkb's window only: ${states(r.x)}; the badge tooltip: ${r.title}`);
  r = await check({ brka: 400 });
  ok(states(r.x) === 'brka:renew brkb:ok' && r.title.startsWith('券商 brka：'),
    `brka's window only: ${states(r.x)}; the badge tooltip: ${r.title}`);
  const entries = r.x.customers.map((c) => `${c.broker && c.broker.id}:${c.masked_id}`).sort();
  ok(JSON.stringify(entries) === '["brka:A12****789","brkb:A12****789"]', `expiry entries: ${entries.join(', ')}`);
  const nearest = r.x.nearest && r.x.nearest.broker ? r.x.nearest.broker.id : '?';
  ok(nearest === 'brka' && r.title.includes('A12****789'), `the badge speaks of brka's: ${r.title}`);
  const p = await popup(ctx);
  await p.waitForSelector('#suggest:not([hidden]) p', { timeout: 10000 });
  const note = await text(p, '#suggest p');
  await p.close();
  return ok(note.startsWith(`券商 ${nearest}：`) && note.includes('A12****789'), `the popup's reminder: ${note}`);
});

await ctx.close();
process.exit(failures() ? 1 : 0);
