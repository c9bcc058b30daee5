/*
 * e-Cert Manager page API for brokers' web pages (docs/signing.md). Include it on a page whose origin is in your
 * broker profile's `sign_origins` (the person allows your pages once in the extension's popup):
 *   <script src="ecm-sign.js"></script>
 *   const ok = await ECMSign.available();                // false: no extension here (or this origin not allowed)
 *   const { cms, serial, store } = await ECMSign.sign({ data: '委託 2330 買 1 張 @ 612', customer: 'A123456789' });
 *   // cms: base64 of a DER CMS SignedData (send it to your server and verify it there)
 *   // a refusal rejects with an ECMSign.Error whose .code is stable: CANCELLED, SIGN_BUSY, CERT_EXPIRED, ...
 * data: a string (signed as its UTF-8 bytes) or a Uint8Array / ArrayBuffer, at most 65536 bytes.
 * customer: the national ID of the customer logged in on your page, whose order it is: only that customer's
 *   certificate signs (NO_CERTIFICATE with details.masked_id when there is none on this computer). Without it, and
 *   with several customers' certificates here, the person chooses whose in the extension's window.
 * The user confirms every request in the extension's own window; this script cannot skip or fill that in.
 */
(function (global) {
  'use strict';
  const MAX = 65536;

  class ECMSignError extends Error {
    constructor(code, message, details) {
      super(message || code);
      this.name = 'ECMSignError';
      this.code = code;
      this.details = details || {};
    }
  }

  function bytesOf(data) {
    if (typeof data === 'string') return new TextEncoder().encode(data);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    throw new ECMSignError('BAD_REQUEST', 'data: a string, Uint8Array or ArrayBuffer');
  }

  function base64(u8) {
    let bin = '';
    for (let i = 0; i < u8.length; i += 0x8000) bin += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(bin);
  }

  // The extension's content script on this window (present only on a broker's origin the person allowed), in
  // Chromium and Firefox alike.
  function viaBridge(msg, timeoutMs) {
    return new Promise((resolve) => {
      const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      let timer = null;
      const onMessage = (ev) => {
        const m = ev.data;
        if (ev.source !== global || !m || m.ecm_sign !== 'reply' || m.id !== id) return;
        global.removeEventListener('message', onMessage);
        clearTimeout(timer);
        resolve(m.reply);
      };
      global.addEventListener('message', onMessage);
      if (timeoutMs) {
        timer = setTimeout(() => {
          global.removeEventListener('message', onMessage);
          resolve({ ok: false, error: { code: 'EXTENSION_NOT_FOUND', message: 'no e-Cert Manager on this page' } });
        }, timeoutMs);
      }
      global.postMessage({ ecm_sign: 'request', id, ...msg }, global.location.origin);
    });
  }

  // The content script starts listening a moment after the page (it first asks whether this origin is allowed):
  // ping a few times within the timeout.
  async function available(opts) {
    const until = Date.now() + ((opts && opts.timeoutMs) || 2000);
    while (Date.now() < until) {
      const r = await viaBridge({ ping: true }, 250);
      if (r && r.ok) return true;
    }
    return false;
  }

  async function sign({ data, detached = false, customer } = {}, opts) {
    const u8 = bytesOf(data);
    if (u8.length === 0 || u8.length > MAX) throw new ECMSignError('MESSAGE_TOO_LARGE', `data: 1 to ${MAX} bytes`);
    // A short wait tells "no extension" apart; once it answered, the user may take their time.
    if (!(await available(opts))) throw new ECMSignError('EXTENSION_NOT_FOUND', 'no e-Cert Manager on this page');
    if (customer !== undefined && typeof customer !== 'string') throw new ECMSignError('BAD_REQUEST', 'customer: a national ID');
    const r = await viaBridge({ data: base64(u8), detached: detached === true, ...(customer ? { customer } : {}) }, 0);
    if (r && r.ok) return r.result;
    const e = (r && r.error) || { code: 'INTERNAL' };
    throw new ECMSignError(e.code, e.message, e.details);
  }

  global.ECMSign = Object.freeze({ available, sign, Error: ECMSignError, MAX_BYTES: MAX });
})(window);
