// 憑證備份: the current certificate and key into a password-protected .pfx file. An existing file is replaced
// only after a question that names it. Without a login, with several customers' certificates here, it asks whose.
import { $, h, call, t, showError, clearMsg, busy } from '../lib/ui.js';
import { section, msgBox, okBox } from '../lib/app.js';
import { passwordPair, pathField, certSummary, askOverwrite } from '../lib/forms.js';
import { candidatesOf, chooseCustomer } from '../lib/whose.js';

export function showBackup() {
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
  const run = async (password, overwrite, serial) => {
    const args = { password };
    if (serial) args.serial = serial;
    if (path.value()) args.path = path.value();
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
    // The fields keep the password until the file is written: after "keep the file" or an error the person
    // changes the path (or the password) and goes on without typing it twice again.
    let r = await run(password, false);
    // Not logged in and several customers' certificates here: the person says whose (issue 17 item 2).
    let serial;
    const cands = candidatesOf(r);
    if (cands) {
      const pick = await chooseCustomer(out, cands, 'backup');
      if (!pick) { password = ''; go.focus(); return; }
      serial = pick.serial;
      r = await run(password, false, serial);
    }
    if (!r.ok && r.error.code === 'FILE_EXISTS') {
      const yes = await askOverwrite(out, 'backup', (r.error.details && r.error.details.path) || path.value());
      if (!yes) { password = ''; path.input.focus(); return; }
      r = await run(password, true, serial);
    }
    password = '';
    if (!r.ok) { showError(err, r.error); pair.focus(); return; }
    pair.clear();
    out.replaceChildren(okBox('backup-done', t('backupDone')), h('p#backup-path', { text: t('backupSavedAt', r.result.path) }),
      certSummary(r.result.certificate, 'backup-cert'));
    $('#backup-done').setAttribute('tabindex', '-1');
    $('#backup-done').focus();
  });
  return title;
}
