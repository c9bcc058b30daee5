// The Safari transport of extension/background.js against the real core, run by tests/e2e/safari-transport.t
// (which starts the development RA and makes a fake HOME; E2E_TMP, RA_JSON and ECM_BUILD come from it).
//
// background.js runs in a vm context that looks like Safari (location.protocol 'safari-web-extension:') with a
// `browser` whose runtime.sendNativeMessage is what installer/macos/safari/Extension/SafariWebExtensionHandler.swift
// does, with `ecm session` as its one core: the request goes in as one JSON line, the core's output lines up to
// and including the reply come back batched as {events: [progress…], reply}. One `ecm session` process = one
// core instance = one login, as in the handler's process. Pages are fake runtime ports named "ecm-ui".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import vm from 'node:vm';
import { ROOT, EXT, TMP, raOtp, account } from './lib.mjs';

const BUILD = path.resolve(ROOT, process.env.ECM_BUILD || 'build');
const HOME = path.join(TMP, 'home');
const CONFIG = path.join(TMP, 'host.json');
const clone = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));   // what crossing a boundary does

/* ---- the handler: one `ecm session` per "app-extension process" ---- */
class Core {
  constructor() {
    this.proc = spawn(path.join(BUILD, 'ecm'), ['session'], {
      env: { ...process.env, HOME, ECM_CONFIG: CONFIG }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.lines = [];
    this.waiters = [];
    this.exited = false;
    readline.createInterface({ input: this.proc.stdout }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l); else this.lines.push(l);
    });
    this.proc.on('exit', () => { this.exited = true; for (const w of this.waiters.splice(0)) w(null); });
  }
  nextLine() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.exited) return Promise.resolve(null);
    return new Promise((r) => this.waiters.push(r));
  }
  // As SharedCore.handle: every message the core emits for this request; the last one (no "progress") is the reply.
  async handle(request) {
    this.proc.stdin.write(JSON.stringify(request) + '\n');
    const messages = [];
    for (;;) {
      const l = await this.nextLine();
      if (l === null) throw new Error('the core process ended');
      const m = JSON.parse(l);
      messages.push(m);
      if (!('progress' in m)) break;
    }
    return { events: messages.slice(0, -1), reply: messages[messages.length - 1] };
  }
  end() {
    if (this.exited) return Promise.resolve();
    return new Promise((r) => { this.proc.once('exit', r); this.proc.kill('SIGTERM'); });
  }
}

/* ---- a fake WebExtension API around background.js ---- */
function loadBackground({ protocol, handler }) {
  const listeners = { connect: [] };
  const store = {};
  const fake = {
    log: [],            // every sendNativeMessage: {app, msg, answer}
    inFlight: 0,
    maxInFlight: 0,
    connectNative: [],
    failNext: null,     // an Error: the next sendNativeMessage rejects with it
    answerNext: null,   // an answer object: the next sendNativeMessage resolves with it (no core involved)
  };
  const noop = () => {};
  const done = async () => {};
  const event = (name) => ({ addListener: (f) => { (listeners[name] ||= []).push(f); } });
  const browser = {
    runtime: {
      id: 'safari-test',
      lastError: undefined,
      getURL: (p) => `${protocol}//safari-test/${p}`,
      onConnect: event('connect'), onInstalled: event('installed'), onStartup: event('startup'),
      connectNative: (name) => {
        fake.connectNative.push(name);
        const m = [], d = [];
        return { onMessage: { addListener: (f) => m.push(f) }, onDisconnect: { addListener: (f) => d.push(f) },
          postMessage: (msg) => { fake.log.push({ port: name, msg: clone(msg) }); } };
      },
      sendNativeMessage: async (app, message) => {
        const msg = clone(message);
        fake.inFlight++;
        fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
        const entry = { app, msg };
        fake.log.push(entry);
        try {
          await new Promise((r) => setTimeout(r, 5));   // room for an overlapping call to show up
          if (fake.failNext) { const e = fake.failNext; fake.failNext = null; throw e; }
          if (fake.answerNext) { entry.answer = fake.answerNext; fake.answerNext = null; return clone(entry.answer); }
          entry.answer = await handler().handle(msg);
          return clone(entry.answer);
        } finally {
          fake.inFlight--;
        }
      },
    },
    storage: { local: {
      get: async (keys) => Object.fromEntries([].concat(keys).filter((k) => k in store).map((k) => [k, store[k]])),
      set: async (o) => { Object.assign(store, clone(o)); },
    } },
    i18n: { getMessage: () => '', getUILanguage: () => 'en' },
    action: { setBadgeText: done, setBadgeBackgroundColor: done, setTitle: done },
    notifications: { create: done, clear: done, onClicked: event('notification') },
    alarms: { get: async () => null, create: noop, onAlarm: event('alarm') },
    tabs: { create: noop },
  };
  const run = (f) => vm.runInContext(fs.readFileSync(path.join(EXT, f), 'utf8'), ctx, { filename: f });
  // background.js loads its parts with importScripts, as in Chromium's service worker (signing is not under test).
  const importScripts = (...files) => { for (const f of files) if (!f.startsWith('sign/')) run(f); };
  const ctx = vm.createContext({ browser, location: { protocol }, console, setTimeout, clearTimeout, importScripts, TextEncoder });
  run('background.js');

  // A page: a runtime port named "ecm-ui". call() resolves with {reply, progress, order}.
  function page() {
    const onMsg = [], onDisc = [];
    const p = {
      received: [], waiting: new Map(), nextRid: 1,
      port: {
        name: 'ecm-ui', sender: { id: 'safari-test' },
        onMessage: { addListener: (f) => onMsg.push(f) },
        onDisconnect: { addListener: (f) => onDisc.push(f) },
        postMessage: (m) => {
          m = clone(m);
          p.received.push(m);
          const w = p.waiting.get(m.rid);
          if (!w) return;
          if (m.progress) { w.progress.push(m.progress); return; }
          p.waiting.delete(m.rid);
          w.resolve({ reply: m.reply, progress: w.progress });
        },
      },
      call(cmd, args) {
        const rid = p.nextRid++;
        return new Promise((resolve) => {
          p.waiting.set(rid, { resolve, progress: [] });
          for (const f of onMsg) f(clone(args === undefined ? { rid, cmd } : { rid, cmd, args }));
        });
      },
    };
    for (const f of listeners.connect) f(p.port);
    return p;
  }
  return { fake, page, store, bg: ctx.ecmBackground };
}

