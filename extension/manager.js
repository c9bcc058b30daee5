// Manager page (a tab): everything a popup would lose when it closes — the apply/renew wizard (terms, OTP, backup,
// progress, results), import, backup, the certificate list, revocation, installation and clean-up.
import { $, h, call, hello, t, showError, clearMsg, loginForm, certCard, revokePage, fmtDate, busy } from './lib/ui.js';
import { localize } from './lib/i18n.js';
import { onSession, has } from './lib/host.js';
import { strength } from './lib/strength.js';
import { showSelfTest } from './sections/selftest.js';

const main = $('#content');
let login = null;          // last login result (no secrets)
let hostInfo = null;       // hello result
let renderToken = 0;

const NEEDS_LOGIN = new Set(['apply', 'renew', 'list', 'cleanup']);
const SECTIONS = { query: showQuery, apply: (tk) => wizard('apply', tk), renew: (tk) => wizard('renew', tk),
  import: showImport, backup: showBackup, list: showList, revoke: showRevoke, install: showInstall, cleanup: showCleanup,
  selftest: (tk) => showSelfTest(section, tk, (x) => x === renderToken) };

/* ---------- shared pieces ---------- */

function section(titleKey, ...kids) {
  const title = h('h2#section-title', { tabindex: '-1', text: t(titleKey) });
  main.replaceChildren(h('section.page', { 'aria-labelledby': 'section-title' }, title, ...kids));
  return title;
}

function msgBox(id) { return h('p.msg.error#' + id, { role: 'alert', hidden: true }); }
function okBox(id, text) { return h('p.msg.ok#' + id, { role: 'status', text }); }

function field(id, labelKey, input, hintText) {
  input.id = id;
  if (hintText) input.setAttribute('aria-describedby', id + '-hint');
  return h('div.field', {}, h('label', { for: id, text: t(labelKey) }), input,
    hintText ? h('p.hint#' + id + '-hint', { text: hintText }) : null);
}

function pwInput(autocomplete = 'new-password') {
  return h('input', { type: 'password', autocomplete, spellcheck: 'false' });
}

