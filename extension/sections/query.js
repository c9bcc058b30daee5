// 憑證查詢: the certificate in this browser beside the broker's current one. Logged out, the broker side is
// unknown (not "none"): the card says so and offers the login; with several customers' certificates here it
// asks whose first. No certificate here: a .pfx file is checked instead, chosen in the host's dialog at once.
import { h, call, t, showError, clearMsg, certCard, busy, loginForm } from '../lib/ui.js';
import { app, section, msgBox, windowDays } from '../lib/app.js';
import { field, pwInput, fileToBase64 } from '../lib/forms.js';
import { chooseCustomer } from '../lib/whose.js';
import { has } from '../lib/host.js';

function pfxForm(slot, err) {
  const file = h('input', { type: 'file', accept: '.pfx,.p12,application/x-pkcs12' });
  let fileRow = field('query-file', 'fileLabel', file);
  const pw = pwInput('off');
  const go = h('button.primary#query-pfx-submit', { type: 'submit', text: t('queryPfxButton') });
  let picked = null;   // a path from the host's dialog, used instead of the browser's file field
  const form = h('form#query-pfx-form', { novalidate: true }, h('p.intro', { text: t('queryPfxIntro') }),
    fileRow, field('query-pw', 'backupPassword', pw), h('div.actions', {}, go));
  const pick = async () => {
    const r = await call('pick_file', { mode: 'open' });
    if (!r.ok) { if (!['CANCELLED', 'NO_DIALOG'].includes(r.error.code)) showError(err, r.error); return; }
    picked = r.result.path;
    const shown = h('input', { type: 'text', readonly: true, value: picked });
    const again = h('button#query-browse', { type: 'button', text: t('browseButton'), onclick: pick });
    const row = h('div.pathrow#query-picked', {}, field('query-path', 'fileLabel', shown), again);
    fileRow.replaceWith(row);
    fileRow = row;
    pw.focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMsg(err);
    if (!picked && !file.files.length) { showError(err, t('fileRequired')); file.focus(); return; }
    busy(go, true);
    const source = picked ? { path: picked } : { data: await fileToBase64(file.files[0]) };
    const q = await call('query', { pfx: { ...source, password: pw.value } });
    pw.value = '';
    busy(go, false);
    if (!q.ok) { showError(err, q.error); pw.focus(); return; }
    slot.replaceChildren(certCard(q.result, windowDays()));
  });
  // The manual: 憑證查詢 with no certificate here 「跳出憑證檔案選取視窗」. The host's dialog opens at once where
  // there is one (issue 22 item 11); cancelled, or with none, the browser's own file field stays.
  has('pick_file').then((yes) => yes && pick());
  return form;
}

export async function showQuery(tk, nav) {
  const err = msgBox('query-error');
  const slot = h('div#query-slot');
  const title = section('queryTitle', slot, err);
  const r = await call('query');
  if (tk !== app.token) return title;
  // Not logged in and several customers' certificates here (issue 17 item 2): the person says whose first. The
  // page is ready meanwhile (the chooser has the focus); the card follows the answer.
  const cands = r.ok && !r.result.local && r.result.candidates;
  if (cands && cands.length) {
    chooseCustomer(slot, cands, 'query').then(async (pick) => {
      const again = pick ? await call('query', { serial: pick.serial }) : r;
      if (tk !== app.token) return;
      showCard(again, slot, err, nav);
      const card = slot.querySelector('#status-card');
      if (card) { card.tabIndex = -1; card.focus(); }
    });
    return title;
  }
  showCard(r, slot, err, nav);
  return title;
}

function showCard(r, slot, err, nav) {
  if (!r.ok) { showError(err, r.error); return; }
  slot.replaceChildren(certCard(r.result, windowDays()));
  if (r.result.logged_in === false || !app.login) {
    const loginSlot = h('div#query-login');
    const btn = h('button.primary#query-login-open', { type: 'button', text: t('loginButton'),
      onclick: () => loginSlot.replaceChildren(loginForm((res) => nav.loggedIn(res))) });
    slot.append(h('div.banner#query-server-unknown', { role: 'status' },
      h('p', { text: t('queryServerUnknown') }), h('div.actions', {}, btn)), loginSlot);
  }
  if (!r.result.local) slot.append(pfxForm(slot, err));
}
