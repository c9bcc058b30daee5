// 憑證簽驗 section of the manager: for every store found (each browser, each Firefox profile), the host signs its
// own test text with that store's certificate (`sign` with self_test) and verifies it locally against the pinned
// CA and, when logged in, with the broker (POST /verify). Each row: ✔, or the reason ✘ with the fix one click
// away. Also the list of sites stopped from asking for signatures (sign/sign-background.js), with a way back.
import { h, call, t } from '../lib/ui.js';
import { s, reason } from '../sign/strings.js';
import { candidatesOf, chooseCustomer } from '../lib/whose.js';

const api = globalThis.browser ?? globalThis.chrome;

// The fix for each reason: a section of this manager.
const FIX = {
  NO_CERTIFICATE: ['fixInstall', '#install'], KEY_MISSING: ['fixImport', '#import'], CERT_EXPIRED: ['fixApply', '#apply'],
  CERT_SUPERSEDED: ['fixCleanup', '#cleanup'], other_id: ['fixCleanup', '#cleanup'], superseded: ['fixInstall', '#install'],
  revoked: ['fixApply', '#apply'], expired: ['fixApply', '#apply'], unknown_certificate: ['fixApply', '#apply'],
};

// {ok, why, detail}: why is an error code of the host or a verification reason.
function verdict(r) {
  if (!r.ok) return { ok: false, why: r.error.code };
  const lv = r.result.local_verify || {};
  if (!lv.ok) return { ok: false, why: lv.reason || 'signature' };
  const ra = r.result.ra_verify;
  if (ra && !ra.valid) return { ok: false, why: ra.reason || ra.error || 'signature' };
  return { ok: true, detail: ra ? `${s('localOk')} · ${s('raOk')}` : `${s('localOk')} · ${s('raSkipped')}` };
}

function resultRow(store, r) {
  const v = verdict(r);
  const serial = r.ok ? r.result.serial : (r.error.details && r.error.details.serial) || '';
  // The fix, when there is one, right under the reason: no column that stays empty for every store that works.
  const fix = !v.ok && FIX[v.why] ? h('a.fix', { href: FIX[v.why][1], text: s(FIX[v.why][0]) }) : null;
  return h('tr', { 'data-store': store.id, 'data-result': v.ok ? 'ok' : v.why },
    h('td', { text: store.profile ? `${store.browser} · ${store.profile}` : store.browser }),
    h('td.mono', { text: serial || '—' }),
    h('td.' + (v.ok ? 'ok' : 'bad'), {}, v.ok ? `${s('okMark')} (${v.detail})` : why(v.why), fix ? h('br') : null, fix));
}

// CHOOSE_CUSTOMER is left only when the person cancelled the choice: the manager's own sentence says what it means.
function why(code) { return code === 'CHOOSE_CUSTOMER' ? '✘ ' + t('err_CHOOSE_CUSTOMER') : reason(code); }

// The self-test of one store. Not logged in with several customers' certificates there (issue 17 item 2): the
// person says whose once per run (who.pick: CN + masked ID), and each such store signs with that customer's.
async function signStore(store, who, slot) {
  const r = await call('sign', { self_test: true, store: store.id });
  const cands = candidatesOf(r);
  if (!cands || who.cancelled) return r;
  const same = (c) => who.pick && c.masked_id === who.pick.masked_id && c.cn === who.pick.cn;
  let pick = cands.find(same);
  if (!pick && !who.pick) {
    who.pick = await chooseCustomer(slot, cands, 'selftest');
    who.cancelled = !who.pick;
    pick = who.pick;
  }
  if (pick) return call('sign', { self_test: true, store: store.id, serial: pick.serial });
  // The chosen customer has no certificate in this store (only others' are there).
  return who.pick ? { ok: false, error: { code: 'NO_CERTIFICATE' } } : r;
}

async function blockedList() {
  const box = h('div#sign-blocked');
  const draw = async () => {
    const { sign_blocked: b } = await api.storage.local.get('sign_blocked');
    const list = Array.isArray(b) ? b : [];
    box.replaceChildren(h('h3', { text: s('blockedTitle') }), list.length === 0 ? h('p.hint', { text: s('noneBlocked') })
      : h('ul', {}, ...list.map((o) => h('li', {}, h('code', { text: o }), ' ',
        h('button.link', { type: 'button', text: s('unblock'), onclick: async () => {
          await api.storage.local.set({ sign_blocked: list.filter((x) => x !== o) });
          draw();
        } })))));
  };
  await draw();
  return box;
}

export async function showSelfTest(section, tk, isCurrent) {
  const body = h('tbody');
  const status = h('p.hint#selftest-status', { role: 'status' });
  const chooser = h('div#selftest-who-slot');
  const run = h('button.primary#selftest-run', { type: 'button', text: s('run') });
  // "S/N" is the list's row number: here the column is the certificate's serial number, and says so.
  const table = h('table.data.selftest#selftest-table', {},
    h('thead', {}, h('tr', {}, ...[s('storeCol'), t('colSerial'), s('resultCol')].map((x) => h('th', { scope: 'col', text: x })))), body);
  run.addEventListener('click', async () => {
    run.disabled = true;
    status.textContent = s('working');
    body.replaceChildren();
    const st = await call('stores');
    const who = {};
    for (const store of st.ok ? st.result.stores : []) {
      if (!isCurrent(tk)) return;
      body.append(resultRow(store, await signStore(store, who, chooser)));
    }
    status.textContent = st.ok ? '' : reason(st.error.code);
    run.disabled = false;
    // The disabled button lost the focus to the page body: give it back where the person was.
    run.focus();
    document.body.dataset.selftest = 'done';
  });
  const title = section('selftestTitle', h('p.intro', { text: s('selfIntro') }), h('div.actions', {}, run), chooser, status,
    h('div.tablewrap', {}, table), await blockedList());
  title.textContent = t('fnSelfTest');   // the heading is what the menu item says
  return title;
}
