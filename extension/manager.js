// Manager page (a tab): everything a popup would lose when it closes. This file is the frame only: the menu, the
// routing between the sections of sections/index.js, the login and the session. Each section is its own file.
import { $, h, call, hello, t, loginForm, hostMissing } from './lib/ui.js';
import { localize } from './lib/i18n.js';
import { onSession, api } from './lib/host.js';
import { app, section, unsavedOf } from './lib/app.js';
import { SECTIONS } from './sections/index.js';
import { whoLine } from './lib/brokers.js';
import { homeSection } from './sections/home.js';

const main = $('#content');
const showHome = homeSection(SECTIONS);

// What the sections may ask of the frame.
const nav = {
  route: () => route(),
  home: (to = '') => { if (location.hash.slice(1) === to) route(); else location.hash = to; },
  loggedIn: (res) => { app.login = res; setWho(); route(); },
  refreshSession: () => refreshSession(),
};

function buildMenu() {
  $('#nav-list').replaceChildren(...SECTIONS.map((s) => h('li', {}, h('a', { href: '#' + s.id, text: t(s.nav) }))));
}

function setWho() {
  const who = $('#who');
  who.hidden = !app.login;
  $('#logout').hidden = !app.login;
  if (!app.login) return;
  const login = app.login;
  who.textContent = t('loggedInAs', [login.account.name || '', login.account.id]);
  whoLine(login).then((line) => { if (app.login === login) who.textContent = line; });
}

// The session as the host has it now (the background asks the host; nothing is patched here).
async function refreshSession() {
  const st = await call('_state');
  app.login = st.ok && st.result.logged_in ? st.result.login : null;
  app.issuedUnsaved = st.ok ? unsavedOf(st.result) : app.issuedUnsaved;
  setWho();
  return app.login;
}

async function route() {
  const tk = ++app.token;
  const name = location.hash.slice(1);
  const sec = SECTIONS.find((s) => s.id === name);
  for (const a of document.querySelectorAll('nav.side a')) {
    if (a.getAttribute('href') === '#' + name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.body.dataset.section = sec ? name : 'home';
  if (sec && sec.needsLogin) await refreshSession();
  if (tk !== app.token) return;
  let title;
  if (sec && sec.needsLogin && !app.login) {
    title = section(sec.title, h('p.hint', { text: t('notLoggedInHere') }), loginForm((res) => nav.loggedIn(res)));
    $('#login-id').focus();
    return;
  }
  title = await (sec ? sec.show(tk, nav) : showHome());
  if (tk === app.token && title && !main.contains(document.activeElement)) title.focus({ preventScroll: true });
}

async function init() {
  localize();
  buildMenu();
  const hl = await hello();
  if (!hl.ok && hostMissing(main, hl.error, () => location.reload())) { document.body.dataset.ready = 'yes'; return; }
  if (hl.ok) { app.hostInfo = hl.result; $('#hostinfo').textContent = t('hostVersion', hl.result.version); }
  await refreshSession();
  await route();
  document.body.dataset.ready = 'yes';
}

$('#logout').addEventListener('click', async () => {
  if (app.issuedUnsaved && !window.confirm(t('issuedLeaveWarn'))) return;
  await call('logout');
  app.login = null;
  setWho();
  route();
});

onSession(async (m) => {
  if (m.logged_in) {
    if (!app.login && await refreshSession()) route();
    return;
  }
  if (app.login) {
    app.login = null;
    setWho();
    route().then(() => {
      if (m.reason === 'ended') main.prepend(h('p.msg.error#session-ended', { role: 'alert', text: t('sessionEnded') }));
    });
  }
});

window.addEventListener('hashchange', () => route());

// The popup asks an open manager page to show a section instead of opening another tab.
api.runtime.onMessage.addListener((m, sender, reply) => {
  if (!m || m.ecm !== 'show-section' || (sender && sender.id !== api.runtime.id)) return false;
  if (location.hash.slice(1) !== m.section) location.hash = m.section;
  api.tabs.getCurrent().then((tab) => {
    if (tab) { api.tabs.update(tab.id, { active: true }); if (api.windows) api.windows.update(tab.windowId, { focused: true }); }
  }).catch(() => {});
  reply({ shown: true });
  return false;
});

// A certificate the broker issued but the host could not save yet is lost when the tab closes: ask first.
window.addEventListener('beforeunload', (ev) => { if (app.issuedUnsaved) { ev.preventDefault(); ev.returnValue = ''; } });
init();
