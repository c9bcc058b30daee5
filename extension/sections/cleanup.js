// 憑證清理: expired, revoked or superseded PC certificates of the user that are really in a store on this
// computer (the host looks without removing anything: cleanup dry_run), removed when the user says so. The
// result says what was removed and, per store, what failed and why; a store protected by a password gets a field
// for it and a retry there.
import { h, call, t, showError, fmtDate, busy } from '../lib/ui.js';
import { app, section, msgBox, okBox } from '../lib/app.js';
import { showErrorText, pwInput } from '../lib/forms.js';
import { storeName } from '../lib/storechoice.js';

const PASSWORD_CODES = ['STORE_PASSWORD_REQUIRED', 'STORE_PASSWORD_WRONG'];

export async function staleCerts() {
  const r = await call('list');
  if (!r.ok) return r;
  const stale = r.result.certificates.filter((c) => c.device === 'PC' && c.status !== 'valid');
  if (!stale.length) return { ok: true, result: [] };
  const found = await call('cleanup', { serials: stale.map((c) => c.serial), dry_run: true });
  if (!found.ok) return found;
  const here = new Set(found.result.found.map((f) => f.serial.toUpperCase().replace(/^0+/, '')));
  return { ok: true, result: stale.filter((c) => here.has(c.serial.toUpperCase().replace(/^0+/, ''))) };
}

export function cleanupOffer(stale, box) {
  if (!stale.length) { box.replaceChildren(h('p.hint#cleanup-none', { text: t('cleanupNone') })); return; }
  const err = msgBox('cleanup-error');
  const yes = h('button.primary#cleanup-yes', { type: 'button', text: t('cleanupButton') });
  const no = h('button#cleanup-no', { type: 'button', text: t('keepButton') });
  const list = h('ul.stale', {}, ...stale.map((c) => h('li', {}, h('span.mono', { text: c.serial }), ' · ',
    t('status_' + c.status), ' · ', fmtDate(c.not_after))));
  box.replaceChildren(h('div.banner#cleanup-ask', { role: 'group', 'aria-labelledby': 'cleanup-q' },
    h('p#cleanup-q', { text: t('cleanupAsk', stale.length) }), list, err, h('div.actions', {}, yes, no)));
  no.addEventListener('click', () => box.replaceChildren());
  yes.addEventListener('click', async () => {
    busy(yes, true);
    const serials = stale.map((c) => c.serial);
    const r = await call('cleanup', { serials });
    busy(yes, false);
    if (!r.ok) { showError(err, r.error); return; }
    cleanupReport(box, serials, r.result);
  });
}

// What was removed, and what failed where (with the cause); focus on the summary.
function cleanupReport(box, serials, res) {
  const summary = res.failed.length
    ? h('p.msg.warn#cleanup-done', { role: 'status', text: t('cleanupPartly', [res.removed.length, res.failed.length]) })
    : okBox('cleanup-done', t('cleanupDone', res.removed.length));
  summary.setAttribute('tabindex', '-1');
  const removed = res.removed.length ? h('ul#cleanup-removed', {}, ...res.removed.map((x) =>
    h('li', { 'data-store': x.store }, t('cleanupRemovedFrom', [x.serial, storeName(x)])))) : null;
  const failed = res.failed.length ? h('ul#cleanup-failed', {}, ...res.failed.map((f) => failure(serials, f))) : null;
  box.replaceChildren(summary, removed || '', failed || '');
  summary.focus();
}

function failure(serials, f) {
  const li = h('li', { 'data-store': f.store, 'data-code': f.code },
    h('span', { text: t('cleanupFailedIn', storeName(f)) + ' ' }),
    h('span', { text: showErrorText({ code: f.code, message: f.message }) }));
  if (!PASSWORD_CODES.includes(f.code)) return li;
  const pw = pwInput('off');
  pw.setAttribute('aria-label', t('storeMasterPw') + ' ' + storeName(f));
  const retry = h('button', { type: 'button', text: t('retryButton') });
  retry.addEventListener('click', async () => {
    busy(retry, true);
    const r = await call('cleanup', { serials, stores: [f.store], password_for: { [f.store]: pw.value } });
    pw.value = '';
    busy(retry, false);
    if (!r.ok) { li.append(h('p.msg.error', { role: 'alert', text: showErrorText(r.error) })); return; }
    const again = r.result.failed[0];
    li.replaceWith(again ? failure(serials, again) : h('li', { 'data-store': f.store, 'data-code': 'OK' },
      t('cleanupRetried', [r.result.removed.length, storeName(f)])));
  });
  li.append(h('div.inline', {}, pw, retry));
  return li;
}

export async function showCleanup(tk) {
  const err = msgBox('cleanup-page-error');
  const box = h('div#cleanup-slot', {}, h('p.hint', { text: t('working') }));
  const title = section('fnCleanup', h('p.intro', { text: t('cleanupIntro') }), err, box);
  const s = await staleCerts();
  if (tk !== app.token) return title;
  if (!s.ok) { box.replaceChildren(); showError(err, s.error); return title; }
  cleanupOffer(s.result, box);
  return title;
}
