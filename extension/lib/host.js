// The page side of the background connection, modelled on web-eid-webextension's NativeAppService: a connection
// with an explicit state, a handshake (hello) with a timeout, per-request timeouts, and close() that does nothing
// when already disconnected. call(cmd, args, onProgress) -> Promise<{ok, result|error}>; it never rejects.
// Every call carries the broker chosen on the login screen (setBroker; lib/brokers.js), if any: the host otherwise
// answers for the broker of the session, or the only one installed (docs/protocol.md "Which broker").
export const api = globalThis.browser ?? globalThis.chrome;

export const State = Object.freeze({ DISCONNECTED: 'disconnected', CONNECTED: 'connected' });

// The background times every call out (background/native.js) and answers HOST_TIMEOUT itself; the page times out
// only the handshake, which also covers a background that cannot start.
const TIMEOUTS = { hello: 10000 };
const DEFAULT_TIMEOUT = 0;

class HostConnection {
  constructor() {
    this.state = State.DISCONNECTED;
    this.port = null;
    this.nextRid = 1;
    this.waiting = new Map();   // rid -> {resolve, onProgress, timer, ms}
    this.sessionListeners = new Set();
    this.broker = null;
  }

  connect() {
    if (this.state === State.CONNECTED) return this.port;
    const port = api.runtime.connect({ name: 'ecm-ui' });
    port.onMessage.addListener((m) => this.onMessage(m));
    port.onDisconnect.addListener(() => { if (this.port === port) this.dropped(); });
    this.port = port;
    this.state = State.CONNECTED;
    return port;
  }

  onMessage(m) {
    if (m.event === 'session') { for (const f of this.sessionListeners) f(m); return; }
    const w = this.waiting.get(m.rid);
    if (!w) return;
    if (m.progress) { this.arm(m.rid, w); if (w.onProgress) w.onProgress(m.progress); return; }
    this.finish(m.rid, m.reply);
  }

  arm(rid, w) {
    clearTimeout(w.timer);
    if (w.ms > 0) w.timer = setTimeout(() => this.finish(rid, { ok: false, error: { code: 'HOST_TIMEOUT' } }), w.ms);
  }

  finish(rid, reply) {
    const w = this.waiting.get(rid);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(rid);
    w.resolve(reply);
  }

  dropped() {
    this.port = null;
    this.state = State.DISCONNECTED;
    for (const rid of [...this.waiting.keys()]) this.finish(rid, { ok: false, error: { code: 'HOST_EXITED' } });
  }

  call(cmd, args, onProgress) {
    return new Promise((resolve) => {
      const rid = this.nextRid++;
      const w = { resolve, onProgress, timer: null, ms: cmd in TIMEOUTS ? TIMEOUTS[cmd] : DEFAULT_TIMEOUT };
      this.waiting.set(rid, w);
      this.arm(rid, w);
      try {
        this.connect().postMessage({ rid, cmd, ...(args === undefined ? {} : { args }), ...(this.broker ? { broker: this.broker } : {}) });
      } catch (e) {
        this.dropped();
        this.finish(rid, { ok: false, error: { code: 'HOST_EXITED', message: String(e) } });
      }
    });
  }

  close() {
    if (this.state === State.DISCONNECTED) return;
    const port = this.port;
    this.dropped();
    try { port.disconnect(); } catch (e) { /* already gone */ }
  }
}

export const host = new HostConnection();
export function call(cmd, args, onProgress) { return host.call(cmd, args, onProgress); }
export function setBroker(id) { host.broker = typeof id === 'string' && id ? id : null; }
export function onSession(f) { host.sessionListeners.add(f); host.connect(); }

// The handshake: hello once per page (cached), with its own timeout.
let helloCache = null;
export async function hello(force) {
  if (!helloCache || force) {
    const r = await call('hello');
    helloCache = r.ok ? r.result : null;
    if (!r.ok) return r;
  }
  return { ok: true, result: helloCache };
}

export async function has(cmd) {
  const h = await hello();
  return !!(h.ok && h.result.commands && h.result.commands.includes(cmd));
}
