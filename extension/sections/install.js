// 跨瀏覽器憑證安裝: the current certificate into the browsers' stores on this computer that the person keeps
// ticked (a family member's own Firefox profile starts unticked; a protected one takes its master password).
// Without a login, with several customers' certificates here, it asks whose.
import { h, call, t, showError, clearMsg, busy } from '../lib/ui.js';
import { section, msgBox } from '../lib/app.js';
import { installTable } from '../lib/forms.js';
import { storeChoice } from '../lib/storechoice.js';
import { candidatesOf, chooseCustomer } from '../lib/whose.js';

export function showInstall() {
  const err = msgBox('install-error');
  const out = h('div#install-slot');
  const choice = storeChoice('inst');
  const go = h('button.primary#install-start', { type: 'button', text: t('installButton') });
  go.addEventListener('click', async () => {
    clearMsg(err);
    out.replaceChildren();
    if (choice.none()) { showError(err, t('storeNoneChosen')); return; }
    busy(go, true);
    const args = choice.value();
    let r = await call('install', args);
    const cands = candidatesOf(r);
    // Not logged in and several customers' certificates here: the person says whose (issue 17 item 2).
    if (cands) {
      busy(go, false);
      const pick = await chooseCustomer(out, cands, 'install');
      if (!pick) { choice.clear(); go.focus(); return; }
      busy(go, true);
      r = await call('install', { ...args, serial: pick.serial });
    }
    choice.clear();
    busy(go, false);
    if (!r.ok) { showError(err, r.error); err.focus(); return; }
    const table = installTable(r.result.results);
    table.setAttribute('tabindex', '-1');
    out.replaceChildren(table);
    table.focus();   // the result, not the page body (issue 22 item 8)
  });
  err.setAttribute('tabindex', '-1');
  return section('installTitle', h('p.intro', { text: t('installIntro') }), choice.el, err, h('div.actions', {}, go), out);
}
