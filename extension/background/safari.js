/*
 * Safari's transport. Safari has no native-messaging host: each request goes with runtime.sendNativeMessage to the
 * containing app's SafariWebExtensionHandler (one core per app-extension process), which answers with the batch
 * {events: [progress…], reply}. safariPort() looks like a native port to native.js; safariRequest() serves
 * one-shot calls (the reminder) through the same queue, so they never overlap a UI request.
 */
'use strict';
(() => {
  const bg = (globalThis.ecmBackground ||= {});
  const api = globalThis.browser ?? globalThis.chrome;
  const SAFARI_APP = 'org.ecertmanager.safari';   // Safari ignores this argument: the handler of the containing app answers

  // Told by the extension pages' scheme. (Not by a missing connectNative: Safari has one, but its port carries
  // messages from the app, not request/answer pairs to the handler's beginRequest.)
  bg.SAFARI = typeof location !== 'undefined' && location.protocol === 'safari-web-extension:';

  // One request at a time, in call order, like the messages on a port: each waits for the previous answer.
  // Resolves with the core's reply message (never rejects) after calling onEvent for each progress event.
  let queue = Promise.resolve();
  bg.safariRequest = function safariRequest(msg, onEvent) {
    const run = queue.then(async () => {
      let answer;
      try {
        answer = await api.runtime.sendNativeMessage(SAFARI_APP, msg);
      } catch (e) {
        return { id: msg.id, ...bg.failureOf(e) };
      }
      const reply = answer && answer.reply;
      if (!reply || typeof reply !== 'object')
        return { id: msg.id, ...bg.failure('HOST_EXITED', 'the Safari handler sent no reply') };
      for (const ev of Array.isArray(answer.events) ? answer.events : []) onEvent(ev);
      // The handler's own errors (message not JSON, core not started) carry id null: they answer this request.
      return reply.id === msg.id ? reply : { ...reply, id: msg.id };
    });
    queue = run.catch(() => {});
    return run;
  };

  // postMessage in, onMessage out. There is no connection to lose, so onDisconnect never fires; a lost core
  // shows as NOT_LOGGED_IN (background.js).
  bg.safariPort = function safariPort() {
    const listeners = [];
    const deliver = (m) => { for (const f of listeners) f(m); };
    return {
      onMessage: { addListener: (f) => { listeners.push(f); } },
      onDisconnect: { addListener: () => {} },
      postMessage: (msg) => { bg.safariRequest(msg, deliver).then(deliver); },
      disconnect: () => {},
    };
  };
})();
