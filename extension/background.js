/*
 * e-Cert Manager background: owns the one native-messaging port (one host process = one login session) and
 * serves the popup and the manager page over runtime ports. Also runs the daily expiry reminder, which uses a
 * separate one-shot host call (no login needed: `query`).
 *
 * Page -> background (runtime port "ecm-ui"): {rid, cmd, args}  ("_state" is the host's `session`;
 * "_check_expiry" is local).
 * Background -> page: {rid, progress} ... then {rid, reply: {ok, result|error}};  {event: "session", ...}.
 * Nothing secret is kept here after a reply: passwords only pass through to the host.
 *
 * Safari has no native-messaging host: the "port" is then safariPort() below, which sends each request with
 * runtime.sendNativeMessage to the containing app's SafariWebExtensionHandler (one core per app-extension
 * process) and replays its batched answer {events, reply}. Chrome/Edge and Firefox use connectNative.
 */
'use strict';
// Signing for brokers' pages (Chromium service worker; Firefox lists it in background.scripts).
if (typeof importScripts === 'function' && typeof window === 'undefined') importScripts('sign/sign-background.js');
const api = globalThis.browser ?? globalThis.chrome;
const HOST = 'org.ecertmanager.host';
const ALARM = 'ecm-expiry';
const DEFAULT_WINDOW_DAYS = 30;
// Safari is told by its extension pages' scheme. (Not by a missing connectNative: Safari has one, but its port
// carries messages from the app, not request/answer pairs to the handler's beginRequest.) A service worker and a
// background page both have `location`.
const SAFARI = typeof location !== 'undefined' && location.protocol === 'safari-web-extension:';
const SAFARI_APP = 'org.ecertmanager.safari';   // Safari ignores this argument: the handler of the containing app answers

let host = null;                 // native port, or null
let nextId = 1;
const pending = new Map();       // host request id -> {ui, rid, cmd}
const uiPorts = new Set();
let loggedIn = false;           // only to tell the pages when a session ends; the host holds the session itself

function classifyDisconnect(msg) {
  if (/not found|no such native/i.test(msg || '')) return 'HOST_NOT_FOUND';
  if (/forbidden|not allowed|access/i.test(msg || '')) return 'CALLER_NOT_ALLOWED';
  return 'HOST_EXITED';
}

function broadcast(msg) {
  for (const p of uiPorts) {
    try { p.postMessage(msg); } catch (e) { uiPorts.delete(p); }
  }
}

function openHost() {
  if (host) return host;
  const port = SAFARI ? safariPort() : api.runtime.connectNative(HOST);
  port.onMessage.addListener(onHostMessage);
  port.onDisconnect.addListener((p) => {
    const err = (p && p.error) || api.runtime.lastError;
    const code = classifyDisconnect(err && err.message);
    if (host === port) host = null;
    for (const [id, req] of pending) {
      pending.delete(id);
      send(req.ui, { rid: req.rid, reply: { ok: false, error: { code, message: (err && err.message) || 'host exited' } } });
    }
    const was = loggedIn;
    loggedIn = false;
    if (was) broadcast({ event: 'session', logged_in: false, reason: 'ended' });
  });
  host = port;
  return port;
}

function send(ui, msg) {
  try { ui.postMessage(msg); } catch (e) { /* page closed */ }
}

function onHostMessage(msg) {
  const req = pending.get(msg && msg.id);
  if (!req) return;
  if (msg.progress) {
    send(req.ui, { rid: req.rid, progress: msg.progress });
    return;
  }
  pending.delete(msg.id);
  const reply = msg.ok ? { ok: true, result: msg.result } : { ok: false, error: msg.error || { code: 'INTERNAL' } };
  if (req.cmd === 'login') {
    loggedIn = reply.ok;
    if (reply.ok && Number.isInteger(reply.result.renewal_window_days))
      api.storage.local.set({ renewal_window_days: reply.result.renewal_window_days });
    send(req.ui, { rid: req.rid, reply });   // the caller first, then the other pages
    broadcast({ event: 'session', logged_in: loggedIn });
    return;
  } else if (req.cmd === 'logout' && reply.ok) {
    loggedIn = false;
    broadcast({ event: 'session', logged_in: false, reason: 'logout' });
  } else if (req.cmd === 'session' && reply.ok) {
    loggedIn = !!reply.result.logged_in;
  } else if (reply.ok && ['apply', 'renew', 'import', 'save_issued'].includes(req.cmd)) {
    checkExpiry().catch(() => {});   // the certificate in the browser changed: the badge follows
  } else if (!reply.ok && reply.error.code === 'NOT_LOGGED_IN' && loggedIn) {
    // The core no longer has the login although we had one: on Safari the handler's process was ended between
    // messages (on a port the port drops first). Same as a dropped session: every page shows the login again.
    loggedIn = false;
    send(req.ui, { rid: req.rid, reply });
    broadcast({ event: 'session', logged_in: false, reason: 'ended' });
    return;
  }
  send(req.ui, { rid: req.rid, reply });
}

