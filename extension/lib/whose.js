// Whose certificate (issue 17 item 2): without a login the host uses a private key only for a customer the request
// names. When several customers' certificates are here it answers CHOOSE_CUSTOMER with the candidates; this asks
// the person which is theirs and gives the serial to send again. Each row says whose it is (CN, masked ID), the
// device, the expiry in local time and the store by its name.
import { h, t, fmtDate } from './ui.js';

// The candidates of a CHOOSE_CUSTOMER answer, or null for any other answer.
export function candidatesOf(r) {
  const c = r && !r.ok && r.error && r.error.code === 'CHOOSE_CUSTOMER' && r.error.details && r.error.details.candidates;
  return Array.isArray(c) && c.length ? c : null;
}

// The chooser in slot; resolves with the chosen candidate, or null when cancelled (取消 or Escape).
export function chooseCustomer(slot, candidates, prefix) {
  const radios = candidates.map((c, i) => h('input#' + prefix + '-who-' + i,
    { type: 'radio', name: prefix + '-who', value: String(i), 'data-serial': c.serial, 'data-masked-id': c.masked_id }));
  radios[0].checked = true;
  const rows = candidates.map((c, i) => h('li.check', { 'data-serial': c.serial }, radios[i],
    h('label', { for: radios[i].id },
      h('span.cn', { text: c.cn }), ' · ', h('span.masked', { text: c.masked_id }), ' · ',
      h('span.device', { text: c.device || '—' }), ' · ',
      h('span.expiry', { text: t('whoseExpires', fmtDate(c.not_after)) }), ' · ',
      h('span.store', { text: c.store_name || c.store }))));
  const go = h('button.primary#' + prefix + '-who-go', { type: 'submit', text: t('whoseContinue') });
  const no = h('button#' + prefix + '-who-cancel', { type: 'button', text: t('cancelButton') });
  const form = h('form.whose#' + prefix + '-who', { novalidate: true },
    h('fieldset.stores', {}, h('legend', { text: t('whoseLegend') }), h('ul.storelist', {}, ...rows)),
    h('div.actions', {}, go, no));
  slot.replaceChildren(form);
  radios[0].focus();
  return new Promise((res) => {
    const done = (v) => { slot.replaceChildren(); res(v); };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const i = radios.findIndex((r) => r.checked);
      done(i < 0 ? null : candidates[i]);
    });
    no.addEventListener('click', () => done(null));
    form.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); done(null); } });
  });
}
