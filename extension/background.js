/*
 * e-Cert Manager background: serves the popup and the manager page over runtime ports with the one native
 * connection (background/native.js), tells every page when the login ends, and starts the expiry reminder
 * (background/reminder.js). Safari's transport is background/safari.js; what a host failure means,
 * background/errors.js. Chromium loads the parts here (service worker); Firefox lists them in background.scripts.
 *
 * Page -> background (runtime port "ecm-ui"): {rid, cmd, args, broker?}  ("_state" is the host's `session`;
 * "_check_expiry" is the reminder's check now).
 * Background -> page: {rid, progress} ... then {rid, reply: {ok, result|error}};  {event: "session", ...}.
 * Nothing secret is kept here after a reply: passwords only pass through to the host.
 */
'use strict';
if (typeof importScripts === 'function' && typeof window === 'undefined') {
  importScripts('background/errors.js', 'background/safari.js', 'background/native.js', 'background/broker-logic.js',
    'background/brokers.js', 'background/reminder.js',
    // Signing for brokers' pages (uses ecmBackground.nativeCall).
    'sign/sign-background.js');
}
(() => {
  const bg = globalThis.ecmBackground;
  const api = globalThis.browser ?? globalThis.chrome;
  const uiPorts = new Set();
  let loggedIn = false;   // only to tell the pages when a session ends; the host holds the session itself

  const send = (ui, m) => { try { ui.postMessage(m); } catch (e) { /* page closed */ } };
  const broadcast = (m) => { for (const p of uiPorts) send(p, m); };

  function sessionEnded(reason) {
    const was = loggedIn;
    loggedIn = false;
    if (was) broadcast({ event: 'session', logged_in: false, reason });
  }
  bg.native.onClosed = () => sessionEnded('ended');

  // The renewal window the RA said at this login, kept per broker for the reminder (broker-logic.js windowOf).
  async function rememberWindow(result) {
    const { renewal_windows: all } = await api.storage.local.get('renewal_windows');
    const id = (result.broker && result.broker.id) || '';
    await api.storage.local.set({ renewal_windows: { ...(all || {}), [id]: result.renewal_window_days } });
  }

  // What a reply means beyond its caller: the login state, the renewal window, the badge.
  function after(cmd, reply) {
    if (cmd === 'login') {
      loggedIn = reply.ok;
      if (reply.ok && Number.isInteger(reply.result.renewal_window_days)) rememberWindow(reply.result);
      broadcast({ event: 'session', logged_in: loggedIn });
    } else if (cmd === 'hello' && reply.ok) {
      bg.syncBrokers(reply.result).catch(() => {});   // the installed profiles may have changed: heard pages follow
    } else if (cmd === 'logout' && reply.ok) {
      sessionEnded('logout');
    } else if (cmd === 'session' && reply.ok) {
      loggedIn = !!reply.result.logged_in;
    } else if (reply.ok && ['apply', 'renew', 'import', 'save_issued', 'install', 'cleanup'].includes(cmd)) {
      bg.checkExpiry().catch(() => {});   // a certificate in the stores changed: the badge follows
    } else if (!reply.ok && reply.error.code === 'NOT_LOGGED_IN' && loggedIn) {
      // The core no longer has the login although we had one: on Safari the handler's process was ended between
      // messages (on a port the port drops first). Same as a dropped session: every page shows the login again.
      sessionEnded('ended');
    }
  }

  async function serve(ui, m) {
    if (m.cmd === '_check_expiry') {
      const r = await bg.checkExpiry().then((x) => ({ ok: true, result: x }), (e) => bg.failure('INTERNAL', String(e)));
      send(ui, { rid: m.rid, reply: r });
      return;
    }
    // _state: the host holds the session; ask it (its answer follows every apply, renew and refresh), keep no copy.
    const cmd = m.cmd === '_state' ? 'session' : m.cmd;
    const reply = await bg.native.call(cmd, m.cmd === '_state' ? undefined : m.args,
      (progress) => send(ui, { rid: m.rid, progress }), m.broker);
    send(ui, { rid: m.rid, reply });   // the caller first, then the other pages
    after(cmd, reply);
  }

  api.runtime.onConnect.addListener((ui) => {
    if (ui.name !== 'ecm-ui' || (ui.sender && ui.sender.id !== api.runtime.id)) return;
    uiPorts.add(ui);
    ui.onDisconnect.addListener(() => uiPorts.delete(ui));
    ui.onMessage.addListener((m) => { if (m && typeof m.cmd === 'string') serve(ui, m); });
  });

  bg.startReminder();
})();
