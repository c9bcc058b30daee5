// 憑證申請 / 憑證更新: one wizard, an explicit step-state object. Order: check -> terms -> backup -> OTP -> run ->
// done. What could refuse the request is checked before anything is spent: a valid certificate that applying
// would supersede (the user must choose to replace it), a renewal window that is not open yet (its date). The
// OTP is typed last, right before the start; a failed request comes back to the step it concerns with every
// typed value kept, and never sends a new SMS by itself.
import { $, h, call, t, showError, clearMsg, fmtDate, busy } from '../lib/ui.js';
import { app, section, msgBox, okBox } from '../lib/app.js';
import { errorText } from '../lib/i18n.js';
import { field, pwInput, passwordPair, pathField, certSummary, installTable, askOverwrite, normalizePath } from '../lib/forms.js';
import { storeChoice } from '../lib/storechoice.js';
import { staleCerts, cleanupOffer } from './cleanup.js';

const STEPS = ['terms', 'backup', 'otp', 'run', 'done'];
const STEP_LABELS = { terms: 'stepTerms', backup: 'stepBackup', otp: 'stepOtp', run: 'stepRun', done: 'stepDone' };
const RESEND_COOLDOWN_S = 60;
const BACKUP_CODES = ['PASSWORD_TOO_WEAK', 'FILE_EXISTS', 'FILE_WRITE_FAILED', 'CLIENT_CERT_REQUIRED',
  'PFX_WRONG_PASSWORD', 'FILE_NOT_FOUND', 'PFX_INVALID', 'SUBJECT_MISMATCH', 'KEY_MISSING'];

function newState(kind) {
  return {
    kind,                   // 'apply' | 'renew'
    step: 'check',
    termsVersion: null,
    replaceExisting: false, // apply: the user chose to supersede the valid certificate
    backup: { path: '', compat: false, password: '', overwrite: false },
    current: { path: '', password: '' },  // renew: the current certificate's .pfx (optional)
    otp: { code: '', sentTo: '', expiresIn: 0, resendAt: 0, requested: false },
    pending: null,          // RA_PENDING error: the same request is sent again (resume)
    result: null,
    issued: null,           // ISSUED_NOT_SAVED error details
  };
}

// The certificate the broker holds now, from the host's session summary.
function serverCert() { return (app.login && app.login.server_cert) || null; }
function isValid(c) { return !!c && c.status === 'valid' && !c.expired; }
function inWindow(c) { return isValid(c) && (!c.renewable_from || Date.parse(c.renewable_from) <= Date.parse(app.login.ra_now || new Date().toISOString())); }

export function wizard(kind) {
  return (tk, nav) => new Wizard(kind, nav).start();
}

class Wizard {
  constructor(kind, nav) {
    this.s = newState(kind);
    this.nav = nav;
    this.renew = kind === 'renew';
  }

  start() {
    this.stepList = h('ol.steps#wizard-steps', {}, ...STEPS.map((k) => h('li', { 'data-step': k, text: t(STEP_LABELS[k]) })));
    this.body = h('div.wizard#wizard-body');
    const title = section(this.renew ? 'renewTitle' : 'applyTitle', this.stepList, this.body);
    this.go('check');
    return title;
  }

  // The one way between steps: records the step, marks the list, renders it.
  go(step, error) {
    this.s.step = step;
    const i = STEPS.indexOf(step);
    [...this.stepList.children].forEach((li, j) => {
      li.className = i >= 0 && j < i ? 'done' : (j === i ? 'current' : '');
      if (j === i) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    });
    this.body.dataset.step = step;
    this.stepList.hidden = ['check', 'closed', 'replace', 'unsaved'].includes(step);
    return this[step](error);
  }

  forget() {
    this.s.backup.password = ''; this.s.current.password = ''; this.s.otp.code = '';
    if (this.stores) this.stores.clear();
  }