/* ---- Safari transport ---- */

// One request at a time, in call order, like the messages on a port: each waits for the previous answer.
// Resolves with the core's reply (never rejects) after calling onEvent for each progress event, in order.
let safariQueue = Promise.resolve();
function safariRequest(msg, onEvent) {
  const run = safariQueue.then(async () => {
    let answer;
    try {
      answer = await api.runtime.sendNativeMessage(SAFARI_APP, msg);
    } catch (e) {
      const m = (e && e.message) || String(e);
      return { id: msg.id, ok: false, error: { code: classifyDisconnect(m), message: m } };
    }
    const reply = answer && answer.reply;
    if (!reply || typeof reply !== 'object')
      return { id: msg.id, ok: false, error: { code: 'HOST_EXITED', message: 'the Safari handler sent no reply' } };
    for (const ev of Array.isArray(answer.events) ? answer.events : []) onEvent(ev);
    // The handler's own errors (message not JSON, core not started) carry id null: they answer this request.
    return reply.id === msg.id ? reply : { ...reply, id: msg.id };
  });
  safariQueue = run.catch(() => {});
  return run;
}

// Looks like the native port to openHost/callHost: postMessage in, onMessage out. There is no connection to
// lose, so onDisconnect never fires; a lost core shows as NOT_LOGGED_IN (see onHostMessage).
function safariPort() {
  const listeners = [];
  const deliver = (m) => { for (const f of listeners) f(m); };
  return {
    onMessage: { addListener: (f) => { listeners.push(f); } },
    onDisconnect: { addListener: () => {} },
    postMessage: (msg) => { safariRequest(msg, deliver).then(deliver); },
  };
}

function callHost(ui, rid, cmd, args) {
  let port;
  try {
    port = openHost();
  } catch (e) {
    send(ui, { rid, reply: { ok: false, error: { code: classifyDisconnect(e.message), message: e.message } } });
    return;
  }
  const id = nextId++;
  pending.set(id, { ui, rid, cmd });
  const msg = { id, cmd };
  if (args) msg.args = args;
  try {
    port.postMessage(msg);
  } catch (e) {
    pending.delete(id);
    send(ui, { rid, reply: { ok: false, error: { code: 'HOST_EXITED', message: e.message } } });
  }
}

api.runtime.onConnect.addListener((ui) => {
  if (ui.name !== 'ecm-ui' || (ui.sender && ui.sender.id !== api.runtime.id)) return;
  uiPorts.add(ui);
  ui.onDisconnect.addListener(() => uiPorts.delete(ui));
  ui.onMessage.addListener((m) => {
    if (!m || typeof m.cmd !== 'string') return;
    if (m.cmd === '_state') {
      // The host holds the session: ask it (its answer follows every apply, renew and refresh), keep no copy.
      callHost(ui, m.rid, 'session');
    } else if (m.cmd === '_check_expiry') {
      checkExpiry().then((r) => send(ui, { rid: m.rid, reply: { ok: true, result: r } }),
        (e) => send(ui, { rid: m.rid, reply: { ok: false, error: { code: 'INTERNAL', message: String(e) } } }));
    } else {
      callHost(ui, m.rid, m.cmd, m.args);
    }
  });
});

/* ---- expiry reminder ---- */

