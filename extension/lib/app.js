// What the manager page's sections share: the login of this session (no secrets), the host's hello, and the
// section frame (title, message boxes). One object, not module-level globals spread over the sections.
import { $, h, t } from './ui.js';

export const app = {
  login: null,      // the host's session summary (account, server_cert, suggestion, renewal_window_days)
  hostInfo: null,   // hello result
  token: 0,         // increases on every navigation: an answer for an older page is dropped
  issuedUnsaved: null, // {serial}: the host holds an issued certificate it could not save (save_issued retries)
};

// issued_unsaved as the host reports it (hello or session), or null.
export function unsavedOf(result) {
  return (result && (result.issued_unsaved || (result.login && result.login.issued_unsaved))) || null;
}

export function windowDays() { return app.login ? app.login.renewal_window_days : 30; }

// Replaces the page content with a titled section; returns the title (focused after a navigation).
export function section(titleKey, ...kids) {
  const title = h('h2#section-title', { tabindex: '-1', text: t(titleKey) });
  $('#content').replaceChildren(h('section.page', { 'aria-labelledby': 'section-title' }, title, ...kids));
  return title;
}

export function msgBox(id) { return h('p.msg.error#' + id, { role: 'alert', hidden: true }); }
export function okBox(id, text) { return h('p.msg.ok#' + id, { role: 'status', text }); }
export function warnBox(id, ...kids) { return h('div.banner.warn#' + id, { role: 'group' }, ...kids); }