function fileToBase64(file) {
  return file.arrayBuffer().then((buf) => {
    const bytes = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
}

// Password twice with a strength hint. get() returns the password or throws a message; clear() wipes both.
function passwordPair(prefix) {
  const a = pwInput(), b = pwInput();
  const meter = h('meter#' + prefix + '-meter', { min: '0', max: '3', low: '1.5', high: '2.5', optimum: '3', value: '0',
    'aria-labelledby': prefix + '-strength' });
  const label = h('span#' + prefix + '-strength-text', { text: t('strength0') });
  const upd = () => {
    const s = strength(a.value, login && login.account && login.account.id);
    meter.value = s;
    label.textContent = t('strength' + s);
  };
  a.addEventListener('input', upd);
  const el = h('div.pwpair', {},
    field(prefix + '-pw1', 'backupPassword', a, t('strengthHint')),
    h('p.strength#' + prefix + '-strength', {}, t('strengthLabel'), meter, ' ', label),
    field(prefix + '-pw2', 'backupPassword2', b));
  return {
    el,
    get() {
      if (a.value !== b.value) { b.focus(); throw t('passwordsDiffer'); }
      return a.value;
    },
    clear() { a.value = ''; b.value = ''; upd(); },
    focus() { a.focus(); },
  };
}

// Path input with Browse (the host's native dialog, where one exists).
function pathField(id, mode, errBox) {
  const dir = hostInfo && hostInfo.config ? hostInfo.config.backup_dir : '';
  const input = h('input', { type: 'text', spellcheck: 'false', placeholder: dir ? t('pathDefault', dir) : '' });
  const wrap = h('div.pathrow', {}, field(id, 'pathLabel', input, dir ? t('pathDefault', dir) : null));
  has('pick_file').then((yes) => {
    if (!yes) return;
    const browse = h('button#' + id + '-browse', { type: 'button', text: t('browseButton') });
    browse.addEventListener('click', async () => {
      busy(browse, true);
      const args = { mode };
      if (input.value || dir) args.default_path = input.value || dir;
      const r = await call('pick_file', args);
      busy(browse, false);
      if (r.ok) { input.value = r.result.path; input.focus(); return; }
      if (r.error.code === 'CANCELLED') return;
      if (r.error.code === 'NO_DIALOG') browse.hidden = true;
      showError(errBox, r.error);
      input.focus();
    });
    wrap.append(browse);
  });
  return { el: wrap, input };
}

function certSummary(cert, id) {
  return h('dl.summary#' + id, {},
    h('dt', { text: t('serialLabel') }), h('dd.serial', { text: cert.serial }),
    h('dt', { text: t('cnLabel') }), h('dd', { text: cert.cn || '' }),
    h('dt', { text: t('validFrom') }), h('dd', { text: fmtDate(cert.not_before) }),
    h('dt', { text: t('validTo') }), h('dd', { text: fmtDate(cert.not_after) }));
}

// Per-browser install results; a store that wants its password gets a field and a retry.
function installTable(results, id = 'install-results') {
  const status = { installed: 'stInstalled', already_present: 'stAlready', failed: 'stFailed' };
  const body = h('tbody');
  for (const r of results) {
    const cell = h('td', {}, h('span.tag' + (r.status === 'failed' ? '.bad' : '.good'), { text: t(status[r.status] || 'stFailed') }));
    if (r.error) cell.append(h('p.hint', { text: showErrorText(r.error) }));
    if (r.error && ['STORE_PASSWORD_REQUIRED', 'STORE_PASSWORD_WRONG'].includes(r.error.code)) {
      const pw = pwInput('off');
      pw.setAttribute('aria-label', t('storePwPrompt') + ' ' + (r.browser || r.store));
      const retry = h('button', { type: 'button', text: t('retryButton') });
      retry.addEventListener('click', async () => {
        busy(retry, true);
        const res = await call('install', { stores: [r.store], password_for: { [r.store]: pw.value } });
        pw.value = '';
        busy(retry, false);
        if (res.ok) tr.replaceWith(installTable(res.result.results).querySelector('tbody tr'));
        else cell.append(h('p.msg.error', { role: 'alert', text: showErrorText(res.error) }));
      });
      cell.append(h('div.inline', {}, pw, retry));
    }
    const tr = h('tr', { 'data-status': r.status }, h('td', { text: r.browser || '' }), h('td', { text: r.profile || '' }),
      h('td.path', { text: r.store || '' }), cell);
    body.append(tr);
  }
  return h('table.data#' + id, {},
    h('caption', { text: t('installResults') }),
    h('thead', {}, h('tr', {}, ...['colBrowser', 'colProfile', 'colStore', 'colResult'].map((k) => h('th', { scope: 'col', text: t(k) })))),
    body);
}

function showErrorText(error) {
  const p = h('p');
  showError(p, error);
  return p.textContent;
}

/* ---------- clean-up of stale certificates (asked) ---------- */

/* Expired, revoked or superseded PC certificates of the user that are really in a store on this computer
 * (the host looks without removing anything: cleanup dry_run). */
async function staleCerts() {
  const r = await call('list');
  if (!r.ok) return r;
  const stale = r.result.certificates.filter((c) => c.device === 'PC' && c.status !== 'valid');
  if (!stale.length) return { ok: true, result: [] };
  const found = await call('cleanup', { serials: stale.map((c) => c.serial), dry_run: true });
  if (!found.ok) return found;
  const here = new Set(found.result.found.map((f) => f.serial.toUpperCase().replace(/^0+/, '')));
  return { ok: true, result: stale.filter((c) => here.has(c.serial.toUpperCase().replace(/^0+/, ''))) };
}

function cleanupOffer(stale, box) {
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

/* ---------- sections ---------- */

async function showQuery(tk) {
  const err = msgBox('query-error');
  const slot = h('div#query-slot');
  const title = section('queryTitle', slot, err);
  const r = await call('query');
  if (tk !== renderToken) return title;
  if (!r.ok) { showError(err, r.error); return title; }
  slot.replaceChildren(certCard(r.result, login ? login.renewal_window_days : 30));
  if (!r.result.local) {
    const file = h('input', { type: 'file', accept: '.pfx,.p12,application/x-pkcs12' });
    const pw = pwInput('off');
    const go = h('button.primary#query-pfx-submit', { type: 'submit', text: t('queryPfxButton') });
    const form = h('form#query-pfx-form', { novalidate: true }, h('p.intro', { text: t('queryPfxIntro') }),
      field('query-file', 'fileLabel', file), field('query-pw', 'backupPassword', pw), h('div.actions', {}, go));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearMsg(err);
      if (!file.files.length) { showError(err, t('fileRequired')); file.focus(); return; }
      busy(go, true);
      const data = await fileToBase64(file.files[0]);
      const q = await call('query', { pfx: { data, password: pw.value } });
      pw.value = '';
      busy(go, false);
      if (!q.ok) { showError(err, q.error); pw.focus(); return; }
      slot.replaceChildren(certCard(q.result, login ? login.renewal_window_days : 30));
    });
    slot.append(form);
  }
  return title;
}

async function wizard(kind, tk) {
  const isRenew = kind === 'renew';
  const steps = ['stepTerms', 'stepOtp', 'stepBackup', 'stepRun', 'stepDone'];
  const stepList = h('ol.steps#wizard-steps', {}, ...steps.map((k) => h('li', { text: t(k) })));
  const body = h('div.wizard#wizard-body');
  const title = section(isRenew ? 'renewTitle' : 'applyTitle', stepList, body);
  const st = { termsVersion: null, otp: null };

  const mark = (i) => {
    [...stepList.children].forEach((li, j) => {
      li.className = j < i ? 'done' : (j === i ? 'current' : '');
      if (j === i) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    });
    body.dataset.step = String(i);
  };

  async function termsStep(errorFirst) {
    mark(0);
    const err = msgBox('terms-error');
    body.replaceChildren(h('p.hint', { text: t('working') }));
    const r = await call('terms');
    if (!r.ok) { body.replaceChildren(err); showError(err, r.error); return; }
    st.termsVersion = r.result.version;
    const agree = h('input#terms-agree', { type: 'checkbox' });
    const next = h('button.primary#terms-next', { type: 'button', text: t('nextButton'), disabled: true });
    agree.addEventListener('change', () => { next.disabled = !agree.checked; });
    next.addEventListener('click', () => otpStep());
    body.replaceChildren(
      h('p.hint', { text: t('termsVersion', r.result.version) }),
      h('div.terms#terms-text', { tabindex: '0', role: 'region', 'aria-label': t('stepTerms'), text: r.result.text }),
      h('div.check', {}, agree, h('label', { for: 'terms-agree', text: t('termsAgree') })),
      err, h('div.actions', {}, next));
    if (errorFirst) showError(err, errorFirst);
    agree.focus();
  }

  async function otpStep(errorFirst) {
    mark(1);
    const err = msgBox('otp-error');
    const sent = h('p.intro#otp-sent', { role: 'status' });
    const otp = h('input', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}', spellcheck: 'false' });
    const resend = h('button#otp-resend', { type: 'button', text: t('otpResend') });
    const next = h('button.primary#otp-next', { type: 'submit', text: t('nextButton') });
    const back = h('button#otp-back', { type: 'button', text: t('backButton'), onclick: () => termsStep() });
    const form = h('form#otp-form', { novalidate: true }, sent, field('otp-code', 'otpLabel', otp), err,
      h('div.actions', {}, back, resend, next));
    body.replaceChildren(form);
    const request = async () => {
      busy(resend, true);
      const r = await call('otp_request');
      busy(resend, false);
      if (!r.ok) { showError(err, r.error); return; }
      sent.textContent = t('otpSent', [r.result.sent_to, Math.round((r.result.expires_in || 300) / 60)]);
    };
    resend.addEventListener('click', () => { clearMsg(err); otp.value = ''; request(); otp.focus(); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!/^\d{6}$/.test(otp.value.trim())) { showError(err, t('otpFormat')); otp.focus(); return; }
      st.otp = otp.value.trim();
      backupStep();
    });
    await request();
    if (errorFirst) showError(err, errorFirst);
    otp.focus();
  }

  function backupStep(errorFirst) {
    mark(2);
    const err = msgBox('wizard-error');
    const pair = passwordPair('wiz');
    const path = pathField('wiz-path', 'save', err);
    const compat = h('input#wiz-compat', { type: 'checkbox' });
    let cur = null;
    const kids = [h('p.intro', { text: t('backupIntro') }), pair.el, path.el,
      h('div.check', {}, compat, h('label', { for: 'wiz-compat', text: t('compatLabel') }))];
    if (isRenew) {
      const cpath = h('input', { type: 'text', spellcheck: 'false' });
      const cpw = pwInput('off');
      cur = { cpath, cpw };
      kids.push(h('details#wiz-current', {}, h('summary', { text: t('currentPfxTitle') }),
        field('wiz-cur-path', 'currentPfxPath', cpath), field('wiz-cur-pw', 'currentPfxPassword', cpw)));
    }
    const go = h('button.primary#wizard-start', { type: 'submit', text: t(isRenew ? 'startRenew' : 'startApply') });
    const back = h('button#wizard-back', { type: 'button', text: t('backButton'), onclick: () => { pair.clear(); otpStep(); } });
    const form = h('form#wizard-backup', { novalidate: true }, ...kids, err, h('div.actions', {}, back, go));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearMsg(err);
      let password;
      try { password = pair.get(); } catch (m) { showError(err, m); return; }
      const args = { terms_version: st.termsVersion, otp: st.otp, backup: { password } };
      if (path.input.value.trim()) args.backup.path = path.input.value.trim();
      if (compat.checked) args.backup.compat = true;
      if (cur && cur.cpath.value.trim()) args.current = { path: cur.cpath.value.trim(), password: cur.cpw.value };
      // The broker is approving the request the host keeps (RA_PENDING): send that same request again.
      if (st.pending) args.resume = true;
      pair.clear();
      if (cur) cur.cpw.value = '';
      runStep(args);
    });
    body.replaceChildren(form);
    if (errorFirst) showError(err, errorFirst);
    // While the broker reviews the request, show which one it is (the new key's fingerprint) for its staff.
    const ref = errorFirst && errorFirst.details && errorFirst.details.spki_sha256;
    if (ref) err.after(h('p.hint#pending-ref', { text: t('pendingRef', String(ref).slice(0, 16).toUpperCase()) }));
    pair.focus();
  }

  async function runStep(args) {
    mark(3);
    const names = { keygen: 'progKeygen', enroll: 'progEnroll', backup: 'progBackup', install: 'progInstall' };
    const order = Object.keys(names);
    const rows = {};
    const list = h('ul.progress#wizard-progress', { 'aria-live': 'polite' });
    for (const s of order) {
      const bar = h('progress', { max: '1', value: '0', 'aria-labelledby': 'prog-' + s + '-label' });
      const state = h('span.pstate', { text: t('progWaiting') });
      rows[s] = { bar, state, li: h('li', { 'data-step': s }, h('span#prog-' + s + '-label', { text: t(names[s]) }), bar, state) };
      list.append(rows[s].li);
    }
    body.replaceChildren(list);
    let current = null;
    const setStep = (s, done, total) => {
      const idx = order.indexOf(s);
      if (idx < 0) return;
      order.forEach((o, j) => {
        if (j < idx) { rows[o].bar.value = 1; rows[o].state.textContent = t('progDone'); rows[o].li.dataset.state = 'done'; }
      });
      rows[s].bar.value = total ? done / total : 0;
      const fin = total && done >= total;
      rows[s].state.textContent = t(fin ? 'progDone' : 'progRunning');
      rows[s].li.dataset.state = fin ? 'done' : 'running';
      current = s;
    };
    setStep('keygen', 0, 1);
    const r = await call(kind, args, (p) => setStep(p.step, p.done, p.total));
    args.backup.password = '';
    if (args.current) args.current.password = '';
    if (!r.ok) {
      if (current) { rows[current].state.textContent = t('progFailed'); rows[current].li.dataset.state = 'failed'; }
      const code = r.error.code;
      st.pending = Boolean(r.error.details && r.error.details.pending);
      if (st.pending) return backupStep(r.error); // the backup password again, then the same request resent
      if (code === 'OTP_INVALID' || code === 'OTP_EXPIRED') return otpStep(r.error);
      if (code === 'TERMS_NOT_ACCEPTED') return termsStep(r.error);
      if (['PASSWORD_TOO_WEAK', 'FILE_EXISTS', 'FILE_WRITE_FAILED', 'CLIENT_CERT_REQUIRED', 'PFX_WRONG_PASSWORD',
        'FILE_NOT_FOUND', 'PFX_INVALID'].includes(code)) return backupStep(r.error);
      const err = msgBox('wizard-error');
      body.append(err, h('div.actions', {}, h('button#wizard-restart', { type: 'button', text: t('backButton'), onclick: () => termsStep() })));
      showError(err, r.error);
      err.focus?.();
      return;
    }
    order.forEach((o) => setStep(o, 1, 1));
    mark(4);
    const res = r.result;
    const cleanupBox = h('div#cleanup-slot');
    body.replaceChildren(
      okBox('wizard-done', t(isRenew ? 'renewDone' : 'applyDone')),
      certSummary(res.certificate, 'wizard-cert'),
      h('p#wizard-backup-path', { text: t('backupSavedAt', res.backup.path) }),
      installTable((res.install && res.install.results) || []),
      cleanupBox);
    $('#wizard-done').setAttribute('tabindex', '-1');
    $('#wizard-done').focus();
    login = { ...login, suggestion: 'none', server_cert: res.certificate };
    const s = await staleCerts();
    if (s.ok) cleanupOffer(s.result, cleanupBox);
  }

  termsStep();
  return title;
}

