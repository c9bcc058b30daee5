/*
 * The one place that says what a failure to reach the host means: a native port's disconnect, a rejected
 * sendNativeMessage (Chromium, Firefox, Safari's handler) or a call that ran out of time. Every caller in the
 * background (the UI port, the reminder, signing) answers with failure(...) built here.
 */
'use strict';
(() => {
  const bg = (globalThis.ecmBackground ||= {});

  // The browsers' own words, which differ per browser and version: only these three outcomes matter to a person.
  bg.hostFailureCode = function hostFailureCode(message) {
    const m = String(message || '');
    if (/not found|no such native/i.test(m)) return 'HOST_NOT_FOUND';
    if (/forbidden|not allowed|access/i.test(m)) return 'CALLER_NOT_ALLOWED';
    return 'HOST_EXITED';
  };

  bg.failure = function failure(code, message, details) {
    return { ok: false, error: { code, message: message || code, ...(details ? { details } : {}) } };
  };

  // A reply as the host sent it, or the failure that stands for a missing or malformed one.
  bg.reply = function reply(msg) {
    if (!msg || typeof msg !== 'object') return bg.failure('HOST_EXITED', 'the host sent no reply');
    return msg.ok ? { ok: true, result: msg.result } : { ok: false, error: msg.error || { code: 'INTERNAL' } };
  };

  bg.failureOf = function failureOf(e) {
    const m = (e && e.message) || String(e || 'host exited');
    return bg.failure(bg.hostFailureCode(m), m);
  };
})();
