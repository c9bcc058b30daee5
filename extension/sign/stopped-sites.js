// The popup's "site stopped" line: which broker sites were stopped from asking for signatures, each with a way to
// allow it again right there (the 憑證簽驗 section of the manager lists the same). Reads storage.local sign_blocked.
import { s } from './strings.js';

const api = globalThis.browser ?? globalThis.chrome;

async function blocked() {
  const { sign_blocked: b } = await api.storage.local.get('sign_blocked');
  return Array.isArray(b) ? b : [];
}

async function allow(origin) {
  await api.storage.local.set({ sign_blocked: (await blocked()).filter((o) => o !== origin) });
}

function render(box, list) {
  box.hidden = list.length === 0;
  const ul = document.createElement('ul');
  for (const origin of list) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = origin;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link';
    b.textContent = s('unblock');
    b.addEventListener('click', () => allow(origin));
    li.append(code, ' ', b);
    ul.append(li);
  }
  const h = document.createElement('strong');
  h.textContent = `⛔ ${s('stoppedTitle')}`;
  box.replaceChildren(h, ul);
}

// Adds the line to parent (hidden while no site is stopped) and keeps it current.
export async function showStoppedSites(parent) {
  const box = document.createElement('div');
  box.id = 'sign-stopped';
  box.className = 'banner';
  box.setAttribute('role', 'status');
  parent.append(box);
  render(box, await blocked());
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes.sign_blocked) blocked().then((l) => render(box, l));
  });
}
