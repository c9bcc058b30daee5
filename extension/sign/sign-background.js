/*
 * Signing for brokers' web pages (docs/signing.md). A page asks through the page API (docs/examples/ecm-sign.js),
 * which posts to the content script sign/content.js; that script runs only on the origins background/brokers.js
 * registered (listed by an installed broker profile and granted by the person) and hands the request here
 * (runtime.onMessage), the same way in Chromium and Firefox. Then:
 *   - the origin is the one the browser reports for the sender, never the page's; an opaque ("null") origin is
 *     nobody's; a framed request names the frame's origin and the top-level site, and both must be allowed;
 *   - it must be listed exactly by an installed broker profile (hello's brokers[].origins; the match pattern has
 *     no port) and granted, else the page gets nothing at all, not even an answer to ecm-sign-hello; the host is
 *     asked with that broker (the envelope's `broker`);
 *   - every request opens sign/confirm.html in the extension's own window; nothing is signed without 簽章 there,
 *     and 簽章 counts only with the request's unguessable id and the SHA-256 of the bytes the window showed;
 *   - one pending request per tab (SIGN_BUSY), one window at a time (the rest queue), a site can be stopped
 *     (its queued requests are dropped and new ones refused with CANCELLED without a window, until allowed again
 *     in the popup or the 憑證簽驗 section).
 * The host checks the origin again and signs exactly `data` with the certificate the window showed (serial), only
 * the customer's the page named (customer) or the one the person chose there.
 * Loaded by background.js (importScripts, Chromium service worker) or listed in background.scripts (Firefox).
 */
