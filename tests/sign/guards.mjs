// Issue 19 and issue 17 item 3 in a real browser: what a page on an allowed origin can no longer do to the signing
// window, and page signing by customer. chromium-sign.mjs (playwright-core) and firefox-sign.mjs (puppeteer-core)
// call it with an adapter `b` over their driver: open(url), nextWindow() (the next confirmation window, ready),
// onWindow(fn) → off() (fn(page) for each confirmation window that opens), popupUrl, rawRequest (a page function
// that sends one raw message the way the page API does), restartWorker(page) or null, frames (whether the browser
// delivers framed requests at all), name (for the TAP lines).
import { ok, step as runStep, sleep, diag, shotPath } from '../e2e/lib.mjs';
import { serve, signerCn, addB, removeB, HIDDEN_CHARS, INVISIBLE_TEXT, BLANK_TEXT, LONG_TEXT } from './pages.mjs';

export async function guards(b, { press, ID }) {
  // the text of a selector, '' when absent (no driver wait: a window of an older build may lack it)
  const txt = (w, sel) => w.evaluate((q) => (document.querySelector(q)?.textContent || '').trim(), sel);
  const b2 = await serve(process.env.SIGN_PORT2);
  const b3 = await serve(process.env.SIGN_PORT3);
  const other = await serve(0); // its host granted to the test build, not in sign_origins
  const O2 = b2.origin, O3 = b3.origin;
  const N = b.name;
  const shot = (w, name) => w.screenshot({ path: shotPath(N === 'Chromium' ? name : `${name}-firefox`) }).catch(() => {});
  const ask = (frame, data, extra = {}) => frame.evaluate(([d, x]) => ECMSign.sign({ data: d, ...x })
    .then((r) => ({ ok: true, cms: r.cms, serial: r.serial }), (e) => ({ code: e.code, details: e.details })), [data, extra]);
  const open = (url) => b.open(url);
  // Runs fn; a confirmation window it opens within ms is counted and cancelled (so a failing check cannot hang).
  async function windowsDuring(fn, ms = 2500) {
    let n = 0;
    const off = b.onWindow(async (p) => {
      n++;
      await p.waitForSelector('body[data-ready=yes]').catch(() => {});
      await p.click('#sign-cancel').catch(() => {});
    });
    const r = await Promise.race([fn(), sleep(ms).then(() => ({ code: 'no answer' }))]);
    await sleep(800);
    off();
    return { r, windows: n };
  }
  const opened = []; // every window a step opened: closed (取消) after the step, so one failure cannot block the next
  async function requestWindow(page, data, extra) {
    const win = b.nextWindow();
    const answer = ask(page, data, extra);
    const w = await win;
    opened.push(w);
    return { w, answer };
  }
  const step = (name, fn) => runStep(`${N}: ${name}`, async () => {
    try { return await fn(); } finally {
      for (const w of opened.splice(0)) if (!w.isClosed()) await w.close().catch(() => {});
      await sleep(300);
    }
  });
  const disabled = (w) => w.evaluate(() => document.getElementById('sign-approve').disabled);
  const approvable = (w, timeout = 10000) => w.waitForSelector('body:not([data-approvable=no])', { timeout }).then(() => true, () => false);
  async function frameOf(p, origin) {
    for (let i = 0; i < 50; i++) { const f = p.frames().find((x) => x.url().startsWith(origin)); if (f) return f; await sleep(100); }
    throw new Error(`no frame of ${origin}`);
  }

  const p2 = await open(`${O2}/`);

  if (b.restartWorker) await step('#1 a restarted service worker matches no old window: 簽章 there says the request is gone and signs nothing', async () => {
    await b.restartWorker(p2); // a fresh worker: before the fix its first request is "1", as the next one's will be
    await sleep(500);
    const { w: old, answer: first } = await requestWindow(p2, '委託 2330 買 1 張');
    await old.bringToFront();
    await approvable(old);
    await b.restartWorker(p2);
    const r1 = await first;
    ok(r1.code && r1.code !== 'CANCELLED', `the page's request ends with the worker (${r1.code})`);
    const { w: neu, answer: second } = await requestWindow(p2, '委託 2330 賣 499 張');
    await press(old, '#sign-approve');
    const gone = await old.waitForSelector('#sign-gone', { timeout: 5000 }).then(() => true, () => false);
    ok(gone, 'the old window says the request is gone');
    if (gone) await shot(old, 'sign-gone');
    await sleep(500);
    ok(!neu.isClosed(), 'the new request\'s window is still open, undecided');
    await press(neu, '#sign-cancel');
    const r2 = await second;
    ok(r2.code === 'CANCELLED', `the new request was not signed by the old window (${r2.ok ? 'SIGNED' : r2.code})`);
    return gone && r2.code === 'CANCELLED';
  });

  await step('#1 the approval carries the request id and the hash of the shown bytes: a wrong hash signs nothing', async () => {
    const { w, answer } = await requestWindow(p2, 'hash check');
    const id = await w.evaluate(() => location.hash.slice(1));
    ok(/^[0-9a-f]{32}$/.test(id), `the request id is 128 random bits (${id})`);
    const r = await w.evaluate((rid) => (globalThis.browser ?? globalThis.chrome).runtime.sendMessage({ type: 'ecm-sign-decide', id: rid, approve: true, sha256: '0'.repeat(64) }), id);
    ok(r && r.ok === false, 'an approval with another hash is refused');
    await press(w, '#sign-cancel');
    return (await answer).code === 'CANCELLED';
  });

  await step('#2 an opaque ("null") origin on the broker\'s site gets nothing (no fallback to the page URL)', async () => {
    const p = await open(`${O2}/sandboxed`);
    const origin = await p.evaluate(() => String(self.origin));
    const { r, windows } = await windowsDuring(() => ask(p, '委託 sandboxed'));
    await p.close();
    ok(origin === 'null', `the sandboxed page's origin is ${origin}`);
    return ok(!r.ok && windows === 0, `no window, no signature (${r.code}, windows ${windows})`);
  });

  if (b.frames) await step('#2 a framed request shows the frame\'s origin and the top-level site', async () => {
    const p = await open(`${O3}/frame?src=${encodeURIComponent(`${O2}/`)}`);
    const frame = await frameOf(p, O2);
    await frame.waitForFunction(() => typeof ECMSign === 'object');
    const { w, answer } = await requestWindow(frame, 'framed order');
    const shown = [await txt(w, '#sign-origin'), await w.evaluate(() => document.getElementById('sign-top')?.textContent || '')];
    await shot(w, 'sign-framed');
    await press(w, '#sign-cancel');
    await answer;
    await p.close();
    return ok(shown[0] === O2 && shown[1] === O3, `frame ${shown[0]}, top-level site ${shown[1]}`);
  });

  await step('#2 a broker frame under another top-level site gets nothing', async () => {
    const p = await open(`${other.origin}/frame?src=${encodeURIComponent(`${O2}/`)}`);
    const frame = await frameOf(p, O2);
    await frame.waitForFunction(() => typeof ECMSign === 'object');
    const { r, windows } = await windowsDuring(() => ask(frame, 'framed elsewhere'));
    await p.close();
    return ok(!r.ok && windows === 0, `no window, no signature (${r.code}, windows ${windows})`);
  });

  await step('#3 簽章 is disabled when the window opens and enabled only a moment after it has the focus', async () => {
    const { w, answer } = await requestWindow(p2, 'short order');
    const atOnce = await disabled(w);
    await w.bringToFront();
    await approvable(w);
    const waited = Number(await w.evaluate(() => document.body.dataset.focusedFor));
    await press(w, '#sign-cancel');
    await answer;
    diag(`簽章 disabled when the driver first looked: ${atOnce} (a slow driver may look after the delay)`);
    return ok(waited >= 1000, `enabled only after ${waited} ms with the focus (the window measures it)`);
  });

  await step('#3 a text longer than the box: 簽章 only after scrolling to its end', async () => {
    const { w, answer } = await requestWindow(p2, LONG_TEXT);
    await w.bringToFront();
    await sleep(2500);
    const before = await disabled(w);
    const hint = await txt(w, '#sign-hint');
    await w.evaluate(() => { const p = document.getElementById('sign-data'); p.scrollTop = p.scrollHeight; });
    const after = await approvable(w, 5000);
    await press(w, '#sign-cancel');
    await answer;
    ok(before === true && hint !== '', `before scrolling: disabled, "${hint}"`);
    return ok(before === true && after, 'after scrolling to the end: enabled');
  });

  await step('#3 300 blank lines are collapsed and counted: the last 張數 line is on screen', async () => {
    const { w, answer } = await requestWindow(p2, BLANK_TEXT);
    const m = await w.evaluate(() => {
      const p = document.getElementById('sign-data');
      const mark = p.querySelector('mark.blank-run');
      return { lines: mark && mark.dataset.lines, fits: p.scrollHeight <= p.clientHeight + 2, last: p.textContent.trim().endsWith('張數: 499') };
    });
    await shot(w, 'sign-blank-lines');
    await press(w, '#sign-cancel');
    await answer;
    return ok(m.lines === '299' && m.fits && m.last, `one marked line for ${m.lines} blank lines, the whole text fits (${m.fits}), 張數: 499 visible`);
  });

  await step('#4 every invisible character, separator, BOM and look-alike space is shown marked', async () => {
    const { w, answer } = await requestWindow(p2, INVISIBLE_TEXT);
    const m = await w.evaluate(() => {
      const p = document.getElementById('sign-data');
      return { marks: Array.from(p.querySelectorAll('mark.invisible'), (e) => e.title), raw: p.textContent };
    });
    await shot(w, 'sign-invisible');
    await press(w, '#sign-cancel');
    await answer;
    const want = ['\ufeff', ...HIDDEN_CHARS].map((c) => `U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    const rawLeft = ['\ufeff', ...HIDDEN_CHARS].filter((c) => m.raw.includes(c));
    return ok(JSON.stringify(m.marks) === JSON.stringify(want) && rawLeft.length === 0, `marked: ${m.marks.join(' ')}; unmarked left: ${rawLeft.length}`);
  });

  await step('#5 Escape cancels', async () => {
    const { w, answer } = await requestWindow(p2, 'escape');
    await w.keyboard.press('Escape').catch(() => {}); // the window closes itself
    const r = await Promise.race([answer, sleep(5000).then(() => ({ code: 'still waiting' }))]);
    return ok(r.code === 'CANCELLED', `Escape → ${r.code}`);
  });

  await step('#5 tab order is the visual order; the expiry in local time; the store by its name', async () => {
    const { w, answer } = await requestWindow(p2, 'order of things');
    await w.bringToFront();
    await approvable(w);
    const r = await w.evaluate(() => {
      const focusable = Array.from(document.querySelectorAll('button, input, pre[tabindex], a[href]'))
        .filter((e) => !e.disabled && e.offsetParent !== null);
      const visual = [...focusable].sort((a, b) => { const x = a.getBoundingClientRect(), y = b.getBoundingClientRect(); return x.top - y.top || x.left - y.left; });
      return { visual: visual.map((e) => e.id), expiry: document.getElementById('sign-expiry').textContent, store: document.getElementById('sign-store').textContent };
    });
    await w.click('h1'); // the keyboard starts from the top of the window
    const order = [];
    for (let i = 0; i < r.visual.length; i++) { await w.keyboard.press('Tab'); order.push(await w.evaluate(() => document.activeElement.id)); }
    diag(`approvable while tabbing: ${await w.evaluate(() => document.body.dataset.approvable)}`);
    await press(w, '#sign-cancel');
    await answer;
    ok(JSON.stringify(order) === JSON.stringify(r.visual), `Tab: ${order.join(' → ')}; visual: ${r.visual.join(' → ')}`);
    ok(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/.test(r.expiry), `the expiry in local time (${r.expiry})`);
    return ok(r.store === 'Chrome/Chromium', `the store by its name (${r.store})`);
  });

  await step('#6 data that is not canonical base64 ("QR==") is refused with BAD_REQUEST and opens no window', async () => {
    const { r, windows } = await windowsDuring(() => p2.evaluate(b.rawRequest, { type: 'ecm-sign', data: 'QR==' }));
    return ok(r.code === 'BAD_REQUEST' && windows === 0, `QR== → ${r.code}, windows ${windows}`);
  });

  await step('#5 stopping a site asks once, drops its queued requests, shows in the popup and is undone there', async () => {
    const p3 = await open(`${O2}/`);
    const { w, answer: a1 } = await requestWindow(p2, 'first of the site');
    const a2 = ask(p3, 'queued of the site');
    await sleep(500);
    await press(w, '#sign-block');
    const asked = await w.waitForSelector('#sign-block-ask:not([hidden])', { timeout: 3000 }).then(() => true, () => false);
    ok(asked && !w.isClosed(), 'the first press asks to confirm; nothing is decided yet');
    if (asked) await shot(w, 'sign-block-confirm');
    let opened = 0;
    const off = b.onWindow(() => { opened++; });
    await press(w, '#sign-block-yes');
    const [r1, r2] = await Promise.all([a1, Promise.race([a2, sleep(5000).then(() => ({ code: 'still waiting' }))])]);
    await sleep(1500);
    off();
    ok(r1.code === 'CANCELLED' && r1.details.blocked === true, `the shown request: ${r1.code}`);
    ok(r2.code === 'CANCELLED' && opened === 0, `the queued request of the site is dropped: ${r2.code}, windows opened ${opened}`);
    const pop = await open(b.popupUrl);
    await pop.waitForSelector('#sign-stopped:not([hidden]) li', { timeout: 10000 });
    const listed = await txt(pop, '#sign-stopped li code');
    ok(listed === O2, `the popup shows the site as stopped (${listed})`);
    await shot(pop, 'popup-sign-stopped');
    await pop.click('#sign-stopped li button');
    await pop.waitForSelector('#sign-stopped[hidden]', { state: 'attached', timeout: 5000 });
    await pop.close();
    const { w: again, answer: a3 } = await requestWindow(p2, 'allowed again');
    await press(again, '#sign-cancel');
    await p3.close();
    return ok((await a3).code === 'CANCELLED', 'allowed again from the popup: the next request gets a window');
  });

  await step('issue 17: a page names the customer: A\'s order is signed with A\'s certificate while B\'s is newer', async () => {
    addB();
    const { w, answer } = await requestWindow(p2, '委託 2330 買 1 張 (A)', { customer: ID });
    const shown = [await txt(w, '#sign-cn'), await txt(w, '#sign-masked-id'), await txt(w, '#sign-device')];
    ok(shown[0] === `${ID}-00-PC001` && shown[1] === 'A12****789' && shown[2] === 'PC', `the window names A's certificate (${shown.join(' · ')})`);
    await press(w, '#sign-approve');
    const r = await answer;
    return ok(r.ok && signerCn(r.cms) === `${ID}-00-PC001`, `openssl cms -verify: the signer is ${r.ok ? signerCn(r.cms) : r.code}`);
  });

  await step('issue 17: a page that does not say whose: the window lets the person choose (name, masked ID, device, local expiry, store)', async () => {
    const { w, answer } = await requestWindow(p2, '委託 2330 買 2 張 (whose?)');
    const labels = await w.evaluate(() => Array.from(document.querySelectorAll('#sign-choose label'), (l) => l.textContent));
    ok(labels.length === 2, `two customers offered: ${labels.join(' / ')}`);
    ok(labels.some((l) => l.includes(`${ID}-00-PC001`) && l.includes('A12****789')) && labels.some((l) => l.includes('B22****000'))
      && labels.every((l) => /PC/.test(l) && /\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d/.test(l) && l.includes('Chrome/Chromium') && !l.includes('nss:pki')),
    'each shows its CN, masked ID, device, expiry in local time and the store by its name');
    await w.bringToFront();
    await sleep(1500);
    const before = await disabled(w);
    ok(before === true, '簽章 waits for a choice');
    await shot(w, 'sign-choose-customer');
    await w.evaluate(() => Array.from(document.querySelectorAll('#sign-choose label')).find((l) => l.textContent.includes('B22****000')).click());
    await press(w, '#sign-approve');
    const r = await answer;
    ok(await removeB(), "B's certificate removed again (the Firefox steps sign with A's only)");
    return ok(r.ok && signerCn(r.cms) === `${process.env.SIGN_B_ID}-00-PC001`, `the chosen certificate signs: ${r.ok ? signerCn(r.cms) : r.code}`);
  });

  await p2.close();
  for (const x of [b2, b3, other]) x.server.close();
}