let core = new Core();
const bg = loadBackground({ protocol: 'safari-web-extension:', handler: () => core });
const ui = bg.page();
const other = bg.page();         // a second open page, for the session broadcasts
const acct = account('new');
after(() => core.end());

const sent = (cmd) => bg.fake.log.filter((e) => e.msg && e.msg.cmd === cmd);

test('hello goes through runtime.sendNativeMessage (not connectNative) and comes back as the reply', async () => {
  const { reply, progress } = await ui.call('hello');
  assert.equal(reply.ok, true, JSON.stringify(reply));
  assert.equal(reply.result.host, 'e-Cert Manager');
  assert.equal(reply.result.protocol, 1);
  assert.equal(reply.result.logged_in, false);
  assert.deepEqual(progress, []);
  assert.deepEqual(bg.fake.connectNative, [], 'connectNative is never called on Safari');
  const e = sent('hello')[0];
  assert.equal(e.app, 'org.ecertmanager.safari');
  assert.deepEqual(Object.keys(e.msg).sort(), ['cmd', 'id']);
});

test('login is kept across requests: terms, list and _state after login (one core)', async () => {
  const login = await ui.call('login', { id: acct.id, password: acct.password });
  assert.equal(login.reply.ok, true, JSON.stringify(login.reply));
  assert.equal(login.reply.result.account.id, acct.id);
  assert.ok(other.received.some((m) => m.event === 'session' && m.logged_in === true), 'other pages told of the login');
  for (const cmd of ['terms', 'list']) {
    const r = await ui.call(cmd);
    assert.equal(r.reply.ok, true, `${cmd}: ${JSON.stringify(r.reply)}`);
  }
  const hello = await ui.call('hello');
  assert.equal(hello.reply.result.logged_in, true);
  const st = await other.call('_state');
  assert.equal(st.reply.result.logged_in, true);
  assert.equal(st.reply.result.login.account.id, acct.id);
});

test('apply: the progress events are replayed in order, before the reply', async () => {
  const terms = await ui.call('terms');
  assert.equal((await ui.call('otp_request')).reply.ok, true);
  const otp = raOtp(acct.id);
  const before = ui.received.length;
  const backup = path.join(TMP, 'safari-apply.pfx');
  const r = await ui.call('apply', { terms_version: terms.reply.result.version, otp,
    backup: { path: backup, password: 'Backup-Pass-1234' } });
  assert.equal(r.reply.ok, true, JSON.stringify(r.reply));
  assert.ok(fs.existsSync(backup), 'backup written');
  const raw = sent('apply').at(-1).answer;
  assert.deepEqual(r.progress.map((p) => p.step), ['keygen', 'enroll', 'backup', 'install']);
  assert.deepEqual(r.progress, raw.events.map((e) => e.progress), 'the events as the core emitted them, in order');
  const mine = ui.received.slice(before).filter((m) => m.rid !== undefined);
  assert.equal(mine.length, 5);
  assert.ok(mine.slice(0, 4).every((m) => m.progress) && mine[4].reply, 'four progress messages, then the reply');
  assert.deepEqual(r.reply.result, raw.reply.result);
});