'use strict';
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const MAX_B64 = Math.ceil(65536 / 3) * 4;
  const CONFIRM = 'sign/confirm.html';

  const perTab = new Map();   // tab id -> request
  const requests = new Map(); // request id -> request
  const queue = [];           // requests waiting for the window
  let active = null;          // the request the window shows

  const fail = (code, message, details) => ({ ok: false, error: { code, message: message || code, ...(details ? { details } : {}) } });

  // Every call to the host goes through the background's one native module (extension/background/native.js): the
  // same size check, timeout and failure codes as the popup's and the manager's calls.
  const bg = globalThis.ecmBackground;
  const logic = globalThis.ecmBrokerLogic;
  const host = (cmd, args, broker) => bg.nativeCall(cmd, args, { broker });

  const originOf = (url) => { try { return new URL(url).origin; } catch (e) { return 'null'; } };

  // What the browser says about the sender; a page cannot choose it. An opaque origin ("null": a sandboxed page)
  // gets nothing, never the origin of its URL. {origin, top}: the frame's origin and the top-level site's.
  function senderOrigins(sender) {
    if (!sender || !sender.tab) return null;
    const origin = typeof sender.origin === 'string' ? sender.origin : originOf(sender.url);
    if (!origin || origin === 'null' || originOf(sender.url) === 'null') return null;
    const framed = typeof sender.frameId === 'number' && sender.frameId !== 0;
    const top = framed ? originOf(sender.tab.url) : origin;
    if (!top || top === 'null') return null;
    return { origin, top };
  }

  // The broker whose profile lists the sender's origin (and the top-level site), both granted; else null.
  async function brokerOf(o) {
    if (!o) return null;
    const broker = logic.brokerOfOrigin(await bg.brokers(), o.origin);
    if (!broker || !broker.origins.includes(o.top)) return null;
    const patterns = [...new Set([o.origin, o.top].map(logic.patternOf))];
    return (await bg.granted(patterns)).length === patterns.length ? broker : null;
  }

  async function blockedList() {
    const { sign_blocked: b } = await api.storage.local.get('sign_blocked');
    return Array.isArray(b) ? b : [];
  }

  async function block(origin) {
    const list = await blockedList();
    if (!list.includes(origin)) await api.storage.local.set({ sign_blocked: [...list, origin] });
  }

  function canonicalBase64(s) {
    if (typeof s !== 'string' || s.length === 0 || s.length % 4 !== 0 || s.length > MAX_B64 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return false;
    try { return btoa(atob(s)) === s; } catch (e) { return false; } // padding bits zero: one text per byte string
  }

  function bytesOf(b64) {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function sha256(b64) {
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytesOf(b64)));
    return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // 128 random bits: a window of an earlier worker (or a guess) never names a request of this one.
  function newId() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // -- the window: one at a time; closing it is 取消
  async function showNext() {
    while (queue.length && queue[0].decided) queue.shift(); // dropped while waiting (a stopped site)
    if (active || queue.length === 0) return;
    active = queue.shift();
    try {
      const w = await api.windows.create({ url: api.runtime.getURL(`${CONFIRM}#${active.id}`), type: 'popup', width: 520, height: 700 });
      active.windowId = w.id;
    } catch (e) {
      decide(active.id, { approve: false });
    }
  }

  function decide(id, decision) {
    const req = requests.get(id);
    if (!req || req.decided) return false;
    req.decided = true;
    req.resolve(decision);
    return true;
  }

  // 簽章 counts only for the request the window showed: its id, the hash of its bytes, a listed certificate.
  function approve(msg) {
    const req = requests.get(String(msg.id));
    if (!req || req !== active || req.decided || msg.sha256 !== req.sha256) return false;
    const choice = req.candidates ? req.candidates.find((c) => c.serial === msg.serial && c.store === msg.store) : null;
    if (req.candidates && !choice) return false;
    return decide(req.id, { approve: true, choice });
  }

  // Stopping a site drops what it has queued too: no further window of it opens.
  async function stopSite(origin) {
    for (const r of [...queue]) {
      if (r.origin !== origin) continue;
      queue.splice(queue.indexOf(r), 1);
      decide(r.id, { approve: false, blockSite: true });
    }
    await block(origin);
  }

  function finish(req) {
    requests.delete(req.id);
    if (perTab.get(req.tabId) === req) perTab.delete(req.tabId);
    const qi = queue.indexOf(req);
    if (qi >= 0) queue.splice(qi, 1);
    if (active === req) {
      active = null;
      if (req.windowId !== undefined) api.windows.remove(req.windowId).catch(() => {});
      showNext();
    }
  }

  // The certificate that would sign, or the customers to choose from (CHOOSE_CUSTOMER), from a dry run.
  async function prepare(req, msg) {
    const dry = await host('sign', { origin: req.origin, data: msg.data, detached: req.detached, dry_run: true,
      ...(req.customer ? { customer: req.customer } : {}) }, req.broker);
    if (!dry.ok && dry.error && dry.error.code === 'CHOOSE_CUSTOMER' && Array.isArray(dry.error.details && dry.error.details.candidates)) {
      req.candidates = dry.error.details.candidates;
      return null;
    }
    if (!dry.ok) return dry; // no certificate can sign: the page learns why (CERT_EXPIRED, NO_CERTIFICATE, ...)
    const r = dry.result;
    Object.assign(req, { certificate: r.certificate, serial: r.serial, store: r.store, storeName: r.store_name, maskedId: r.masked_id });
    return null;
  }

  async function signRequest(msg, sender) {
    const o = senderOrigins(sender);
    const broker = await brokerOf(o);
    if (!broker) return null; // other origins get nothing
    const { origin, top } = o;
    if ((await blockedList()).includes(origin)) return fail('CANCELLED', 'this site is stopped in e-Cert Manager', { blocked: true });
    const tabId = sender.tab.id;
    if (perTab.has(tabId)) return fail('SIGN_BUSY', 'this tab already waits for a signature');
    if (!canonicalBase64(msg.data)) return fail('BAD_REQUEST', 'data must be canonical base64 of 1 to 65536 bytes', { field: 'data' });
    if (msg.customer !== undefined && msg.customer !== null && typeof msg.customer !== 'string') return fail('BAD_REQUEST', 'customer: a national ID', { field: 'customer' });
    const req = { id: newId(), origin, top, broker: broker.id, tabId, data: msg.data, detached: msg.detached === true, customer: msg.customer || null, decided: false };
    perTab.set(tabId, req); // before any await: a second request of this tab is SIGN_BUSY from here on
    requests.set(req.id, req);
    try {
      req.sha256 = await sha256(msg.data);
      const refused = await prepare(req, msg);
      if (refused) return refused;
      const decision = await new Promise((resolve) => { req.resolve = resolve; queue.push(req); showNext(); });
      if (decision.blockSite) await stopSite(origin);
      if (!decision.approve) return fail('CANCELLED', 'cancelled by the user', decision.blockSite ? { blocked: true } : undefined);
      const signer = decision.choice || { serial: req.serial, store: req.store };
      const r = await host('sign', { origin, data: msg.data, detached: req.detached, serial: signer.serial, store: signer.store,
        ...(req.customer ? { customer: req.customer } : {}) }, req.broker);
      return r.ok ? { ok: true, result: { cms: r.result.cms, serial: r.result.serial, store: r.result.store } } : r;
    } finally {
      finish(req);
    }
  }

  function answer(promise, sendResponse) {
    // No answer for other origins: an empty one, which the page cannot tell from "no extension here".
    promise.then((r) => sendResponse(r || undefined), (e) => sendResponse(fail('INTERNAL', String(e))));
    return true;
  }

  const fromConfirm = (sender) => sender && sender.id === api.runtime.id && typeof sender.url === 'string'
    && sender.url.startsWith(api.runtime.getURL(CONFIRM));

  function shown(r) {
    return { id: r.id, origin: r.origin, top: r.top, data: r.data, detached: r.detached, certificate: r.certificate, serial: r.serial,
      store: r.store, storeName: r.storeName, maskedId: r.maskedId, candidates: r.candidates || null, waiting: queue.length };
  }

  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || typeof msg.type !== 'string') return false;
    if (msg.type === 'ecm-sign-hello' && sender.id === api.runtime.id) // the content script: stay inert unless allowed
      return answer(brokerOf(senderOrigins(sender)).then((b) => (b ? { allowed: true } : null)), sendResponse);
    if (msg.type === 'ecm-sign' && sender.id === api.runtime.id && sender.tab)
      return answer(signRequest(msg, sender), sendResponse);
    if (msg.type === 'ecm-sign-get' && fromConfirm(sender)) {
      const r = requests.get(String(msg.id));
      sendResponse(r && r === active ? { ok: true, request: shown(r) } : { ok: false });
      return false;
    }
    if (msg.type === 'ecm-sign-decide' && fromConfirm(sender)) {
      const id = String(msg.id);
      const done = msg.approve === true ? approve(msg) : decide(id, { approve: false, blockSite: msg.block === true });
      sendResponse({ ok: done }); // false: no such request (gone, or a window of an earlier worker)
      return false;
    }
    return false;
  });

  // Closing the window (or the tab that asked) is 取消.
  api.windows.onRemoved.addListener((windowId) => {
    if (active && active.windowId === windowId) decide(active.id, { approve: false });
  });
  api.tabs.onRemoved.addListener((tabId) => {
    const r = perTab.get(tabId);
    if (r) decide(r.id, { approve: false });
  });
})();
