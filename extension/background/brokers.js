/*
 * Which brokers' pages the extension hears (issue 20, docs/signing.md): the content script sign/content.js is
 * registered at run time for every origin an installed broker profile lists (hello's `brokers`) AND the person
 * granted (optional host permissions); nothing else. Synced at install and browser start, when a permission is
 * added or removed, and whenever a hello passes through the background (the popup's, the signing's).
 *   bg.brokers() -> Promise<[{id, name, origins}]>   (hello, kept 30 s)
 *   bg.syncBrokers(helloResult?) -> Promise<{matches}>
 *   bg.granted(patterns) -> Promise<[pattern]>      (those the browser holds)
 */
'use strict';
(() => {
  const bg = (globalThis.ecmBackground ||= {});
  const api = globalThis.browser ?? globalThis.chrome;
  const logic = globalThis.ecmBrokerLogic;
  const SCRIPT_ID = 'ecm-sign';
  const TTL_MS = 30e3;
  let cache = { list: null, at: 0 };

  function remember(helloResult) {
    cache = { list: logic.brokersOf(helloResult), at: Date.now() };
    return cache.list;
  }

  bg.brokers = async function brokers() {
    if (cache.list && Date.now() - cache.at < TTL_MS) return cache.list;
    const r = await bg.nativeCall('hello');
    return r.ok ? remember(r.result) : [];
  };

  // A browser without run-time content scripts (an older Safari) hears no page at all.
  const able = !!(api.scripting && api.scripting.registerContentScripts && api.permissions);

  bg.granted = async function granted(patterns) {
    const out = [];
    if (!able) return out;
    for (const p of patterns) if (await api.permissions.contains({ origins: [p] }).catch(() => false)) out.push(p);
    return out;
  };

  // One registration for every heard pattern; replaced only when the list changes. One sync at a time.
  async function syncOnce(helloResult) {
    const list = helloResult ? remember(helloResult) : await bg.brokers();
    if (!able) return { matches: [] };
    const matches = logic.wantedMatches(list, await bg.granted(logic.patternsOf(list)));
    const now = await api.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] }).catch(() => []);
    if (now.length && logic.sameList(now[0].matches || [], matches)) return { matches };
    if (now.length) await api.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    if (matches.length) {
      await api.scripting.registerContentScripts([{ id: SCRIPT_ID, js: ['sign/content.js'], matches, runAt: 'document_start',
        allFrames: true, persistAcrossSessions: true }]);
    }
    return { matches };
  }
  let syncing = Promise.resolve();
  bg.syncBrokers = function syncBrokers(helloResult) {
    const run = syncing.then(() => syncOnce(helloResult), () => syncOnce(helloResult));
    syncing = run.catch(() => {});
    return run;
  };

  const resync = () => { cache.at = 0; bg.syncBrokers().catch(() => {}); };
  if (!able) return;
  api.runtime.onInstalled.addListener(resync);
  api.runtime.onStartup.addListener(resync);
  api.permissions.onAdded.addListener(resync);
  api.permissions.onRemoved.addListener(resync);
})();
