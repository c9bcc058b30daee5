/*
 * Which broker an origin or a request belongs to, and which pages the extension may hear (issue 20, docs/signing.md).
 * Pure functions over hello's `brokers` ([{id, name: {"zh-TW", "en"}, origins: [...]}]), with no browser API, so that
 * the background (a classic script), the popup (a module: imported for its effect) and the unit tests
 * (tests/e2e/lib-logic.test.mjs) share one copy: globalThis.ecmBrokerLogic.
 */
'use strict';
(() => {
  // hello's brokers, each with only well-formed origins; [] when the host sends none.
  function brokersOf(helloResult) {
    const list = helloResult && Array.isArray(helloResult.brokers) ? helloResult.brokers : [];
    return list.filter((b) => b && typeof b.id === 'string')
      .map((b) => ({ id: b.id, name: b.name || {}, origins: (Array.isArray(b.origins) ? b.origins : []).filter((o) => patternOf(o)) }));
  }

  // The match pattern of an exact https origin: no port (Firefox forbids one; any port matches), so the background
  // still compares the sender's exact origin. null for anything that is not an https origin.
  function patternOf(origin) {
    let u;
    try { u = new URL(origin); } catch (e) { return null; }
    if (u.protocol !== 'https:' || u.origin !== origin || u.hostname.includes('*')) return null;
    return `${u.protocol}//${u.hostname}/*`;
  }

  // The broker whose profile lists exactly this origin, or null.
  function brokerOfOrigin(brokers, origin) {
    return brokers.find((b) => b.origins.includes(origin)) || null;
  }

  // The patterns of every listed origin, each once, sorted.
  function patternsOf(brokers) {
    return [...new Set(brokers.flatMap((b) => b.origins.map(patternOf)))].sort();
  }

  // The brokers with a page the person has not yet allowed (granted: the patterns the browser holds).
  function ungranted(brokers, granted) {
    return brokers.filter((b) => b.origins.some((o) => !granted.includes(patternOf(o))));
  }

  // The content script's matches: what a profile lists and the person granted.
  function wantedMatches(brokers, granted) {
    return patternsOf(brokers).filter((p) => granted.includes(p));
  }

  const sameList = (a, b) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

  // A broker's name in the UI language ("zh-TW" or "en"; zh-* reads zh-TW), else its id.
  function nameOf(broker, lang) {
    const n = (broker && broker.name) || {};
    const want = /^zh/i.test(lang || '') ? 'zh-TW' : 'en';
    return n[want] || n['zh-TW'] || n.en || (broker && broker.id) || '';
  }

  // The broker the login screen starts with: the remembered one while it is installed, else the first.
  function defaultBroker(brokers, remembered) {
    return (brokers.find((b) => b.id === remembered) || brokers[0] || null);
  }

  // The renewal window of an expiry entry: what its broker's RA said at the last login there (windows: {broker id:
  // days}, "" for no broker), else its profile's renew_days, else 30.
  function windowOf(entry, windows) {
    const said = windows && windows[(entry && entry.broker && entry.broker.id) || ''];
    if (Number.isInteger(said)) return said;
    return entry && Number.isInteger(entry.renew_days) ? entry.renew_days : 30;
  }

  // Which entry the badge and the notification are about (entries nearest expiry first, each with its state): the
  // first expired one, else the first inside its broker's window, else the nearest. A certificate inside a long
  // window is not hidden behind a nearer one whose broker's window has not opened yet.
  function reminderFocus(entries) {
    return entries.find((c) => c.state === 'expired') || entries.find((c) => c.state === 'renew') || entries[0] || null;
  }

  globalThis.ecmBrokerLogic = Object.freeze({ brokersOf, patternOf, brokerOfOrigin, patternsOf, ungranted, wantedMatches,
    sameList, nameOf, defaultBroker, windowOf, reminderFocus });
})();
