// Translation helpers over the browser's i18n (_locales), and host error codes as sentences the user can act on.
import { api } from './host.js';

export function t(key, subs) {
  const s = api.i18n.getMessage(key, subs === undefined ? undefined : [].concat(subs).map(String));
  return s || key;
}

// Fill [data-i18n], [data-i18n-placeholder], [data-i18n-aria-label] and [data-i18n-title] below root.
export function localize(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    const dataKey = 'i18n' + attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase());
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.dataset[dataKey]));
  }
  if (root === document) {
    document.documentElement.lang = t('langTag');
    if (document.title === '') document.title = t('appName');
  }
}

export function errorText(error) {
  const code = (error && error.code) || 'INTERNAL';
  const d = (error && error.details) || {};
  if (code === 'WRONG_PASSWORD' && Number.isInteger(d.attempts_left)) return t('err_WRONG_PASSWORD_left', d.attempts_left);
  if (code === 'BAD_REQUEST' && d.field === 'id') return t('idInvalid');
  const s = api.i18n.getMessage('err_' + code);
  return s || t('err_UNKNOWN', code);
}
