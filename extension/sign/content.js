/*
 * The way in for brokers' pages, in Chromium and Firefox alike (docs/signing.md). Registered by
 * background/brokers.js only for the origins an installed broker profile lists and the person granted (a match
 * pattern has no port), and inert there until the background says this exact origin is a broker's: a page of any
 * other origin gets no listener, no marker, nothing it could detect.
 * Page <-> content script: window.postMessage {ecm_sign: "request"|"reply", id, ...} on this window only.
 */
'use strict';
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const origin = location.origin;
  if (origin === 'null') return; // an opaque origin (sandboxed page) is nobody's: no listener at all
  api.runtime.sendMessage({ type: 'ecm-sign-hello' }).then((r) => {
    if (!r || r.allowed !== true) return;
    window.addEventListener('message', (ev) => {
      const m = ev.data;
      if (ev.source !== window || ev.origin !== origin || !m || m.ecm_sign !== 'request' || typeof m.id !== 'string') return;
      const reply = (body) => window.postMessage({ ecm_sign: 'reply', id: m.id, reply: body }, origin);
      if (m.ping) { reply({ ok: true, result: { available: true } }); return; }
      api.runtime.sendMessage({ type: 'ecm-sign', data: m.data, detached: m.detached === true, customer: m.customer })
        .then((r2) => reply(r2 || { ok: false, error: { code: 'HOST_EXITED' } }),
          (e) => reply({ ok: false, error: { code: 'HOST_EXITED', message: String(e) } }));
    });
    window.postMessage({ ecm_sign: 'ready' }, origin);
  }, () => {});
})();
