// Small DOM helpers and the pieces the popup and the manager page share (login form, certificate card).
import { call, hello } from './host.js';
import { t, errorText } from './i18n.js';
import { isValidTaiwanId, normalizeId } from './twid.js';
import { brokerChooser, rememberBroker } from './brokers.js';

export function $(sel, root = document) { return root.querySelector(sel); }

// h('div.class#id', {attr: v}, children...) — text children are text nodes (never HTML).
export function h(spec, attrs, ...kids) {
  const [, tag, rest] = /^([a-z0-9]+)(.*)$/i.exec(spec);
  const el = document.createElement(tag);
  for (const m of rest.matchAll(/([.#])([\w-]+)/g)) {
    if (m[1] === '.') el.classList.add(m[2]); else el.id = m[2];
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false)
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return el;
}

// "2026-11-24T03:54:57Z" -> "2026/11/24 11:54:57" in the user's time zone (the seed's format).
export function fmtDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function showError(box, error) {
  box.replaceChildren(typeof error === 'string' ? error : errorText(error));
  box.hidden = false;
  box.dataset.code = (error && error.code) || '';
}

export function clearMsg(box) { box.replaceChildren(); box.hidden = true; box.dataset.code = ''; }

export function busy(button, on) {
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
}

// The login form: validates the ID, calls login, clears the password whatever happens.
export function loginForm(onDone) {
  const err = h('p.msg.error#login-error', { role: 'alert', hidden: true });
  const id = h('input#login-id', { name: 'id', autocomplete: 'username', required: true, maxlength: '10',
    'aria-describedby': 'login-id-hint', spellcheck: 'false', autocapitalize: 'characters' });
  const pw = h('input#login-password', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button.primary#login-submit', { type: 'submit', text: t('loginButton') });
  const brokerSlot = h('div#login-broker-slot');   // the broker chooser, only with several brokers installed
  brokerChooser().then((c) => { if (c) brokerSlot.replaceChildren(c); });
  const form = h('form.login#login-form', { novalidate: true },
    h('h2', { text: t('loginTitle') }),
    h('p.intro', { text: t('loginIntro') }), brokerSlot,
    h('label', { for: 'login-id', text: t('idLabel') }), id,
    h('p.hint#login-id-hint', { text: t('idHint') }),
    h('label', { for: 'login-password', text: t('passwordLabel') }), pw,
    err, h('div.actions', {}, btn));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMsg(err);
    const nid = normalizeId(id.value);
    id.value = nid;
    if (!nid) { showError(err, t('idRequired')); id.focus(); return; }
    if (!isValidTaiwanId(nid)) { id.setAttribute('aria-invalid', 'true'); showError(err, t('idInvalid')); id.focus(); return; }
    id.removeAttribute('aria-invalid');
    if (!pw.value) { showError(err, t('passwordRequired')); pw.focus(); return; }
    busy(btn, true);
    btn.textContent = t('loggingIn');
    const r = await call('login', { id: nid, password: pw.value });
    pw.value = '';
    busy(btn, false);
    btn.textContent = t('loginButton');
    if (!r.ok) { showError(err, r.error); pw.focus(); return; }
    await rememberBroker();
    onDone(r.result);
  });
  return form;
}

function certBlock(title, cert, opts) {
  const rows = [];
  if (!cert) {
    rows.push(h('p.empty', { text: opts.emptyText }));
  } else {
    const serial = h('dd.serial', { text: cert.serial });
    if (opts.match) serial.classList.add('match');
    rows.push(h('dl', {},
      h('dt', { text: t('serialLabel') }), serial,
      h('dt', { text: t('cnLabel') }), h('dd', { text: cert.cn || '' }),
      h('dt', { text: t('validTo') }), h('dd', { text: fmtDate(cert.not_after) }),
      h('dt', { text: t('statusTitle') }), h('dd', {},
        cert.expired ? h('span.tag.bad', { text: t('expiredTag') }) :
          h('span.tag' + (cert.days_left <= opts.windowDays ? '.warn' : '.good'), { text: t('daysLeft', cert.days_left) }),
        cert.has_key === false ? h('span.hint', { text: ' ' + t('hasKeyNo') }) : null)));
  }
  return h('section.cert' + (cert ? '' : '.none'), { 'aria-label': title }, h('h3', { text: title }), ...rows);
}

// Server certificate beside the local one; the serial is blue when they match (as in the seed). Logged out
// (q.logged_in false) the server side is unknown, which is not the same as "none".
export function certCard(q, windowDays = 30) {
  const match = !!(q && q.match);
  const local = q && q.local;
  const server = q && q.server;
  const grid = h('div.certs',
    {},
    certBlock(t('serverCert'), server, { match, windowDays,
      emptyText: t(q && q.logged_in === false ? 'serverUnknown' : 'noServerCert') }),
    certBlock(t('localCert') + (q && q.source === 'pfx' ? ' ' + t('sourcePfx') : ''), local,
      { match, windowDays, emptyText: t('noLocalCert') }));
  const note = (local && server) ? h('p.matchnote' + (match ? '.yes' : '.no'), { role: 'status', text: t(match ? 'matchYes' : 'matchNo') }) : null;
  return h('div.card#status-card', { 'data-match': match ? 'yes' : 'no' }, grid, note);
}

export async function revokePage(errBox) {
  const r = await call('revoke_url');
  if (!r.ok) { if (errBox) showError(errBox, r.error); return false; }
  const api = globalThis.browser ?? globalThis.chrome;
  await api.tabs.create({ url: r.result.url });
  return true;
}

// One manager tab: an open one shows the section and comes to the front; only when none answers is a new tab
// opened. (Asking the pages needs no "tabs" permission, unlike looking tabs up by URL.)
export async function openManager(section) {
  const api = globalThis.browser ?? globalThis.chrome;
  let shown = false;
  try {
    const r = await api.runtime.sendMessage({ ecm: 'show-section', section });
    shown = !!(r && r.shown);
  } catch (e) { /* no manager page open */ }
  if (!shown) await api.tabs.create({ url: api.runtime.getURL('manager.html#' + section) });
}

function userOs() {
  const p = ((navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || '').toLowerCase();
  if (p.startsWith('win')) return 'windows';
  if (p.startsWith('mac')) return 'mac';
  return 'linux';
}

// No host (or it died at once): one message, what to do on this computer, and a retry. Returns true when shown.
export function hostMissing(box, error, onRetry) {
  if (!error || !['HOST_NOT_FOUND', 'HOST_EXITED'].includes(error.code)) return false;
  const steps = t('hostSteps_' + userOs()).split('|');
  box.replaceChildren(h('section.banner.warn#host-missing', { role: 'alert', 'data-code': error.code, 'aria-labelledby': 'host-missing-title' },
    h('h2#host-missing-title', { text: t('hostMissingTitle') }),
    h('p', { text: errorText(error) }),
    h('ol#host-steps', {}, ...steps.map((x) => h('li', { text: x.replace(/^\d+\.\s*/, '') }))),
    h('div.actions', {}, h('button.primary#host-retry', { type: 'button', text: t('retryButton'), onclick: onRetry }))));
  box.hidden = false;
  return true;
}

export { call, hello, t, errorText };
