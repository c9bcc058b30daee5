// 憑證註銷: the broker's own revocation page, in a new tab.
import { h, t, clearMsg, revokePage, busy } from '../lib/ui.js';
import { section, msgBox, okBox } from '../lib/app.js';

export function showRevoke() {
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
