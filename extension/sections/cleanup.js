// 憑證清理: expired, revoked or superseded PC certificates of the user that are really in a store on this
// computer (the host looks without removing anything: cleanup dry_run), removed when the user says so.
import { h, call, t, showError, fmtDate, busy } from '../lib/ui.js';
import { app, section, msgBox, okBox } from '../lib/app.js';

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
    const r = await call('cleanup', { serials: stale.map((c) => c.serial) });
    busy(yes, false);
    if (!r.ok) { showError(err, r.error); return; }
    box.replaceChildren(okBox('cleanup-done', t('cleanupDone', r.result.removed.length)));
  });
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
