// 憑證安裝: the current certificate into every browser's store on this computer.
import { h, call, t, showError, clearMsg, busy } from '../lib/ui.js';
import { section, msgBox } from '../lib/app.js';
import { installTable } from '../lib/forms.js';

export function showInstall() {
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
