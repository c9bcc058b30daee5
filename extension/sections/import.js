// 憑證匯入: a .pfx backup into this browser. A certificate the broker no longer honours (superseded, revoked,
// expired) is named as such; installing it into the other browsers is then a deliberate choice, and removing
// it again is offered first. A file of another customer than the one logged in (a family member's) is imported
// only when the person says so, after seeing whose it is; the install offered then installs that certificate.
import { $, h, call, t, showError, clearMsg, busy } from '../lib/ui.js';
import { app, section, msgBox, okBox } from '../lib/app.js';
import { field, pwInput, fileToBase64, certSummary, installTable } from '../lib/forms.js';
import { storeChoice } from '../lib/storechoice.js';

// 'valid', 'superseded', 'revoked', 'expired', or 'unknown' (logged out: the broker cannot be asked).
async function brokerStatus(cert) {
  if (cert.expired) return 'expired';
  if (!app.login) return 'unknown';
  const r = await call('list');
  if (!r.ok) return 'unknown';
  const norm = (s) => String(s).toUpperCase().replace(/^0+/, '');
  const row = r.result.certificates.find((c) => norm(c.serial) === norm(cert.serial));
  return row ? row.status : 'unknown';
}

function installOffer(res, err, deliberate) {
  const inst = h('button.primary#import-install', { type: 'button', text: t('installButton') });
  const slot = h('div#import-install-slot');
  const choice = storeChoice('imp', { only: res.offer_install });
  inst.addEventListener('click', async () => {
    if (choice.none()) { showError(err, t('storeNoneChosen')); return; }
    busy(inst, true);
    // By serial: the certificate just imported, which need not be the logged-in customer's.
    const which = { serial: res.certificate.serial, ...(res.other_customer !== undefined ? { confirm_other_customer: true } : {}) };
    const ir = await call('install', { ...which, stores: res.offer_install, ...choice.value() });
    choice.clear();
    busy(inst, false);
    if (!ir.ok) { showError(err, ir.error); return; }
    slot.replaceChildren(installTable(ir.result.results, 'install-results', which));
  });
  const kids = [h('p', { text: t('offerInstall') })];
  if (deliberate) {
    // Not the default: the user must say they know the certificate is not usable.
    inst.className = '';
    inst.disabled = true;
    const sure = h('input#import-install-anyway', { type: 'checkbox' });
    sure.addEventListener('change', () => { inst.disabled = !sure.checked; });
    kids.push(h('div.check', {}, sure, h('label', { for: 'import-install-anyway', text: t('importInstallAnyway') })));
  }
  return [h('div.banner#import-offer', {}, ...kids, choice.el, h('div.actions', {}, inst)), slot];
}

function staleWarning(res, status, err, out) {
  const remove = h('button.primary#import-remove', { type: 'button', text: t('importRemoveButton') });
  remove.addEventListener('click', async () => {
    busy(remove, true);
    const r = await call('cleanup', { serials: [res.certificate.serial], stores: [res.store] });   // this browser's only
    busy(remove, false);
    if (!r.ok) { showError(err, r.error); return; }
    out.replaceChildren(okBox('import-removed', t('importRemoved')));
  });
  return h('div.banner.warn#import-stale', { role: 'alert', 'data-status': status },
    h('p', { text: t('importStale_' + status) }), h('p', { text: t('importStaleAdvice') }),
    h('div.actions', {}, remove));
}

// Another customer's file: whose (masked ID), and the choice. Resolves true to import it anyway.
function askOtherCustomer(box, error) {
  const masked = (error.details && error.details.masked_id) || '';
  const yes = h('button#import-other-yes', { type: 'button', text: t('importOtherYes') });
  const no = h('button.primary#import-other-no', { type: 'button', text: t('cancelButton') });
  box.replaceChildren(h('div.banner.warn#import-other', { role: 'alertdialog', 'aria-labelledby': 'import-other-q',
    'data-code': 'OTHER_CUSTOMER', 'data-masked-id': masked },
  h('p#import-other-q', { text: masked ? t('importOtherCustomer', masked) : t('importNotCustomers') }),
  h('p', { text: t('importOtherAdvice') }), h('div.actions', {}, no, yes)));
  no.focus();
  return new Promise((res) => {
    no.onclick = () => { box.replaceChildren(); res(false); };
    yes.onclick = () => { box.replaceChildren(); res(true); };
  });
}

export function showImport() {
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
    const args = { data: await fileToBase64(file.files[0]), password: pw.value };
    pw.value = '';
    let r = await call('import', args);
    if (!r.ok && r.error.code === 'OTHER_CUSTOMER') {
      busy(go, false);
      // Nothing is written yet: the person sees whose certificate it is and decides.
      if (!(await askOtherCustomer(out, r.error))) { args.password = ''; file.focus(); return; }
      busy(go, true);
      r = await call('import', { ...args, confirm_other_customer: true });
    }
    args.password = '';
    if (!r.ok) { busy(go, false); showError(err, r.error); (r.error.code === 'PFX_WRONG_PASSWORD' ? pw : file).focus(); return; }
    const res = r.result;
    const status = await brokerStatus(res.certificate);
    busy(go, false);
    const stale = ['superseded', 'revoked', 'expired'].includes(status);
    out.append(stale ? h('p.msg.warn#import-done', { role: 'status', 'data-status': status, text: t('importDoneStale') })
      : okBox('import-done', t('importDone')), certSummary(res.certificate, 'import-cert'));
    if (res.other_customer) out.append(h('p.hint#import-whose', { text: t('importWhose', res.other_customer) }));
    if (stale) out.append(staleWarning(res, status, err, out));
    else if (status === 'unknown') out.append(h('p.hint#import-status-unknown', { text: t('importStatusUnknown') }));
    if (res.offer_install && res.offer_install.length) out.append(...installOffer(res, err, stale));
    $('#import-done').setAttribute('tabindex', '-1');
    $('#import-done').focus();
  });
  return title;
}
