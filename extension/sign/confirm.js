// The confirmation window: what the browser says asked, exactly what will be signed, with which certificate.
// The page that asked has no handle on this window (an extension page in its own window, never DOM in the page).
import { s, lang } from './strings.js';

const api = globalThis.browser ?? globalThis.chrome;
const main = document.getElementById('confirm');
const id = location.hash.slice(1);

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

// Text only when it is UTF-8; controls and bidirectional overrides are shown as ⟨U+XXXX⟩ so the text cannot
// pretend to be something else on screen.
function asText(u8) {
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(u8); } catch (e) { return null; }
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

function row(label, value, valueId) {
  return el('div', { class: 'kv' }, el('dt', { text: label }), el('dd', valueId ? { id: valueId, text: value } : { text: value }));
}

async function render(req) {
  const data = bytesOf(req.data);
  const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
  const text = asText(data);
  const c = req.certificate || {};
  const decide = (approve, block) => {
    for (const b of main.querySelectorAll('button')) b.disabled = true;
    api.runtime.sendMessage({ type: 'ecm-sign-decide', id: req.id, approve, block }).finally(() => window.close());
  };
  main.replaceChildren(...[
    el('h1', { text: s('confirmTitle') }),
    el('p', { class: 'intro', text: s('confirmIntro') }),
    el('dl', {},
      row(s('site'), req.origin, 'sign-origin'),
      row(s('cert'), ''),
      row(s('cn'), c.cn || '', 'sign-cn'),
      row(s('serial'), req.serial || '', 'sign-serial'),
      row(s('expiry'), c.not_after || '', 'sign-expiry'),
      row(s('store'), req.store || '', 'sign-store')),
    el('h2', { text: `${s('content')} — ${text !== null ? s('contentText') : s('contentBinary')} · ${data.length} ${s('bytes')}` }),
    el('pre', { id: 'sign-data', class: text !== null ? 'text' : 'hex', text: text !== null ? text : hex(data).replace(/(.{64})/g, '$1\n') }),
    el('p', { class: 'hash' }, el('span', { text: `${s('sha256')}: ` }), el('code', { id: 'sign-sha256', text: digest })),
    req.detached ? el('p', { class: 'hint', text: s('detached') }) : null,
    req.waiting ? el('p', { class: 'hint', id: 'sign-waiting', text: s('waiting', req.waiting) }) : null,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'sign-approve', class: 'primary', text: s('sign'), onclick: () => decide(true, false) }),
      el('button', { type: 'button', id: 'sign-cancel', text: s('cancel'), onclick: () => decide(false, false) })),
    el('p', {}, el('button', { type: 'button', id: 'sign-block', class: 'link', text: s('blockSite'), onclick: () => decide(false, true) })),
  ].filter(Boolean));
  document.getElementById('sign-cancel').focus(); // a stray Enter cancels, never signs
  document.body.dataset.ready = 'yes';
}

document.documentElement.lang = lang;
document.title = s('confirmTitle');
api.runtime.sendMessage({ type: 'ecm-sign-get', id }).then((r) => {
  if (r && r.ok) return render(r.request);
  main.replaceChildren(el('p', { id: 'sign-gone', text: s('gone') }));
  document.body.dataset.ready = 'yes';
  return null;
});
