/*
 * Signing for brokers' web pages (docs/signing.md). A page of an allowed origin asks through the page API
 * (docs/examples/ecm-sign.js): Chromium delivers it here by `externally_connectable` (runtime.onMessageExternal),
 * Firefox through the content script sign/content.js (runtime.onMessage). Either way:
 *   - the origin is the one the browser reports for the sender (sender.origin / sender.url), never the page's;
 *   - it must be in the host's `sign_origins` (hello), else the page gets no answer at all;
 *   - every request opens sign/confirm.html in the extension's own window; nothing is signed without 簽章 there;
 *   - one pending request per tab (SIGN_BUSY), one window at a time (the rest queue), a site can be stopped
 *     (its requests are then refused with CANCELLED without a window, until unblocked in the 憑證簽驗 section).
 * The host checks the origin again and signs exactly `data` with the certificate the window showed (serial).
 * Loaded by background.js (importScripts, Chromium service worker) or listed in background.scripts (Firefox).
 */
'use strict';
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const HOST = 'org.ecertmanager.host';
  const MAX_B64 = Math.ceil(65536 / 3) * 4;
  const ORIGINS_TTL_MS = 30e3;
  const CONFIRM = 'sign/confirm.html';

  let origins = { list: [], at: 0 };
  const perTab = new Map();   // tab id -> request
  const requests = new Map(); // request id -> request
  const queue = [];           // requests waiting for the window
  let active = null;          // the request the window shows
  let nextId = 1;

  const fail = (code, message, details) => ({ ok: false, error: { code, message: message || code, ...(details ? { details } : {}) } });

  async function host(cmd, args) {
    try {
      const r = await api.runtime.sendNativeMessage(HOST, { id: 'sign', cmd, args });
      return r && typeof r === 'object' ? r : fail('HOST_EXITED');
    } catch (e) {
      return fail(/not found|no such native/i.test(String(e && e.message)) ? 'HOST_NOT_FOUND' : 'HOST_EXITED', String(e && e.message));
    }
  }

  async function allowedOrigins() {
    if (Date.now() - origins.at < ORIGINS_TTL_MS) return origins.list;
    const r = await host('hello');
    const list = r.ok && r.result.config && Array.isArray(r.result.config.sign_origins) ? r.result.config.sign_origins : [];
    origins = { list, at: Date.now() };
    return list;
  }

  // What the browser says about the sender; a page cannot choose it.
  function senderOrigin(sender) {
    if (!sender || !sender.tab) return null;
    if (typeof sender.origin === 'string' && sender.origin !== 'null') return sender.origin;
    try { return new URL(sender.url).origin; } catch (e) { return null; }
  }

  async function isAllowed(origin) { return !!origin && (await allowedOrigins()).includes(origin); }

  async function blocked(origin) {
    const { sign_blocked: b } = await api.storage.local.get('sign_blocked');
    return Array.isArray(b) && b.includes(origin);
  }

  async function block(origin) {
    const { sign_blocked: b } = await api.storage.local.get('sign_blocked');
    const list = Array.isArray(b) ? b : [];
    if (!list.includes(origin)) await api.storage.local.set({ sign_blocked: [...list, origin] });
  }

  function canonicalBase64(s) {
    return typeof s === 'string' && s.length > 0 && s.length % 4 === 0 && s.length <= MAX_B64
      && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
  }

  // -- the window: one at a time; closing it is 取消
  async function showNext() {
    if (active || queue.length === 0) return;
    active = queue.shift();
    try {
      const w = await api.windows.create({ url: api.runtime.getURL(`${CONFIRM}#${active.id}`), type: 'popup', width: 500, height: 660 });
      active.windowId = w.id;
    } catch (e) {
      decide(active.id, { approve: false });
    }
  }

  function decide(id, { approve, blockSite }) {
    const req = requests.get(id);
    if (!req || req.decided) return;
    req.decided = true;
    req.resolve({ approve: !!approve, blockSite: !!blockSite });
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

  async function signRequest(msg, sender) {
    const origin = senderOrigin(sender);
    if (!(await isAllowed(origin))) return null; // other origins get nothing
    if (await blocked(origin)) return fail('CANCELLED', 'this site is stopped in e-Cert Manager', { blocked: true });
    const tabId = sender.tab.id;
    if (perTab.has(tabId)) return fail('SIGN_BUSY', 'this tab already waits for a signature');
    if (!canonicalBase64(msg.data)) return fail('BAD_REQUEST', 'data must be canonical base64 of 1 to 65536 bytes', { field: 'data' });
    const detached = msg.detached === true;
    const req = { id: String(nextId++), origin, tabId, data: msg.data, detached, decided: false };
    perTab.set(tabId, req); // before any await: a second request of this tab is SIGN_BUSY from here on
    requests.set(req.id, req);
    try {
      const dry = await host('sign', { origin, data: msg.data, detached, dry_run: true });
      if (!dry.ok) return dry; // no certificate can sign: the page learns why (CERT_EXPIRED, KEY_MISSING, ...)
      req.certificate = dry.result.certificate;
      req.serial = dry.result.serial;
      req.store = dry.result.store;
      const decision = await new Promise((resolve) => { req.resolve = resolve; queue.push(req); showNext(); });
      if (decision.blockSite) await block(origin);
      if (!decision.approve) return fail('CANCELLED', 'cancelled by the user', decision.blockSite ? { blocked: true } : undefined);
      const r = await host('sign', { origin, data: msg.data, detached, serial: req.serial, store: req.store });
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

  // Chromium: pages matched by externally_connectable.
  if (api.runtime.onMessageExternal) {
    api.runtime.onMessageExternal.addListener((msg, sender, sendResponse) => {
      if (!msg || msg.type !== 'ecm-sign') return false;
      return answer(signRequest(msg, sender), sendResponse);
    });
  }

  const fromConfirm = (sender) => sender && sender.id === api.runtime.id && typeof sender.url === 'string'
    && sender.url.startsWith(api.runtime.getURL(CONFIRM));

  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || typeof msg.type !== 'string') return false;
    if (msg.type === 'ecm-sign-hello' && sender.id === api.runtime.id) // the content script: stay inert unless allowed
      return answer(isAllowed(senderOrigin(sender)).then((allowed) => ({ allowed })), sendResponse);
    if (msg.type === 'ecm-sign' && sender.id === api.runtime.id && sender.tab)
      return answer(signRequest(msg, sender), sendResponse);
    if (msg.type === 'ecm-sign-get' && fromConfirm(sender)) {
      const r = requests.get(String(msg.id));
      sendResponse(r && r === active ? { ok: true, request: { id: r.id, origin: r.origin, data: r.data, detached: r.detached,
        certificate: r.certificate, serial: r.serial, store: r.store, waiting: queue.length } } : { ok: false });
      return false;
    }
    if (msg.type === 'ecm-sign-decide' && fromConfirm(sender)) {
      decide(String(msg.id), { approve: msg.approve === true, blockSite: msg.block === true });
      sendResponse({ ok: true });
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
