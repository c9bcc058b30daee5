// The confirmation window: what the browser says asked, exactly what will be signed, with which certificate.
// The page that asked has no handle on this window (an extension page in its own window, never DOM in the page).
import { s, lang } from './strings.js';
import { shownText } from './shown-text.js';

const api = globalThis.browser ?? globalThis.chrome;
const main = document.getElementById('confirm');
const id = location.hash.slice(1);
const FOCUS_DELAY_MS = 1000; // as browsers wait before their own install prompts accept a click

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) if (k) e.append(k);
  return e;
}

function bytesOf(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join('');

// "2026/11/24 11:54:57" in this computer's time zone, as the manager shows dates.
function localDate(iso) {
  const d = new Date(iso || '');
  if (Number.isNaN(d.getTime())) return iso || '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function row(label, value, valueId) {
  return el('div', { class: 'kv' }, el('dt', { text: label }), el('dd', valueId ? { id: valueId, text: value } : { text: value }));
}

function gone() {
  main.replaceChildren(el('p', { id: 'sign-gone', role: 'alert', text: s('gone') }));
  document.body.dataset.ready = 'yes';
}

// The certificate that signs, or (several customers, the page did not say whose) a choice among them.
function certificateRows(req) {
  if (req.candidates) {
    const list = el('fieldset', { id: 'sign-choose' }, el('legend', { text: s('chooseCustomer') }));
    req.candidates.forEach((c, i) => {
      const rid = `sign-choice-${i}`;
      list.append(el('div', { class: 'choice' },
        el('input', { type: 'radio', name: 'signer', id: rid, value: String(i), 'data-serial': c.serial, 'data-store': c.store }),
        el('label', { for: rid },
          el('strong', { class: 'cn', text: c.cn }), ' · ', el('span', { class: 'masked', text: c.masked_id }), ' · ',
          el('span', { class: 'device', text: c.device }), ' · ', el('span', { class: 'expiry', text: `${s('expiry')} ${localDate(c.not_after)}` }),
          ' · ', el('span', { class: 'store', text: c.store_name }))));
    });
    return [list];
  }
  const c = req.certificate || {};
  return [el('dl', {},
    row(s('cn'), c.cn || '', 'sign-cn'),
    row(s('customer'), req.maskedId || '', 'sign-masked-id'),
    row(s('device'), c.device || '', 'sign-device'),
    row(s('serial'), req.serial || '', 'sign-serial'),
    row(s('expiry'), localDate(c.not_after), 'sign-expiry'),
    row(s('store'), req.storeName || '', 'sign-store'))];
}

// 簽章 takes a click only when the whole text has been on screen (it fits, or was scrolled to its end), a
// certificate is chosen, and the window has had the focus for a moment: a click meant for the page cannot land on it.
function gate(approveBtn, pre, hint, needsChoice) {
  let seenEnd = false, focusedAt = document.hasFocus() ? performance.now() : null, timer = null;
  const chosen = () => !needsChoice || !!document.querySelector('input[name=signer]:checked');
  const update = () => {
    if (pre.scrollHeight - pre.scrollTop - pre.clientHeight <= 2) seenEnd = true;
    const settled = focusedAt !== null && performance.now() - focusedAt >= FOCUS_DELAY_MS;
    approveBtn.disabled = !(seenEnd && settled && chosen());
    if (!approveBtn.disabled) document.body.dataset.focusedFor = String(Math.round(performance.now() - focusedAt)); // for tests
    hint.textContent = !seenEnd ? s('scrollToEnd') : !chosen() ? s('chooseFirst') : '';
    document.body.dataset.approvable = approveBtn.disabled ? 'no' : 'yes';
  };
  const onFocus = () => { focusedAt = performance.now(); clearTimeout(timer); timer = setTimeout(update, FOCUS_DELAY_MS + 20); update(); };
  window.addEventListener('focus', onFocus);
  window.addEventListener('blur', () => { focusedAt = null; update(); });
  pre.addEventListener('scroll', update);
  main.addEventListener('change', update);
  if (focusedAt !== null) timer = setTimeout(update, FOCUS_DELAY_MS + 20);
  update();
}

async function render(req) {
  const data = bytesOf(req.data);
  const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
  const shown = shownText(data);
  let decided = false;
  const send = async (msg) => {
    if (decided) return;
    decided = true;
    for (const b of main.querySelectorAll('button')) b.disabled = true;
    const r = await api.runtime.sendMessage({ type: 'ecm-sign-decide', id: req.id, ...msg }).catch(() => null);
    if (r && r.ok) window.close(); else gone(); // a request of an earlier worker, or already over
  };
  const approve = () => {
    const c = document.querySelector('input[name=signer]:checked');
    send({ approve: true, sha256: digest, ...(c ? { serial: c.dataset.serial, store: c.dataset.store } : {}) });
  };
  const blockAsk = el('p', { id: 'sign-block-ask', class: 'warn', hidden: '' },
    el('span', { text: s('blockConfirm', req.origin) }), ' ',
    el('button', { type: 'button', id: 'sign-block-yes', text: s('blockYes'), onclick: () => send({ approve: false, block: true }) }), ' ',
    el('button', { type: 'button', id: 'sign-block-no', text: s('blockNo'), onclick: () => { blockAsk.hidden = true; document.getElementById('sign-block').focus(); } }));
  const pre = el('pre', { id: 'sign-data', tabindex: '0', class: shown.text ? 'text' : 'hex', 'aria-label': s('content') });
  if (shown.text) pre.append(...shown.nodes); else pre.textContent = hex(data).replace(/(.{64})/g, '$1\n');
  const hint = el('p', { id: 'sign-hint', class: 'hint', 'aria-live': 'polite' });
  main.replaceChildren(...[
    el('h1', { text: s('confirmTitle') }),
    el('p', { class: 'intro', text: s('confirmIntro') }),
    el('dl', {},
      row(s('site'), req.origin, 'sign-origin'),
      req.top !== req.origin ? row(s('topSite'), req.top, 'sign-top') : null),
    el('h2', { text: s('cert') }),
    ...certificateRows(req),
    el('h2', { text: `${s('content')} — ${shown.text ? s('contentText') : s('contentBinary')} · ${data.length} ${s('bytes')}` }),
    pre,
    shown.marked ? el('p', { class: 'hint', id: 'sign-marked', text: s('marked', shown.marked) }) : null,
    shown.blankRuns ? el('p', { class: 'hint', id: 'sign-blank', text: s('blankRuns', shown.blankLines) }) : null,
    el('p', { class: 'hash' }, el('span', { text: `${s('sha256')}: ` }), el('code', { id: 'sign-sha256', text: digest })),
    req.detached ? el('p', { class: 'hint', text: s('detached') }) : null,
    req.waiting ? el('p', { class: 'hint', id: 'sign-waiting', text: s('waiting', req.waiting) }) : null,
    hint,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'sign-approve', class: 'primary', disabled: '', text: s('sign'), onclick: approve }),
      el('button', { type: 'button', id: 'sign-cancel', text: s('cancel'), onclick: () => send({ approve: false }) })),
    el('p', {}, el('button', { type: 'button', id: 'sign-block', class: 'link', text: s('blockSite'),
      onclick: () => { blockAsk.hidden = false; document.getElementById('sign-block-no').focus(); } })),
    blockAsk,
  ].filter(Boolean));
  gate(document.getElementById('sign-approve'), pre, hint, !!req.candidates);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); send({ approve: false }); } });
  document.getElementById('sign-cancel').focus(); // a stray Enter cancels, never signs
  document.body.dataset.ready = 'yes';
}

document.documentElement.lang = lang;
document.title = s('confirmTitle');
api.runtime.sendMessage({ type: 'ecm-sign-get', id }).then((r) => (r && r.ok ? render(r.request) : gone()), gone);