async function showImport() {
  const err = msgBox('import-error');
  const file = h('input', { type: 'file', accept: '.pfx,.p12,application/x-pkcs12' });
  const pw = pwInput('off');
  const go = h('button.primary#import-submit', { type: 'submit', text: t('importButton') });
  const out = h('div#import-result');
  const form = h('form#import-form', { novalidate: true }, h('p.intro', { text: t('importIntro') }),
    field('import-file', 'fileLabel', file), field('import-pw', 'backupPassword', pw), err, h('div.actions', {}, go));
  const title = section('importTitle', form, out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMsg(err);
    out.replaceChildren();
    if (!file.files.length) { showError(err, t('fileRequired')); file.focus(); return; }
    busy(go, true);
    const data = await fileToBase64(file.files[0]);
    const r = await call('import', { data, password: pw.value });
    pw.value = '';
    busy(go, false);
    if (!r.ok) { showError(err, r.error); (r.error.code === 'PFX_WRONG_PASSWORD' ? pw : file).focus(); return; }
    const res = r.result;
    out.append(okBox('import-done', t('importDone')), certSummary(res.certificate, 'import-cert'));
    if (res.offer_install && res.offer_install.length) {
      const inst = h('button.primary#import-install', { type: 'button', text: t('installButton') });
      const slot = h('div#import-install-slot');
      inst.addEventListener('click', async () => {
        busy(inst, true);
        const ir = await call('install', { stores: res.offer_install });
        busy(inst, false);
        if (!ir.ok) { showError(err, ir.error); return; }
        slot.replaceChildren(installTable(ir.result.results));
      });
      out.append(h('div.banner', {}, h('p', { text: t('offerInstall') }), h('div.actions', {}, inst)), slot);
    }
    $('#import-done').setAttribute('tabindex', '-1');
    $('#import-done').focus();
  });
  return title;
}

