// The page side of the background connection: call(cmd, args, onProgress) -> Promise<{ok, result|error}>.
export const api = globalThis.browser ?? globalThis.chrome;

let port = null;
let nextRid = 1;
const waiting = new Map();
const sessionListeners = new Set();

function connect() {
  if (port) return port;
  port = api.runtime.connect({ name: 'ecm-ui' });
  port.onMessage.addListener((m) => {
    if (m.event === 'session') {
      for (const f of sessionListeners) f(m);
      return;
    }
    const w = waiting.get(m.rid);
    if (!w) return;
    if (m.progress) {
      if (w.onProgress) w.onProgress(m.progress);
      return;
    }
    waiting.delete(m.rid);
    w.resolve(m.reply);
  });
  port.onDisconnect.addListener(() => {
    port = null;
    for (const [rid, w] of waiting) {
      waiting.delete(rid);
      w.resolve({ ok: false, error: { code: 'HOST_EXITED' } });
    }
  });
  return port;
}

export function call(cmd, args, onProgress) {
  return new Promise((resolve) => {
    const rid = nextRid++;
    waiting.set(rid, { resolve, onProgress });
    try {
      connect().postMessage(args === undefined ? { rid, cmd } : { rid, cmd, args });
    } catch (e) {
      waiting.delete(rid);
      port = null;
      resolve({ ok: false, error: { code: 'HOST_EXITED', message: String(e) } });
    }
  });
}

export function onSession(f) { sessionListeners.add(f); connect(); }

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
