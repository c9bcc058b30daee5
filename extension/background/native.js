/*
 * The one native connection, modelled on web-eid's NativeAppService: a port to the host (one host process = one
 * login session) with an explicit state, a size check on every request and a timeout on every call. The pages
 * reach it through background.js's runtime port; one-shot calls (the reminder, signing) use nativeCall().
 *
 * For signing (extension/sign/sign-background.js, loaded after this file):
 *   globalThis.ecmBackground.nativeCall(cmd, args, { timeoutMs, broker }) -> Promise<{ok, result|error}>, never
 *   rejects; a fresh host process per call (no login needed or kept), the same size check, timeout and failure codes.
 * `broker` (a profile id, docs/protocol.md "Which broker") goes into the request envelope when given.
 */
'use strict';
(() => {
  const bg = (globalThis.ecmBackground ||= {});
  const api = globalThis.browser ?? globalThis.chrome;
  const HOST = 'org.ecertmanager.host';
  const MAX_REQUEST_BYTES = 8 * 1024 * 1024;   // the host's inbound frame limit (include/ecm/frame.h)

  // Milliseconds without an answer (or a progress event) before a call fails with HOST_TIMEOUT; progress restarts
  // the clock. 0: none (a file dialog waits for the person). A call that reaches the broker gets more than the
  // host's own limit for one RA request (request_timeout_s 60 + connect_timeout_s 10): a slow broker is the host's
  // RA_TIMEOUT to report, not a stuck host to let go (with the login).
  bg.timeouts = { hello: 10000, pick_file: 0, stores: 30000, revoke_url: 30000, session: 30000, apply: 180000,
    renew: 180000, save_issued: 120000, install: 120000, cleanup: 120000, backup: 120000, import: 120000, sign: 120000 };
  const DEFAULT_TIMEOUT = 90000;
  bg.timeoutOf = (cmd) => (cmd in bg.timeouts ? bg.timeouts[cmd] : DEFAULT_TIMEOUT);

  // MESSAGE_TOO_LARGE before anything is sent, or null.
  bg.tooLarge = function tooLarge(msg) {
    const n = new TextEncoder().encode(JSON.stringify(msg)).length;
    return n > MAX_REQUEST_BYTES ? bg.failure('MESSAGE_TOO_LARGE', `request of ${n} bytes`, { max: MAX_REQUEST_BYTES }) : null;
  };

  const State = Object.freeze({ CLOSED: 'closed', OPEN: 'open' });

  class NativeConnection {
    constructor() {
      this.state = State.CLOSED;
      this.port = null;
      this.nextId = 1;
      this.pending = new Map();   // host request id -> {cmd, resolve, onProgress, timer, ms}
      this.onClosed = () => {};   // (code): the host process (and its login) is gone
    }

    open() {
      if (this.state === State.OPEN) return this.port;
      const port = bg.SAFARI ? bg.safariPort() : api.runtime.connectNative(HOST);
      port.onMessage.addListener((m) => this.onMessage(m));
      port.onDisconnect.addListener((p) => {
        if (this.port !== port) return;
        const e = (p && p.error) || api.runtime.lastError;
        this.drop(bg.failureOf(e && e.message));
      });
      this.port = port;
      this.state = State.OPEN;
      return port;
    }

    onMessage(msg) {
      const w = this.pending.get(msg && msg.id);
      if (!w) return;
      if (msg.progress) { this.arm(msg.id, w); if (w.onProgress) w.onProgress(msg.progress); return; }
      this.finish(msg.id, bg.reply(msg));
    }

    // A host that does not answer in time is stuck: it is let go (its login with it), and every caller told.
    arm(id, w) {
      clearTimeout(w.timer);
      if (w.ms > 0) w.timer = setTimeout(() => this.close(bg.failure('HOST_TIMEOUT', `${w.cmd}: no answer in ${w.ms} ms`)), w.ms);
    }

    finish(id, reply) {
      const w = this.pending.get(id);
      if (!w) return;
      clearTimeout(w.timer);
      this.pending.delete(id);
      w.resolve(reply);
    }

    drop(failure) {
      const was = this.state;
      this.port = null;
      this.state = State.CLOSED;
      for (const id of [...this.pending.keys()]) this.finish(id, failure);
      if (was === State.OPEN) this.onClosed(failure.error.code);
    }

    close(failure) {
      if (this.state === State.CLOSED) return;
      const port = this.port;
      this.drop(failure || bg.failure('HOST_EXITED', 'closed'));
      try { port.disconnect(); } catch (e) { /* already gone */ }
    }

    // -> Promise<{ok, result|error}>; never rejects.
    call(cmd, args, onProgress, broker) {
      return new Promise((resolve) => {
        const msg = envelope(this.nextId++, cmd, args, broker);
        const id = msg.id;
        const big = bg.tooLarge(msg);
        if (big) { resolve(big); return; }
        let port;
        try { port = this.open(); } catch (e) { resolve(bg.failureOf(e)); return; }
        const w = { cmd, resolve, onProgress, timer: null, ms: bg.timeoutOf(cmd) };
        this.pending.set(id, w);
        this.arm(id, w);
        try { port.postMessage(msg); } catch (e) { this.drop(bg.failureOf(e)); }
      });
    }
  }

  // {id, cmd, args?, broker?}: the host's request envelope (docs/protocol.md).
  function envelope(id, cmd, args, broker) {
    return { id, cmd, ...(args === undefined ? {} : { args }), ...(typeof broker === 'string' && broker ? { broker } : {}) };
  }

  bg.State = State;
  bg.native = new NativeConnection();

  let nextOneShot = 1;
  bg.nativeCall = async function nativeCall(cmd, args, { timeoutMs, broker } = {}) {
    const msg = envelope(`bg-${nextOneShot++}`, cmd, args, broker);
    const big = bg.tooLarge(msg);
    if (big) return big;
    const ms = timeoutMs ?? bg.timeoutOf(cmd);
    let timer;
    const late = new Promise((res) => {
      if (ms > 0) timer = setTimeout(() => res(bg.failure('HOST_TIMEOUT', `${cmd}: no answer in ${ms} ms`)), ms);
    });
    const answer = (bg.SAFARI ? bg.safariRequest(msg, () => {}) : api.runtime.sendNativeMessage(HOST, msg))
      .then(bg.reply, bg.failureOf);
    try { return await Promise.race([answer, late]); } finally { clearTimeout(timer); }
  };
})();
