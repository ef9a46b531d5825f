// ui.js - messages (toasts) and navigation, shared by the views.
//
// Kept apart from app.js so that the views do not import the entry module.

import { ApiError } from './api.js';
import { h } from './util.js';

let router = null;
export function setRouter(fn) { router = fn; }

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  if (router) router();
}

export function toast(message, kind = 'error', details = []) {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-body' }, h('strong', null, message),
      details.length ? h('ul', null, details.map((d) => h('li', null, d))) : null),
    h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
  box.appendChild(el);
  if (kind !== 'error') setTimeout(() => el.remove(), 5000);
  return el;
}

export function problemDetails(err) {
  return err instanceof ApiError ? err.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)) : [];
}

export function showError(err, prefix) {
  if (err && err.name === 'AbortError') return null;
  return toast(prefix ? `${prefix}: ${err.message}` : err.message, 'error', problemDetails(err));
}