test('install: its progress event comes before its reply', async () => {
  const r = await ui.call('install');
  assert.equal(r.reply.ok, true, JSON.stringify(r.reply));
  assert.deepEqual(r.progress.map((p) => p.step), ['install']);
  assert.ok(r.reply.result.results.length >= 1);
});

test('concurrent calls are serialized: one at a time at the handler, in call order, each answered to its caller', async () => {
  const from = bg.fake.log.length;
  bg.fake.maxInFlight = 0;
  const cmds = ['hello', 'revoke_url', 'stores', 'query', 'terms', 'list', 'otp_request'];
  const pages = [ui, other];
  const replies = await Promise.all(cmds.map((c, i) => pages[i % 2].call(c)));
  assert.equal(bg.fake.maxInFlight, 1, 'never two sendNativeMessage calls at once');
  const seen = bg.fake.log.slice(from).filter((e) => e.msg.cmd !== 'expiry');   // a reminder check may run too
  assert.deepEqual(seen.map((e) => e.msg.cmd), cmds, 'the handler saw them in call order');
  const ids = seen.map((e) => e.msg.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids increase');
  for (const [i, r] of replies.entries()) assert.equal(r.reply.ok, true, `${cmds[i]}: ${JSON.stringify(r.reply)}`);
  assert.equal(replies[0].reply.result.host, 'e-Cert Manager');
  assert.equal(typeof replies[1].reply.result.url, 'string');
  assert.ok(Array.isArray(replies[2].reply.result.stores));
  assert.ok(replies[3].reply.result.local, 'query finds the applied certificate');
  assert.ok(Array.isArray(replies[5].reply.result.certificates));
});

test('an error reply is passed through unchanged', async () => {
  for (const [cmd, args, code] of [['import', { data: 'bm90IGEgcGZ4', password: 'x' }, 'PFX_INVALID'],
    ['no_such_command', undefined, 'UNKNOWN_COMMAND'], ['backup', { password: 'short' }, 'PASSWORD_TOO_WEAK']]) {
    const r = await ui.call(cmd, args);
    const raw = sent(cmd).at(-1).answer.reply;
    assert.equal(raw.ok, false);
    assert.equal(raw.error.code, code, JSON.stringify(raw));
    assert.deepEqual(r.reply, { ok: false, error: raw.error }, `${cmd}: code, message and details as the core sent them`);
  }
  const st = await ui.call('_state');
  assert.equal(st.reply.result.logged_in, true, 'an error does not end the session');
});

test('the expiry reminder (_check_expiry) goes through the same queue and unpacks the answer', async () => {
  const r = await ui.call('_check_expiry');
  assert.equal(r.reply.ok, true);
  assert.equal(r.reply.result.state, 'ok', JSON.stringify(r.reply.result));
  const e = sent('expiry').at(-1);
  assert.equal(r.reply.result.serial, e.answer.reply.result.customers[0].serial);
  assert.equal(r.reply.result.nearest.masked_id, e.answer.reply.result.customers[0].masked_id);
  assert.match(r.reply.result.nearest.masked_id, /^[A-Z][A-Z0-9]\d\*{4}\d{3}$/, 'whose, masked');
});

test('a failed sendNativeMessage answers that call only; the queue goes on', async () => {
  bg.fake.failNext = new Error('the app extension crashed');
  const [a, b] = await Promise.all([ui.call('stores'), ui.call('revoke_url')]);
  assert.equal(a.reply.ok, false);
  assert.equal(a.reply.error.code, 'HOST_EXITED');
  assert.equal(b.reply.ok, true, JSON.stringify(b.reply));
  bg.fake.answerNext = { reply: { id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'the message is not a JSON object', details: {} } } };
  const c = await ui.call('hello');
  assert.deepEqual(c.reply, { ok: false, error: { code: 'BAD_REQUEST', message: 'the message is not a JSON object', details: {} } },
    'a handler reply with id null answers the request it came for');
  bg.fake.answerNext = {};
  const d = await ui.call('hello');
  assert.equal(d.reply.error.code, 'HOST_EXITED', 'an answer without reply');
  assert.equal((await ui.call('hello')).reply.ok, true);
});

