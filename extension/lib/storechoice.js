// Where a certificate goes (issue 17 item 6): every store the host found, each Firefox profile by its name, with a
// checkbox. A profile that holds only other customers' certificates (a family member's own, by the host's
// identity rule) starts unticked; a profile protected by a master password gets a field for it. The primary store
// (where query and backup look) always takes it. value() gives the command's `stores` and `password_for`.
import { h, call, t } from './ui.js';

export function storeName(s) {
  return s.profile ? t('storeProfileName', [s.browser, s.profile]) : s.browser;
}

// prefix: element ids; opts.only: store ids to offer (default: all); opts.id: whose certificates count as "mine".
export function storeChoice(prefix, opts = {}) {
  const list = h('ul.storelist#' + prefix + '-stores');
  const el = h('fieldset.stores#' + prefix + '-store-choice', {},
    h('legend', { text: t('storeChoiceTitle') }), h('p.hint', { text: t('storeChoiceIntro') }), list);
  const rows = [];
  list.append(h('li.hint', { text: t('working') }));
  const loaded = call('stores', opts.id ? { id: opts.id } : {}).then((r) => {
    if (!r.ok) { list.replaceChildren(h('li.hint#' + prefix + '-stores-unknown', { text: t('storeChoiceUnknown') })); return; }
    const shown = r.result.stores.filter((s) => !opts.only || opts.only.includes(s.id));
    list.replaceChildren(...shown.map((s, i) => row(prefix + '-store-' + i, s, rows)));
  });
  return {
    el,
    loaded,
    // {} while the list is unknown (the host then uses every store); else the ticked stores and their passwords.
    value() {
      if (!rows.length) return {};
      const ticked = rows.filter((r) => r.box.checked);
      const password_for = {};
      for (const r of ticked) if (r.pw && r.pw.value) password_for[r.store.id] = r.pw.value;
      return Object.keys(password_for).length ? { stores: ticked.map((r) => r.store.id), password_for }
        : { stores: ticked.map((r) => r.store.id) };
    },
    none() { return rows.length > 0 && !rows.some((r) => r.box.checked); },
    clear() { for (const r of rows) if (r.pw) r.pw.value = ''; },
  };
}

function row(id, s, rows) {
  const box = h('input#' + id, { type: 'checkbox', 'data-store': s.id });
  box.checked = s.primary || s.only_others !== true;
  box.disabled = !!s.primary;
  const notes = [];
  if (s.primary) notes.push(t('storePrimary'));
  if (s.only_others === true) notes.push(t('storeOthersOnly'));
  if (notes.length) box.setAttribute('aria-describedby', id + '-note');
  const r = { store: s, box, pw: null };
  const kids = [h('div.check', {}, box, h('label', { for: id, text: storeName(s) })),
    notes.length ? h('p.hint#' + id + '-note', { text: notes.join(' ') }) : null];
  if (s.password_required) {
    r.pw = h('input#' + id + '-pw', { type: 'password', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': id + '-pw-hint' });
    kids.push(h('div.field', {}, h('label', { for: id + '-pw', text: t('storeMasterPw') }), r.pw,
      h('p.hint#' + id + '-pw-hint', { text: t('storeMasterPwHint') })));
  }
  rows.push(r);
  return h('li', { 'data-store': s.id, 'data-only-others': String(s.only_others === true) }, ...kids);
}