  /* ---- check: is there anything to refuse before a single thing is spent? ---- */
  check() {
    if (app.issuedUnsaved && !this.s.issued) {   // e.g. the page was reloaded: the host still holds it
      this.s.issued = { issued_serial: app.issuedUnsaved.serial, backup_written: false, installed: [] };
      return this.go('unsaved');
    }
    const c = serverCert();
    if (this.renew) {
      if (!isValid(c)) return this.go('closed', { kind: 'none' });
      if (!inWindow(c)) return this.go('closed', { kind: 'window', from: c.renewable_from });
      return this.go('terms');
    }
    if (isValid(c) && !this.s.replaceExisting) return this.go('replace', { cert: c });
    return this.go('terms');
  }

  // Renew cannot go on: no valid certificate, or the window opens later (with its date).
  closed(why) {
    const ok = h('button.primary#wizard-ok', { type: 'button', text: t('confirmButton'), onclick: () => this.nav.home() });
    const kids = [];
    if (why.kind === 'window') {
      kids.push(h('p#renew-closed', { 'data-code': 'NOT_IN_RENEWAL_WINDOW', text: t('renewOpensOn', fmtDate(why.from)) }));
      const c = serverCert();
      if (c) kids.push(certSummary(c, 'renew-current'));
    } else {
      kids.push(h('p#renew-closed', { 'data-code': 'NO_CERTIFICATE', text: t('renewNothing') }));
      kids.push(h('p', {}, h('a#renew-to-apply', { href: '#apply', text: t('fnApply') })));
    }
    this.body.replaceChildren(h('div.banner#wizard-closed', { role: 'status' }, ...kids, h('div.actions', {}, ok)));
    ok.focus();
  }

  // Apply while a valid certificate exists: say what replacing does, offer the better ways first.
  replace({ cert }) {
    const days = cert.days_left;
    const better = [h('a.button#replace-import', { href: '#import', text: t('replaceImport') })];
    if (inWindow(cert)) better.unshift(h('a.button.primary#replace-renew', { href: '#renew', text: t('replaceRenew') }));
    const sure = h('input#replace-sure', { type: 'checkbox' });
    const go = h('button.danger#replace-confirm', { type: 'button', text: t('replaceConfirm'), disabled: true });
    sure.addEventListener('change', () => { go.disabled = !sure.checked; });
    go.addEventListener('click', () => { this.s.replaceExisting = true; this.go('terms'); });
    this.body.replaceChildren(h('div.banner.warn#replace-ask', { role: 'group', 'aria-labelledby': 'replace-q' },
      h('p#replace-q', { text: t('replaceExplain', [cert.serial, fmtDate(cert.not_after), String(days)]) }),
      certSummary(cert, 'replace-cert'),
      h('p', { text: t('replaceBetter') }), h('div.actions', {}, ...better),
      h('div.check', {}, sure, h('label', { for: 'replace-sure', text: t('replaceSure') })),
      h('div.actions', {}, go)));
    (better[0]).focus();
  }

  /* ---- terms ---- */
  async terms(error) {
    const err = msgBox('terms-error');
    this.body.replaceChildren(h('p.hint', { text: t('working') }));
    const r = await call('terms');
    if (!r.ok) { this.body.replaceChildren(err); showError(err, r.error); return; }
    this.s.termsVersion = r.result.version;
    const agree = h('input#terms-agree', { type: 'checkbox' });
    const next = h('button.primary#terms-next', { type: 'button', text: t('nextButton'), disabled: true });
    agree.addEventListener('change', () => { next.disabled = !agree.checked; });
    next.addEventListener('click', () => this.go('backup'));
    this.body.replaceChildren(
      h('p.hint', { text: t('termsVersion', r.result.version) }),
      h('div.terms#terms-text', { tabindex: '0', role: 'region', 'aria-label': t('stepTerms'), text: r.result.text }),
      h('div.check', {}, agree, h('label', { for: 'terms-agree', text: t('termsAgree') })),
      err, h('div.actions', {}, next));
    if (error) showError(err, error);
    agree.focus();
  }