test('Safari ended the handler process: the next command answers NOT_LOGGED_IN and every page is sent to the login', async () => {
  await core.end();
  core = new Core();              // the next message starts a new process, so a new core
  const before = [ui.received.length, other.received.length];
  const r = await ui.call('list');
  assert.equal(r.reply.ok, false);
  assert.equal(r.reply.error.code, 'NOT_LOGGED_IN');
  for (const [i, p] of [ui, other].entries()) {
    assert.ok(p.received.slice(before[i]).some((m) => m.event === 'session' && m.logged_in === false && m.reason === 'ended'),
      'session-ended broadcast (the pages show the login with 「請重新登入」)');
  }
  assert.equal((await other.call('_state')).reply.result.logged_in, false);
  const again = await ui.call('login', { id: acct.id, password: acct.password });
  assert.equal(again.reply.ok, true, 'logging in again works');
  assert.equal((await ui.call('terms')).reply.ok, true);
  assert.equal((await ui.call('logout')).reply.result.was_logged_in, true);
});

test('outside Safari the background still uses connectNative (the port path is untouched)', async () => {
  const chrome = loadBackground({ protocol: 'chrome-extension:', handler: () => { throw new Error('not used'); } });
  const p = chrome.page();
  p.call('hello');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(chrome.fake.connectNative, ['org.ecertmanager.host']);
  // (besides the reminder's one-shot expiry, which the background sends when it starts with no recent check)
  assert.deepEqual(chrome.fake.log.filter((e) => e.msg.cmd !== 'expiry').map((e) => [e.port, e.msg.cmd]),
    [['org.ecertmanager.host', 'hello']]);
});

test('a request over the host\'s size limit is refused before anything is sent (MESSAGE_TOO_LARGE)', async () => {
  const chrome = loadBackground({ protocol: 'chrome-extension:', handler: () => { throw new Error('not used'); } });
  const r = await chrome.page().call('import', { data: 'A'.repeat(8 * 1024 * 1024 + 1), password: 'x' });
  assert.equal(r.reply.error.code, 'MESSAGE_TOO_LARGE');
  assert.deepEqual(chrome.fake.log.filter((e) => e.msg.cmd === 'import'), [], 'nothing reached the host');
});

test('a host that does not answer in time: HOST_TIMEOUT to every waiting call, the port let go, the pages told', async () => {
  const chrome = loadBackground({ protocol: 'chrome-extension:', handler: () => { throw new Error('not used'); } });
  chrome.bg.timeouts.stores = 100;
  const [a, b] = [chrome.page(), chrome.page()];
  assert.equal(chrome.bg.native.state, 'closed');
  const slow = a.call('stores');
  const other = b.call('pick_file');   // no timeout of its own (a person chooses), but the same stuck host
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(chrome.bg.native.state, 'open');
  const [x, y] = await Promise.all([slow, other]);
  assert.equal(x.reply.error.code, 'HOST_TIMEOUT');
  assert.equal(y.reply.error.code, 'HOST_TIMEOUT');
  assert.equal(chrome.bg.native.state, 'closed');
  a.call('hello');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(chrome.fake.connectNative.length, 2, 'the next call starts a new host');
});

test('nativeCall (for the reminder and signing): one-shot, timeout, failures classified in one place', async () => {
  let hang = false;
  const chrome = loadBackground({ protocol: 'chrome-extension:', handler: () => {
    if (hang) return { handle: () => new Promise(() => {}) };
    throw new Error('Native host has exited.');
  } });
  await new Promise((r) => setTimeout(r, 30));   // the reminder's check at start-up is over
  chrome.fake.answerNext = { id: 'x', ok: true, result: { fine: 1 } };
  assert.deepEqual(clone(await chrome.bg.nativeCall('hello')), { ok: true, result: { fine: 1 } });
  chrome.fake.failNext = new Error('Specified native messaging host not found.');
  assert.equal((await chrome.bg.nativeCall('hello')).error.code, 'HOST_NOT_FOUND');
  chrome.fake.failNext = new Error('Access to the specified native messaging host is forbidden.');
  assert.equal((await chrome.bg.nativeCall('hello')).error.code, 'CALLER_NOT_ALLOWED');
  assert.equal((await chrome.bg.nativeCall('hello')).error.code, 'HOST_EXITED');
  hang = true;
  assert.equal((await chrome.bg.nativeCall('stores', undefined, { timeoutMs: 50 })).error.code, 'HOST_TIMEOUT');
});
