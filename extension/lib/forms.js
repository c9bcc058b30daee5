// Form pieces the manager's sections share: labelled fields, the password pair with the host's rule, the path
// field with Browse, a certificate summary and the per-store install results.
import { h, call, t, showError, busy, fmtDate } from './ui.js';
import { has } from './host.js';
import { strength } from './strength.js';
import { ruleOf, breaks } from './pwrule.js';
import { app } from './app.js';

export function field(id, labelKey, input, hintText) {
  input.id = id;
  if (hintText) input.setAttribute('aria-describedby', id + '-hint');
  return h('div.field', {}, h('label', { for: id, text: t(labelKey) }), input,
    hintText ? h('p.hint#' + id + '-hint', { text: hintText }) : null);
}

export function pwInput(autocomplete = 'new-password') {
  return h('input', { type: 'password', autocomplete, spellcheck: 'false' });
}

export function fileToBase64(file) {
  return file.arrayBuffer().then((buf) => {
    const bytes = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
}

// Password twice: the host's rule shown and checked as the user types, plus a strength hint. get() returns the
// password or throws a message (the rule broken, or the two differ); clear() wipes both.
export function passwordPair(prefix, initial = '') {
  const a = pwInput(), b = pwInput();
  a.value = initial;
  b.value = initial;
  const rule = ruleOf(app.hostInfo);
  const id = () => app.login && app.login.account && app.login.account.id;
  const meter = h('meter#' + prefix + '-meter', { min: '0', max: '3', low: '1.5', high: '2.5', optimum: '3', value: '0',
    'aria-labelledby': prefix + '-strength' });
  // Nothing typed, nothing judged: 「太弱」 before the first key would read as a reproach (issue 22 item 10).
  const label = h('span#' + prefix + '-strength-text');
  const check = h('p.rulecheck#' + prefix + '-rule', { 'aria-live': 'polite' });
  const broken = () => breaks(rule, a.value, id());
  const say = (k) => (k ? t('pwRule_' + k, rule.min_length) : t('pwRuleOk'));
  const upd = () => {
    const s = strength(a.value, id());
    meter.value = s;
    label.textContent = a.value ? t('strength' + s) : '';
    const k = a.value ? broken() : '';
    check.textContent = a.value ? say(k) : '';
    check.dataset.rule = a.value ? (k || 'ok') : '';
    a.setAttribute('aria-invalid', k ? 'true' : 'false');
  };
  a.addEventListener('input', upd);
  if (initial) upd();
  const el = h('div.pwpair', {},
    field(prefix + '-pw1', 'backupPassword', a, t('pwRuleHint', rule.min_length) + ' ' + t('strengthHint')),
    check,
    h('p.strength#' + prefix + '-strength', {}, t('strengthLabel'), meter, ' ', label),
    field(prefix + '-pw2', 'backupPassword2', b));
  return {
    el,
    get() {
      const k = broken();
      if (k) { a.focus(); throw say(k); }
      if (a.value !== b.value) { b.focus(); throw t('passwordsDiffer'); }
      return a.value;
    },
    clear() { a.value = ''; b.value = ''; upd(); },
    focus() { a.focus(); },
  };
}

// Path input with Browse (the host's native dialog, where one exists).
export function pathField(id, mode, errBox, labelKey = 'pathLabel') {
  const dir = app.hostInfo && app.hostInfo.config ? app.hostInfo.config.backup_dir : '';
  const input = h('input', { type: 'text', spellcheck: 'false', placeholder: dir ? t('pathDefault', dir) : '' });
  const wrap = h('div.pathrow', {}, field(id, labelKey, input, dir ? t('pathDefault', dir) : null));
  has('pick_file').then((yes) => {
    if (!yes) return;
    const browse = h('button#' + id + '-browse', { type: 'button', text: t('browseButton') });
    browse.addEventListener('click', async () => {
      busy(browse, true);
      const args = { mode };
      // A folder ends with a separator: the dialog then opens it, instead of its parent with the folder's
      // name as the file name.
      if (input.value.trim()) args.default_path = normalizePath(input.value, app.hostInfo);
      else if (dir) args.default_path = withSep(dir);
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
  return { el: wrap, input, value: () => normalizePath(input.value, app.hostInfo) };
}

function withSep(dir) { return /[\\/]$/.test(dir) ? dir : dir + (dir.includes('\\') ? '\\' : '/'); }

// What the user typed, as the host should get it: "~" is the home folder, as in a shell. (A folder gets the
// default file name in it, and ".pfx" is added to a name without it: the host does both.)
export function normalizePath(typed, hostInfo) {
  const p = String(typed || '').trim();
  const home = hostInfo && hostInfo.config && hostInfo.config.home;
  if (home && (p === '~' || /^~[\\/]/.test(p))) return withSep(home) + p.slice(2);
  return p;
}

// The overwrite question, naming the file. Resolves true (replace) or false.
export function askOverwrite(box, prefix, file) {
  const yes = h('button.primary#' + prefix + '-overwrite', { type: 'button', text: t('overwriteButton') });
  const no = h('button#' + prefix + '-keep', { type: 'button', text: t('cancelButton') });
  box.replaceChildren(h('div.banner#' + prefix + '-exists', { role: 'group', 'aria-labelledby': prefix + '-exists-q' },
    h('p#' + prefix + '-exists-q', { text: t('overwriteAskFile', file) }), h('div.actions', {}, yes, no)));
  // Replacing a file cannot be undone: the safe answer has the focus, and Escape gives it (issue 22 item 2).
  no.focus();
  return new Promise((res) => {
    const done = (v) => { box.replaceChildren(); res(v); };
    yes.onclick = () => done(true);
    no.onclick = () => done(false);
    box.firstChild.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); done(false); } });
  });
}

export function certSummary(cert, id) {
  return h('dl.summary#' + id, {},
    h('dt', { text: t('serialLabel') }), h('dd.serial', { text: cert.serial }),
    h('dt', { text: t('cnLabel') }), h('dd', { text: cert.cn || '' }),
    h('dt', { text: t('validFrom') }), h('dd', { text: fmtDate(cert.not_before) }),
    h('dt', { text: t('validTo') }), h('dd', { text: fmtDate(cert.not_after) }));
}

export function showErrorText(error) {
  const p = h('p');
  showError(p, error);
  return p.textContent;
}

// Per-browser install results; a store that wants its password gets a field and a retry.
// extra: the install arguments that name the certificate (import's serial), kept by the retry.
export function installTable(results, id = 'install-results', extra = {}) {
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
        const res = await call('install', { ...extra, stores: [r.store], password_for: { [r.store]: pw.value } });
        pw.value = '';
        busy(retry, false);
        if (res.ok) tr.replaceWith(installTable(res.result.results, id, extra).querySelector('tbody tr'));
        else cell.append(h('p.msg.error', { role: 'alert', text: showErrorText(res.error) }));
      });
      cell.append(h('div.inline', {}, pw, retry));
    }
    // Investors see browser and profile names; the store id (nss:pki, firefox:home:…) stays for support only.
    const tr = h('tr', { 'data-status': r.status, 'data-store': r.store || '', title: r.store || '' },
      h('td', { text: r.browser || r.store || '' }), h('td', { text: r.profile || '—' }), cell);
    body.append(tr);
  }
  return h('table.data#' + id, {},
    h('caption', { text: t('installResults') }),
    h('thead', {}, h('tr', {}, ...['colBrowser', 'colProfile', 'colResult'].map((k) => h('th', { scope: 'col', text: t(k) })))),
    body);
}