async function showBackup() {
  const err = msgBox('backup-error');
  const pair = passwordPair('bk');
  const path = pathField('bk-path', 'save', err);
  const compat = h('input#bk-compat', { type: 'checkbox' });
  const go = h('button.primary#backup-submit', { type: 'submit', text: t('backupButton') });
  const out = h('div#backup-result');
  const form = h('form#backup-form', { novalidate: true }, h('p.intro', { text: t('backupIntroPage') }),
    pair.el, path.el, h('div.check', {}, compat, h('label', { for: 'bk-compat', text: t('compatLabel') })),
    err, h('div.actions', {}, go));
  const title = section('backupTitle', form, out);
  const run = async (password, overwrite) => {
    const args = { password };
    if (path.input.value.trim()) args.path = path.input.value.trim();
    if (compat.checked) args.compat = true;
    if (overwrite) args.overwrite = true;
    busy(go, true);
    const r = await call('backup', args);
    busy(go, false);
    return r;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMsg(err);
    out.replaceChildren();
    let password;
    try { password = pair.get(); } catch (m) { showError(err, m); return; }
    pair.clear();
    let r = await run(password, false);
    if (!r.ok && r.error.code === 'FILE_EXISTS') {
      const yes = h('button.primary#backup-overwrite', { type: 'button', text: t('overwriteButton') });
      const no = h('button#backup-keep', { type: 'button', text: t('cancelButton') });
      out.replaceChildren(h('div.banner#backup-exists', { role: 'group' }, h('p', { text: t('overwriteAsk') }), h('div.actions', {}, yes, no)));
      yes.focus();
      const choice = await new Promise((res) => { yes.onclick = () => res(true); no.onclick = () => res(false); });
      out.replaceChildren();
      if (!choice) { password = ''; pair.focus(); return; }
      r = await run(password, true);
    }
    password = '';
    if (!r.ok) { showError(err, r.error); pair.focus(); return; }
    out.replaceChildren(okBox('backup-done', t('backupDone')), h('p#backup-path', { text: t('backupSavedAt', r.result.path) }),
      certSummary(r.result.certificate, 'backup-cert'));
    $('#backup-done').setAttribute('tabindex', '-1');
    $('#backup-done').focus();
  });
  return title;
}

