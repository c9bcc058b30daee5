// The pages' side of several brokers (issue 20): the broker chooser of the login screen (only when more than one is
// installed; the choice is remembered as the default) and the list of brokers whose pages the person has not yet
// allowed, each with a button that asks the browser (permissions.request needs the click). What is pure is in
// background/broker-logic.js (globalThis.ecmBrokerLogic), shared with the background.
import '../background/broker-logic.js';
import { api, hello, setBroker } from './host.js';
import { t } from './i18n.js';

const logic = globalThis.ecmBrokerLogic;
const KEY = 'default_broker';

export async function installedBrokers() {
  const r = await hello();
  return r.ok ? logic.brokersOf(r.result) : [];
}

export const brokerName = (b) => logic.nameOf(b, api.i18n.getUILanguage());

// The login line: "王小明（A123456789）", and once several brokers are installed, which one ("…・甲證券"): the
// person chose it on the login screen and must see where the functions act.
export async function whoLine(login) {
  const who = t('loggedInAs', [login.account.name || '', login.account.id]);
  if (!login.broker || (await installedBrokers()).length < 2) return who;
  return t('loggedInAtBroker', [who, brokerName(login.broker)]);
}

// A labelled <select id="login-broker"> with the remembered broker chosen (and set for every call), or null with
// one broker or none: then the host needs no choice.
export async function brokerChooser() {
  const list = await installedBrokers();
  if (list.length < 2) return null;
  const { [KEY]: remembered } = await api.storage.local.get(KEY);
  const chosen = logic.defaultBroker(list, remembered);
  setBroker(chosen.id);
  const select = document.createElement('select');
  select.id = 'login-broker';
  select.name = 'broker';
  select.setAttribute('aria-describedby', 'login-broker-hint');
  for (const b of list) select.append(new Option(brokerName(b), b.id, false, b.id === chosen.id));
  select.addEventListener('change', () => {
    setBroker(select.value);
    api.storage.local.set({ [KEY]: select.value });
  });
  const label = document.createElement('label');
  label.htmlFor = 'login-broker';
  label.textContent = t('brokerLabel');
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.id = 'login-broker-hint';
  hint.textContent = t('brokerHint');
  const box = document.createElement('div');
  box.className = 'broker-choice';
  box.append(label, select, hint);
  return box;
}

// Remembers a login's broker as the default (the chooser's value is what the login used).
export async function rememberBroker() {
  const select = document.getElementById('login-broker');
  if (select) await api.storage.local.set({ [KEY]: select.value });
}

async function grantedPatterns(list) {
  const out = [];
  for (const p of logic.patternsOf(list)) if (await api.permissions.contains({ origins: [p] })) out.push(p);
  return out;
}

// Fills box with the brokers whose pages are not yet allowed (hidden when none); kept current.
export async function showUngranted(box) {
  if (!api.permissions) { box.hidden = true; return; }
  const list = await installedBrokers();
  const render = async () => {
    const missing = logic.ungranted(list, await grantedPatterns(list));
    box.hidden = missing.length === 0;
    const ul = document.createElement('ul');
    for (const b of missing) {
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.dataset.broker = b.id;
      btn.textContent = t('brokerPagesAllow', [brokerName(b)]);
      // The request must come straight from the click (a user gesture), before anything else is awaited.
      btn.addEventListener('click', () => api.permissions.request({ origins: logic.patternsOf([b]) }).then(render, render));
      const li = document.createElement('li');
      li.append(btn);
      ul.append(li);
    }
    const title = document.createElement('strong');
    title.textContent = t('brokerPagesTitle');
    const intro = document.createElement('p');
    intro.textContent = t('brokerPagesIntro');
    box.replaceChildren(title, intro, ul);
  };
  await render();
  api.permissions.onAdded.addListener(render);
  api.permissions.onRemoved.addListener(render);
}
