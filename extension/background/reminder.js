/*
 * The daily expiry reminder for everyone who uses this computer (issue 17 item 4): the host's `expiry` lists each
 * customer with a certificate here (masked ID, expiry), no login needed. The badge shows the nearest expiry; the
 * notification and the pages' banner (storage.local `reminder`) say whose, at which broker (each entry's `broker`),
 * and when. One notification per certificate and state.
 */
'use strict';
(() => {
  const bg = (globalThis.ecmBackground ||= {});
  const api = globalThis.browser ?? globalThis.chrome;
  const ALARM = 'ecm-expiry';

  const msg = (key, subs) => api.i18n.getMessage(key, subs) || key;
  const lang = () => (api.i18n.getUILanguage ? api.i18n.getUILanguage() : '');
  // "甲證券：…": the sentence about c, led by its broker's name when the host says whose certificate it is.
  const about = (c, key, subs) => (c.broker
    ? msg('withBroker', [globalThis.ecmBrokerLogic.nameOf(c.broker, lang()), msg(key, subs)]) : msg(key, subs));
  // The expiry date as this browser's language writes it, in local time.
  bg.localDate = (iso) => new Date(iso).toLocaleDateString(api.i18n.getUILanguage ? api.i18n.getUILanguage() : undefined);

  const logic = () => globalThis.ecmBrokerLogic;

  function stateOf(c, windowDays) {
    if (!c) return 'none';
    if (c.expired || c.days_left < 0) return 'expired';
    return c.days_left <= windowDays ? 'renew' : 'ok';
  }

  // The badge is not kept across a browser restart: it is drawn again from the last check whenever this
  // background starts (browser start-up, a woken service worker), then checked afresh on start-up.
  async function showBadge(r) {
    const action = api.action ?? api.browserAction;
    const c = r.nearest;
    if (r.state === 'expired') {
      await action.setBadgeText({ text: '!' });
      await action.setBadgeBackgroundColor({ color: '#b3261e' });
      await action.setTitle({ title: about(c, 'badgeTitleExpired', [c.masked_id, bg.localDate(c.not_after)]) });
    } else if (r.state === 'renew') {
      await action.setBadgeText({ text: String(Math.max(0, c.days_left)) });
      await action.setBadgeBackgroundColor({ color: '#8a4b00' });
      await action.setTitle({ title: about(c, 'badgeTitleRenew', [c.masked_id, bg.localDate(c.not_after), String(c.days_left)]) });
    } else {
      await action.setBadgeText({ text: '' });
      await action.setTitle({ title: msg('actionTitle') });
    }
  }

  async function notify(r) {
    const c = r.nearest;
    const expired = r.state === 'expired';
    await api.notifications.create(ALARM, {
      type: 'basic',
      iconUrl: api.runtime.getURL('icons/icon128.png'),
      title: msg(expired ? 'remindExpiredTitle' : 'remindTitle'),
      message: expired ? about(c, 'remindExpiredBody', [c.masked_id, bg.localDate(c.not_after)])
        : about(c, 'remindBody', [c.masked_id, bg.localDate(c.not_after), String(c.days_left)]),
    });
  }

  async function checkOnce() {
    const r = await bg.nativeCall('expiry');
    if (!r.ok) return { state: 'unknown', error: r.error.code };
    const stored = await api.storage.local.get(['renewal_windows', 'reminder_notified']);
    const customers = (Array.isArray(r.result.customers) ? r.result.customers : []).map((c) => {
      const windowDays = logic().windowOf(c, stored.renewal_windows);
      return { masked_id: c.masked_id, serial: c.serial, not_after: c.not_after, days_left: c.days_left,
        expired: !!c.expired, state: stateOf(c, windowDays), window_days: windowDays, broker: c.broker || null };
    });
    // the host sends the nearest expiry first; the badge speaks of the most urgent (broker-logic.js reminderFocus)
    const nearest = logic().reminderFocus(customers);
    const result = { state: nearest ? nearest.state : 'none', nearest, customers, serial: nearest && nearest.serial,
      days_left: nearest && nearest.days_left, window_days: nearest && nearest.window_days,
      checked_at: new Date().toISOString(), notified: false };
    await showBadge(result);
    if (result.state === 'expired' || result.state === 'renew') {
      const key = `${nearest.serial}:${result.state}`;
      if (stored.reminder_notified !== key) {
        await notify(result);
        await api.storage.local.set({ reminder_notified: key });
        result.notified = true;
      }
    }
    await api.storage.local.set({ reminder: result });
    return result;
  }

  // Checks run one after another, so two overlapping checks cannot both notify.
  let checking = Promise.resolve();
  bg.checkExpiry = function checkExpiry() {
    const run = checking.then(checkOnce, checkOnce);
    checking = run.catch(() => {});
    return run;
  };

  async function ensureAlarm() {
    const a = await api.alarms.get(ALARM);
    if (!a) api.alarms.create(ALARM, { delayInMinutes: 1, periodInMinutes: 24 * 60 });
  }

  async function restore() {
    const { reminder } = await api.storage.local.get('reminder');
    if (reminder && reminder.state && reminder.nearest) await showBadge(reminder);
    // No check for half a day (the browser was closed, or the alarm was lost): check now rather than tomorrow.
    const age = reminder ? Date.now() - Date.parse(reminder.checked_at) : Infinity;
    if (!(age < 12 * 3600 * 1000)) await bg.checkExpiry();
    await ensureAlarm();
  }

  api.notifications.onClicked.addListener(async (id) => {
    if (id !== ALARM) return;
    const { reminder } = await api.storage.local.get('reminder');
    const page = reminder && reminder.state === 'expired' ? 'apply' : 'renew';
    api.tabs.create({ url: api.runtime.getURL(`manager.html#${page}`) });
    api.notifications.clear(id);
  });
  api.alarms.onAlarm.addListener((a) => { if (a.name === ALARM) bg.checkExpiry().catch(() => {}); });
  api.runtime.onInstalled.addListener(() => { ensureAlarm(); });
  api.runtime.onStartup.addListener(() => { ensureAlarm(); bg.checkExpiry().catch(() => {}); });
  bg.startReminder = () => restore().catch(() => {});
})();