  /* ---- backup: password, path, (renew) the current .pfx; kept in the state for the way back ---- */
  backup(error) {
    const s = this.s;
    const err = msgBox('wizard-error');
    const pair = passwordPair('wiz', s.backup.password);
    const path = pathField('wiz-path', 'save', err);
    path.input.value = s.backup.path;
    const compat = h('input#wiz-compat', { type: 'checkbox' });
    compat.checked = s.backup.compat;
    const kids = [h('p.intro', { text: t('backupIntro') }), pair.el, path.el,
      h('div.check', {}, compat, h('label', { for: 'wiz-compat', text: t('compatLabel') }))];
    let cur = null;
    if (this.renew) {
      cur = { path: pathField('wiz-cur-path', 'open', err, 'currentPfxPath'), pw: pwInput('off') };
      // A file it reads, not one it writes: no "saved in …" hint (issue 22 item 6).
      cur.path.input.placeholder = '';
      let hint = cur.path.el.querySelector('#wiz-cur-path-hint');
      if (!hint) {
        hint = h('p.hint#wiz-cur-path-hint');
        cur.path.input.after(hint);
        cur.path.input.setAttribute('aria-describedby', 'wiz-cur-path-hint');
      }
      hint.textContent = t('currentPfxHint');
      cur.path.input.value = s.current.path;
      cur.pw.value = s.current.password;
      kids.push(h('details#wiz-current', { open: s.current.path ? true : null }, h('summary', { text: t('currentPfxTitle') }),
        cur.path.el, field('wiz-cur-pw', 'currentPfxPassword', cur.pw)));
    }
    // Chosen once per wizard: going back and forth keeps the ticks and typed store passwords.
    if (!this.stores) this.stores = storeChoice('wiz');
    kids.push(this.stores.el);
    const next = h('button.primary#backup-next', { type: 'submit', text: t('nextButton') });
    const back = h('button#wizard-back', { type: 'button', text: t('backButton'), onclick: () => { save(); this.go('terms'); } });
    const save = () => {
      s.backup.path = path.input.value;
      s.backup.compat = compat.checked;
      if (cur) { s.current.path = cur.path.input.value; s.current.password = cur.pw.value; }
    };
    const form = h('form#wizard-backup', { novalidate: true }, ...kids, err, h('div.overwrite#wiz-exists-slot'),
      h('div.actions', {}, back, next));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearMsg(err);
      save();
      try { s.backup.password = pair.get(); } catch (m) { showError(err, m); return; }
      if (this.stores.none()) { showError(err, t('storeNoneChosen')); return; }
      this.go('otp');
    });
    this.body.replaceChildren(form);
    if (error) showError(err, error);
    if (error && error.code === 'FILE_EXISTS') {
      const file = (error.details && error.details.path) || path.value();
      askOverwrite($('#wiz-exists-slot'), 'wiz', file).then((yes) => {
        if (yes) { s.backup.overwrite = true; clearMsg(err); this.go('otp'); } else path.input.focus();
      });
      return;
    }
    pair.focus();
  }

  /* ---- OTP: typed last; a new SMS only when asked (or the old code is spent), with a visible cooldown ---- */
  async otp(error) {
    const s = this.s;
    const err = msgBox('otp-error');
    const sent = h('p.intro#otp-sent', { role: 'status' });
    const code = h('input', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}', spellcheck: 'false' });
    code.value = s.otp.code;
    const resend = h('button#otp-resend', { type: 'button', text: t('otpResend') });
    const cooldown = h('span.hint#otp-cooldown', { 'aria-live': 'off' });
    const go = h('button.primary#wizard-start', { type: 'submit',
      text: t(s.pending ? 'resendRequest' : (this.renew ? 'startRenew' : 'startApply')) });
    const back = h('button#otp-back', { type: 'button', text: t('backButton'), onclick: () => { s.otp.code = code.value; this.go('backup'); } });
    const form = h('form#otp-form', { novalidate: true }, sent, field('otp-code', 'otpLabel', code, t('otpReplaces')),
      err, h('div.actions', {}, back, resend, cooldown, go));
    this.body.replaceChildren(form);
    const tick = () => {
      const left = Math.ceil((s.otp.resendAt - Date.now()) / 1000);
      resend.disabled = left > 0;
      cooldown.textContent = left > 0 ? t('otpCooldown', left) : '';
      if (left > 0 && form.isConnected) setTimeout(tick, 1000);
    };
    const showSent = () => { if (s.otp.sentTo) sent.textContent = t('otpSent', [s.otp.sentTo, Math.round((s.otp.expiresIn || 300) / 60)]); };
    const request = async () => {
      busy(resend, true);
      const r = await call('otp_request');
      busy(resend, false);
      if (!r.ok) { showError(err, r.error); return; }
      Object.assign(s.otp, { sentTo: r.result.sent_to, expiresIn: r.result.expires_in, requested: true,
        resendAt: Date.now() + RESEND_COOLDOWN_S * 1000 });
      showSent();
      tick();
    };
    resend.addEventListener('click', async () => { clearMsg(err); code.value = ''; await request(); code.focus(); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!/^\d{6}$/.test(code.value.trim())) { showError(err, t('otpFormat')); code.focus(); return; }
      s.otp.code = code.value.trim();
      this.go('run');
    });
    if (error && error.code === 'OTP_EXPIRED') s.otp.resendAt = 0;   // the old code is spent: resend at once
    if (!s.otp.requested) await request(); else { showSent(); tick(); }
    if (error) showError(err, error);
    if (s.pending) this.pendingRef(err, s.pending);
    code.focus();
  }

  pendingRef(after, error) {
    const ref = error.details && error.details.spki_sha256;
    if (ref) after.after(h('p.hint#pending-ref', { text: t('pendingRef', String(ref).slice(0, 16).toUpperCase()) }));
  }

  args() {
    const s = this.s;
    const a = { terms_version: s.termsVersion, otp: s.otp.code, backup: { password: s.backup.password } };
    const p = normalizePath(s.backup.path, app.hostInfo);
    if (p) a.backup.path = p;
    if (s.backup.compat) a.backup.compat = true;
    if (s.backup.overwrite) a.backup.overwrite = true;
    if (this.renew && s.current.path.trim()) a.current = { path: s.current.path.trim(), password: s.current.password };
    if (!this.renew && s.replaceExisting) a.replace_existing = true;
    if (s.pending) a.resume = true;   // the broker approves the request the host keeps: send that one again
    if (this.stores) Object.assign(a, this.stores.value());
    return a;
  }

  /* ---- run ---- */
  async run() {
    const names = { keygen: 'progKeygen', enroll: 'progEnroll', backup: 'progBackup', install: 'progInstall' };
    const order = Object.keys(names);
    const rows = {};
    const list = h('ul.progress#wizard-progress', { 'aria-live': 'polite' });
    for (const st of order) {
      const bar = h('progress', { max: '1', value: '0', 'aria-labelledby': 'prog-' + st + '-label' });
      const state = h('span.pstate', { text: t('progWaiting') });
      rows[st] = { bar, state, li: h('li', { 'data-step': st }, h('span#prog-' + st + '-label', { text: t(names[st]) }), bar, state) };
      list.append(rows[st].li);
    }
    this.body.replaceChildren(list);
    let current = null;
    const setStep = (st, done, total) => {
      const idx = order.indexOf(st);
      if (idx < 0) return;
      order.forEach((o, j) => {
        if (j < idx) { rows[o].bar.value = 1; rows[o].state.textContent = t('progDone'); rows[o].li.dataset.state = 'done'; }
      });
      rows[st].bar.value = total ? done / total : 0;
      const fin = total && done >= total;
      rows[st].state.textContent = t(fin ? 'progDone' : 'progRunning');
      rows[st].li.dataset.state = fin ? 'done' : 'running';
      current = st;
    };
    setStep('keygen', 0, 1);
    const r = await call(this.s.kind, this.args(), (p) => setStep(p.step, p.done, p.total));
    if (r.ok) { order.forEach((o) => setStep(o, 1, 1)); this.forget(); this.s.result = r.result; return this.go('done'); }
    if (current) { rows[current].state.textContent = t('progFailed'); rows[current].li.dataset.state = 'failed'; }
    return this.failed(r.error);
  }

  // Back to the step the error concerns, with what was typed.
  failed(e) {
    const s = this.s;
    s.pending = e.details && e.details.pending ? e : null;
    if (s.pending) return this.go('otp', e);
    if (e.code === 'OTP_INVALID' || e.code === 'OTP_EXPIRED') return this.go('otp', e);
    if (e.code === 'TERMS_NOT_ACCEPTED') return this.go('terms', e);
    if (e.code === 'VALID_CERT_EXISTS') {
      s.replaceExisting = false;
      const d = e.details || {};
      return this.go('replace', { cert: { ...serverCert(), serial: d.serial, device: d.device, not_after: d.not_after,
        days_left: d.days_left, status: 'valid' } });
    }
    if (e.code === 'NOT_IN_RENEWAL_WINDOW') return this.go('closed', { kind: 'window', from: e.details && e.details.renewable_from });
    if (e.code === 'ISSUED_NOT_SAVED') {
      s.issued = e.details || {};
      app.issuedUnsaved = { serial: s.issued.issued_serial };
      return this.go('unsaved');
    }
    if (BACKUP_CODES.includes(e.code)) return this.go('backup', e);
    const err = msgBox('wizard-error');
    this.body.append(err, h('div.actions', {}, h('button#wizard-restart', { type: 'button', text: t('backButton'), onclick: () => this.go('backup') })));
    showError(err, e);
  }

  /* ---- the RA issued a certificate the host could not save: another path, or install, on this screen ---- */
  unsaved() {
    const s = this.s;
    const d = s.issued;
    const err = msgBox('unsaved-error');
    const pair = passwordPair('us', s.backup.password);
    const path = pathField('us-path', 'save', err);
    path.input.value = s.backup.path;
    // Already in a browser: only the backup is missing, so installing is not offered again (issue 22 item 7).
    const installed = Array.isArray(d.installed) && d.installed.length > 0;
    const inst = h('input#us-install', { type: 'checkbox' });
    inst.checked = !installed;
    const go = h('button.primary#unsaved-retry', { type: 'submit', text: t('retryButton') });
    const why = d.cause ? h('p.hint#unsaved-cause', { text: t('issuedCause', errorText({ code: d.cause, details: d })) }) : null;
    const form = h('form#unsaved-form', { novalidate: true },
      h('p.msg.error#unsaved-say', { role: 'alert', 'data-code': 'ISSUED_NOT_SAVED',
        text: t(installed ? 'issuedNotSavedInstalled' : 'issuedNotSaved', d.issued_serial || '') }),
      ...(why ? [why] : []),
      d.backup_written ? h('p.hint', { text: t('issuedBackupWritten') }) : h('div', {}, pair.el, path.el),
      installed ? h('p.hint#unsaved-installed', { text: t('issuedAlreadyInstalled') })
        : h('div.check', {}, inst, h('label', { for: 'us-install', text: t('issuedInstall') })), err, h('div.actions', {}, go));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearMsg(err);
      const a = {};
      if (!d.backup_written) {
        try { a.backup = { password: pair.get() }; } catch (m) { showError(err, m); return; }
        const p = path.value();
        if (p) a.backup.path = p;
      }
      if (inst.checked) a.install = true;
      busy(go, true);
      const r = await call('save_issued', a);
      busy(go, false);
      if (a.backup) a.backup.password = '';
      if (!r.ok) {
        if (r.error.code === 'ISSUED_NOT_SAVED') { s.issued = r.error.details || d; }
        showError(err, r.error);
        return;
      }
      this.forget();
      app.issuedUnsaved = null;
      s.result = r.result;
      this.go('done');
    });
    this.body.replaceChildren(form);
    (d.backup_written ? inst : pair).focus();
  }

  /* ---- done ---- */
  async done() {
    const res = this.s.result;
    const cleanupBox = h('div#cleanup-slot');
    const ok = h('button.primary#wizard-ok', { type: 'button', text: t('confirmButton'), onclick: () => this.nav.home('query') });
    this.body.replaceChildren(
      okBox('wizard-done', t(this.renew ? 'renewDone' : 'applyDone')),
      res.certificate ? certSummary(res.certificate, 'wizard-cert') : null,
      res.backup ? h('p#wizard-backup-path', { text: t('backupSavedAt', res.backup.path) }) : null,
      installTable((res.install && res.install.results) || []),
      cleanupBox, h('div.actions', {}, ok));
    $('#wizard-done').setAttribute('tabindex', '-1');
    $('#wizard-done').focus();
    await this.nav.refreshSession();
    const st = await staleCerts();
    if (st.ok) cleanupOffer(st.result, cleanupBox);
  }
}