// The badge is not kept across a browser restart: it is drawn again from the last check whenever this
// background starts (browser start-up, a woken service worker), then checked afresh on start-up.
async function showBadge(state, daysLeft) {
  const action = api.action ?? api.browserAction;
  if (state === 'expired') {
    await action.setBadgeText({ text: '!' });
    await action.setBadgeBackgroundColor({ color: '#b3261e' });
    await action.setTitle({ title: msg('badgeTitleExpired') });
  } else if (state === 'renew') {
    await action.setBadgeText({ text: String(Math.max(0, daysLeft)) });
    await action.setBadgeBackgroundColor({ color: '#8a4b00' });
    await action.setTitle({ title: msg('badgeTitleRenew', [String(daysLeft)]) });
  } else {
    await action.setBadgeText({ text: '' });
    await action.setTitle({ title: msg('actionTitle') });
  }
}

async function restoreBadge() {
  const { reminder } = await api.storage.local.get('reminder');
  if (reminder && reminder.state) await showBadge(reminder.state, reminder.days_left);
  // No check for half a day (the browser was closed, or the alarm was lost): check now rather than tomorrow.
  const age = reminder ? Date.now() - Date.parse(reminder.checked_at) : Infinity;
  if (!(age < 12 * 3600 * 1000)) await checkExpiry();
  await ensureAlarm();
}

function msg(key, subs) { return api.i18n.getMessage(key, subs) || key; }

// Checks run one after another, so two overlapping checks cannot both notify.
let checking = Promise.resolve();
function checkExpiry() {
  const run = checking.then(checkOnce, checkOnce);
  checking = run.catch(() => {});
  return run;
}

async function checkOnce() {
  let r;
  try {
    // Safari: through the queue of the one handler core (query needs no login and does not change it).
    r = SAFARI ? await safariRequest({ id: 'reminder', cmd: 'query' }, () => {})
      : await api.runtime.sendNativeMessage(HOST, { id: 'reminder', cmd: 'query' });
  } catch (e) {
    return { state: 'unknown', error: classifyDisconnect(e && e.message) };
  }
  if (!r || !r.ok) return { state: 'unknown', error: r && r.error && r.error.code };
  const local = r.result && r.result.local;
  const stored = await api.storage.local.get(['renewal_window_days', 'reminder_notified']);
  const windowDays = Number.isInteger(stored.renewal_window_days) ? stored.renewal_window_days : DEFAULT_WINDOW_DAYS;
  let state = 'none';
  if (local) state = (local.expired || local.days_left < 0) ? 'expired' : (local.days_left <= windowDays ? 'renew' : 'ok');
  await showBadge(state, local ? local.days_left : null);
  const result = { state, serial: local ? local.serial : null, days_left: local ? local.days_left : null,
    window_days: windowDays, checked_at: new Date().toISOString(), notified: false };
  if (state === 'expired' || state === 'renew') {
    const key = `${local.serial}:${state}`;
    if (stored.reminder_notified !== key) {
      await api.notifications.create(ALARM, {
        type: 'basic',
        iconUrl: api.runtime.getURL('icons/icon128.png'),
        title: msg(state === 'expired' ? 'remindExpiredTitle' : 'remindTitle'),
        message: state === 'expired' ? msg('remindExpiredBody') : msg('remindBody', [String(local.days_left)]),
      });
      await api.storage.local.set({ reminder_notified: key });
      result.notified = true;
    }
  }
  await api.storage.local.set({ reminder: result });
  return result;
}

api.notifications.onClicked.addListener(async (id) => {
  if (id !== ALARM) return;
  const { reminder } = await api.storage.local.get('reminder');
  const page = reminder && reminder.state === 'expired' ? 'apply' : 'renew';
  api.tabs.create({ url: api.runtime.getURL(`manager.html#${page}`) });
  api.notifications.clear(id);
});

api.alarms.onAlarm.addListener((a) => { if (a.name === ALARM) checkExpiry().catch(() => {}); });

async function ensureAlarm() {
  const a = await api.alarms.get(ALARM);
  if (!a) api.alarms.create(ALARM, { delayInMinutes: 1, periodInMinutes: 24 * 60 });
}
api.runtime.onInstalled.addListener(() => { ensureAlarm(); });
api.runtime.onStartup.addListener(() => { ensureAlarm(); checkExpiry().catch(() => {}); });
restoreBadge().catch(() => {});