async function showList(tk) {
  const err = msgBox('list-error');
  const slot = h('div#list-slot', {}, h('p.hint', { text: t('working') }));
  const refresh = h('button#list-refresh', { type: 'button', text: t('refreshButton'), onclick: () => route() });
  const title = section('listTitle', h('p.intro', { text: t('listIntro') }), slot, err, h('div.actions', {}, refresh));
  const r = await call('list');
  if (tk !== renderToken) return title;
  if (!r.ok) { slot.replaceChildren(); showError(err, r.error); return title; }
  const certs = r.result.certificates;
  if (!certs.length) { slot.replaceChildren(h('p', { text: t('listEmpty') })); return title; }
  const cols = ['colSn', 'colStatus', 'colSerial', 'colCn', 'colDevice', 'colFrom', 'colTo'];
  slot.replaceChildren(h('div.tablewrap', { tabindex: '0', role: 'region', 'aria-labelledby': 'section-title' },
    h('table.data#cert-list', {},
      h('thead', {}, h('tr', {}, ...cols.map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, ...certs.map((c) => h('tr', { 'data-status': c.status },
        h('td', { text: String(c.sn) }),
        h('td', {}, h('span.tag' + (c.status === 'valid' ? '.good' : '.bad'), { text: t('status_' + c.status) })),
        h('td.mono', { text: c.serial }), h('td.mono', { text: c.cn }), h('td', { text: c.device }),
        h('td.nowrap', { text: fmtDate(c.not_before) }), h('td.nowrap', { text: fmtDate(c.not_after) })))))));
  return title;
}

function showRevoke() {
  const err = msgBox('revoke-error');
  const out = h('div#revoke-result');
  const go = h('button.primary#revoke-open', { type: 'button', text: t('revokeButton') });
  go.addEventListener('click', async () => {
    clearMsg(err);
    busy(go, true);
    const ok = await revokePage(err);
    busy(go, false);
    if (ok) out.replaceChildren(okBox('revoke-done', t('revokeOpened')));
  });
  return section('revokeTitle', h('p.intro', { text: t('revokeIntro') }), err, h('div.actions', {}, go), out);
}

function showInstall() {
  const err = msgBox('install-error');
  const out = h('div#install-slot');
  const go = h('button.primary#install-start', { type: 'button', text: t('installButton') });
  go.addEventListener('click', async () => {
    clearMsg(err);
    out.replaceChildren();
    busy(go, true);
    const r = await call('install');
    busy(go, false);
    if (!r.ok) { showError(err, r.error); return; }
    out.replaceChildren(installTable(r.result.results));
  });
  return section('installTitle', h('p.intro', { text: t('installIntro') }), err, h('div.actions', {}, go), out);
}

async function showCleanup(tk) {
  const err = msgBox('cleanup-page-error');
  const box = h('div#cleanup-slot', {}, h('p.hint', { text: t('working') }));
  const title = section('fnCleanup', h('p.intro', { text: t('cleanupIntro') }), err, box);
  const s = await staleCerts();
  if (tk !== renderToken) return title;
  if (!s.ok) { box.replaceChildren(); showError(err, s.error); return title; }
  cleanupOffer(s.result, box);
  return title;
}

function showHome() {
  return section('appName', h('p.intro', { text: t('appDesc') }),
    h('div.fngrid.big', {}, ...['query', 'apply', 'renew', 'import', 'backup', 'list', 'revoke', 'install'].map((fn) =>
      h('a.fn', { href: '#' + fn, text: t('fn' + fn[0].toUpperCase() + fn.slice(1)) }))));
}

/* ---------- routing and session ---------- */

function setWho() {
  const who = $('#who');
  who.hidden = !login;
  $('#logout').hidden = !login;
  if (login) who.textContent = t('loggedInAs', [login.account.name || '', login.account.id]);
}

async function route() {
  const tk = ++renderToken;
  const name = location.hash.slice(1);
  for (const a of document.querySelectorAll('nav.side a')) {
    if (a.getAttribute('href') === '#' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.body.dataset.section = name || 'home';
  let title;
  if (NEEDS_LOGIN.has(name) && !login) {
    title = section(SECTIONS[name] ? ({ apply: 'applyTitle', renew: 'renewTitle', list: 'listTitle', cleanup: 'fnCleanup' })[name] : 'loginTitle',
      h('p.hint', { text: t('notLoggedInHere') }),
      loginForm((res) => { login = res; setWho(); route(); }));
    $('#login-id').focus();
    return;
  }
  title = await (SECTIONS[name] || showHome)(tk);
  if (tk === renderToken && title && !main.contains(document.activeElement)) title.focus();
}

async function init() {
  localize();
  const hl = await hello();
  if (hl.ok) { hostInfo = hl.result; $('#hostinfo').textContent = t('hostVersion', hl.result.version); }
  const st = await call('_state');
  if (st.ok && st.result.logged_in) login = st.result.login;
  setWho();
  await route();
  document.body.dataset.ready = 'yes';
}

$('#logout').addEventListener('click', async () => {
  await call('logout');
  login = null;
  setWho();
  route();
});

onSession(async (m) => {
  if (m.logged_in) {
    const st = await call('_state');
    if (st.ok && st.result.logged_in && !login) { login = st.result.login; setWho(); route(); }
    return;
  }
  if (login) {
    login = null;
    setWho();
    route().then(() => {
      if (m.reason === 'ended') {
        const p = h('p.msg.error#session-ended', { role: 'alert', text: t('sessionEnded') });
        main.prepend(p);
      }
    });
  }
});

window.addEventListener('hashchange', () => route());
init();
