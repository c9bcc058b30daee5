// Toolbar popup: login, the status card (server certificate beside the local one) and one button per function.
// Anything that needs more than a glance (terms, OTP, files, progress, tables) opens the manager page in a tab:
// the popup closes whenever it loses focus.
import { $, h, call, hello, t, showError, clearMsg, loginForm, certCard, revokePage, openManager, busy, hostMissing } from './lib/ui.js';
import { localize } from './lib/i18n.js';
import { onSession, api } from './lib/host.js';
import { showStoppedSites } from './sign/stopped-sites.js';
import { reminderNote } from './lib/reminder.js';
import { showUngranted, whoLine } from './lib/brokers.js';

const errBox = $('#popup-error');
let login = null;

async function showStatus() {
  const slot = $('#status-slot');
  const r = await call('query');
  if (!r.ok && r.error.code !== 'UNKNOWN_COMMAND') { showError(errBox, r.error); }
  const q = r.ok ? r.result : { local: null, server: null, match: false };
  slot.replaceChildren(h('h2.section#status-title', { tabindex: '-1', text: t('statusTitle') }), certCard(q, login ? login.renewal_window_days : 30));
  if (r.ok && !q.local) {
    slot.append(h('p.hint', {}, h('button.link#query-pfx', { type: 'button', text: t('queryPfxIntro'),
      onclick: () => openManager('query') })));
  }
  return q;
}

// Nothing for this computer is not "never applied": a customer whose valid certificates are all on phones is told so
// (issue 22 item 7).
async function onOtherDevicesOnly() {
  if (!login) return false;
  const r = await call('list');
  return r.ok && r.result.certificates.some((c) => c.status === 'valid' && c.device !== 'PC');
}

async function showSuggestion() {
  const box = $('#suggest');
  let s = login && login.suggestion;
  let text = t(s === 'apply' ? (await onOtherDevicesOnly() ? 'suggestApplyOtherDevices' : 'suggestApply') : 'suggestRenew');
  if (s !== 'apply' && s !== 'renew') {
    // Logged out (or nothing suggested): the daily reminder's last finding, whose and when, if one needs care.
    const note = login ? null : await reminderNote();
    if (!note) { box.hidden = true; return; }
    s = note.suggestion;
    text = note.text;
  }
  box.replaceChildren(
    h('p', { text }),
    h('div.actions', {},
      h('button.primary#suggest-ok', { type: 'button', text: t('confirmButton'), onclick: () => openManager(s) }),
      h('button#suggest-later', { type: 'button', text: t('laterButton'), onclick: () => { box.hidden = true; } })));
  box.dataset.suggestion = s;
  box.hidden = false;
}

function showLoggedIn(result) {
  login = result;
  $('#login-slot').replaceChildren();
  const who = $('#who');
  who.textContent = t('loggedInAs', [result.account.name || '', result.account.id]);
  who.hidden = false;
  $('#logout').hidden = false;
  return Promise.all([showSuggestion(), showStatus(), whoLine(result).then((line) => { who.textContent = line; })]);
}

function showLoggedOut() {
  login = null;
  $('#who').hidden = true;
  $('#logout').hidden = true;
  $('#suggest').hidden = true;
  $('#status-slot').replaceChildren();
  // The form the focus was in is gone after a login: the status it led to gets the focus (not the page body).
  $('#login-slot').replaceChildren(loginForm((res) => showLoggedIn(res).then(() => $('#status-title').focus())));
  return showSuggestion();
}

async function init() {
  localize();
  await showStoppedSites($('#main'));
  const hl = await hello();
  if (!hl.ok && hostMissing($('#login-slot'), hl.error, () => location.reload())) {
    document.body.dataset.ready = 'yes';   // nothing else can work: one message, no login form
    return;
  }
  if (!hl.ok) showError(errBox, hl.error);
  else {
    $('#hostinfo').textContent = t('hostVersion', hl.result.version);
    await showUngranted($('#broker-pages'));
  }
  const st = await call('_state');
  if (st.ok && st.result.logged_in && st.result.login) await showLoggedIn(st.result.login);
  else { await showLoggedOut(); $('#login-id').focus(); }
  // Only now, with everything above them in place, do the function buttons show (styles.css): shown at once,
  // they moved down under the pointer when the host answered, and the first click on 憑證註銷 hit the login
  // form or the status instead (issue 22 item 11).
  document.body.dataset.ready = 'yes';
}

$('#logout').addEventListener('click', async () => {
  const st = await call('_state');
  const unsaved = st.ok && (st.result.issued_unsaved || (st.result.login && st.result.login.issued_unsaved));
  if (unsaved && !window.confirm(t('issuedLeaveWarn'))) return;
  await call('logout');
  showLoggedOut();
  $('#login-id').focus();
});

onSession((m) => {
  if (!m.logged_in && login) {
    showLoggedOut();
    if (m.reason === 'ended') showError(errBox, t('sessionEnded'));
  }
});

for (const b of document.querySelectorAll('[data-fn]')) {
  b.addEventListener('click', async () => {
    clearMsg(errBox);
    const fn = b.dataset.fn;
    if (fn === 'revoke') { busy(b, true); await revokePage(errBox); busy(b, false); return; }
    // 憑證查詢 with no certificate in this browser goes on to the manager, which opens the file dialog at once.
    if (fn === 'query' && login) {
      busy(b, true);
      const q = await showStatus();
      busy(b, false);
      if (q.local) return;
    }
    await openManager(fn);
  });
}

init();
