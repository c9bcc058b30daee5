// 憑證列表: every certificate the broker issued to this ID, with the seed's columns.
import { h, call, t, showError, fmtDate } from '../lib/ui.js';
import { app, section, msgBox } from '../lib/app.js';

export async function showList(tk, nav) {
  const err = msgBox('list-error');
  const slot = h('div#list-slot', {}, h('p.hint', { text: t('working') }));
  const refresh = h('button#list-refresh', { type: 'button', text: t('refreshButton'), onclick: () => nav.route() });
  const title = section('listTitle', h('p.intro', { text: t('listIntro') }), slot, err, h('div.actions', {}, refresh));
  const r = await call('list');
  if (tk !== app.token) return title;
  if (!r.ok) { slot.replaceChildren(); showError(err, r.error); return title; }
  const certs = r.result.certificates;
  if (!certs.length) { slot.replaceChildren(h('p', { text: t('listEmpty') })); return title; }
  const cols = ['colSn', 'colStatus', 'colSerial', 'colCn', 'colDevice', 'colFrom', 'colTo'];
  // The scrolling region is a landmark of its own: a name of its own, not the section's (axe landmark-unique).
  slot.replaceChildren(h('div.tablewrap', { tabindex: '0', role: 'region', 'aria-label': t('listTableName') },
    h('table.data#cert-list', {},
      h('thead', {}, h('tr', {}, ...cols.map((k) => h('th', { scope: 'col', text: t(k) })))),
      h('tbody', {}, ...certs.map((c) => h('tr', { 'data-status': c.status },
        h('td', { text: String(c.sn) }),
        h('td', {}, h('span.tag' + (c.status === 'valid' ? '.good' : '.bad'), { text: t('status_' + c.status) })),
        h('td.mono', { text: c.serial }), h('td.mono', { text: c.cn }), h('td', { text: c.device }),
        h('td.when', { text: fmtDate(c.not_before) }), h('td.when', { text: fmtDate(c.not_after) })))))));
  return title;
}
