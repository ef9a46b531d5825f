// app.js - the dashboard's entry: routing, the header, the token dialog,
// the colour scheme, and messages.
//
// Routes (the server answers all three with index.html):
//   /            upload a program (upload.js)
//   /jobs        the jobs list (jobs.js)
//   /jobs/<id>   one job (job.js)
// Navigation uses history.pushState; links are real <a href> so they work
// with the keyboard, a middle click and a reload. Each view returns a
// dispose function that closes its event streams and workers.

import { api, auth } from './api.js';
import { navigate, setRouter } from './ui.js';
import { h, clear } from './util.js';
import { uploadView } from './upload.js';
import { jobsView } from './jobs.js';
import { jobView } from './job.js';

const main = document.getElementById('main');
let dispose = null;

// ------------------------------------------------------------- routing

function route() {
  if (dispose) { try { dispose(); } catch { /* ignore */ } dispose = null; }
  clear(main);
  const url = new URL(location.href);
  const path = url.pathname.replace(/\/+$/, '') || '/';
  let m;
  document.querySelectorAll('.nav a').forEach((a) => {
    const here = a.getAttribute('href') === path || (a.getAttribute('href') === '/jobs' && path.startsWith('/jobs'));
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  if (path === '/') dispose = uploadView(main);
  else if (path === '/jobs') dispose = jobsView(main, url.searchParams);
  else if ((m = /^\/jobs\/([0-9a-f]{32})$/.exec(path))) dispose = jobView(main, m[1], url.searchParams);
  else {
    main.append(h('section', { class: 'card' }, h('h1', null, 'Not found'),
      h('p', null, 'There is no page at ', h('code', null, path), '. ', h('a', { href: '/' }, 'Upload a program'), '.')));
  }
  main.focus({ preventScroll: true });
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('/') || href.startsWith('/api/')) return;
  ev.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', route);
setRouter(route);

// ------------------------------------------------------------- token

const dialog = document.getElementById('token-dialog');
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token-input');
const tokenMsg = document.getElementById('token-message');
const authBox = document.getElementById('auth');
let pendingAsk = null;

function renderAuth() {
  clear(authBox);
  if (auth.token) {
    authBox.append(h('span', { class: 'muted token-state' }, 'Token set'),
      h('button', { type: 'button', class: 'link-btn', onclick: () => { auth.token = ''; renderAuth(); route(); } }, 'Forget token'));
  } else {
    authBox.append(h('button', { type: 'button', class: 'link-btn', onclick: () => askToken(null) }, 'Set token'));
  }
}

// Shows the dialog; resolves true when a token was saved.
function askToken(err) {
  if (pendingAsk) return pendingAsk;
  const had = auth.token;
  if (err && had) {
    tokenMsg.textContent = `The server refused the token: ${err.message}`;
    tokenMsg.className = 'msg msg-error';
  } else if (err) {
    tokenMsg.textContent = 'This server requires an access token. Ask its administrator for one ' +
      '(portalisd token create --name NAME) and paste it here. It is kept in this browser only.';
    tokenMsg.className = 'msg';
  } else {
    tokenMsg.textContent = 'A token scopes your jobs to you. It is kept in this browser only.';
    tokenMsg.className = 'msg';
  }
  tokenInput.value = '';
  pendingAsk = new Promise((resolve) => {
    const done = (ok) => {
      dialog.removeEventListener('close', onClose);
      tokenForm.removeEventListener('submit', onSubmit);
      pendingAsk = null;
      renderAuth();
      resolve(ok);
    };
    const onClose = () => done(dialog.returnValue === 'save');
    const onSubmit = (ev) => {
      ev.preventDefault();
      const v = tokenInput.value.trim().replace(/^Bearer\s+/i, '');
      if (!v) { tokenInput.focus(); return; }
      auth.token = v;
      dialog.close('save');
    };
    dialog.addEventListener('close', onClose);
    tokenForm.addEventListener('submit', onSubmit);
    dialog.showModal();
    tokenInput.focus();
  });
  return pendingAsk;
}
auth.onUnauthorized(askToken);
document.getElementById('token-cancel').addEventListener('click', () => dialog.close('cancel'));

// ------------------------------------------------------------- theme

const THEME_KEY = 'portalis.theme';
const themeBtn = document.getElementById('theme');
function applyTheme() {
  let t = 'auto';
  try { t = localStorage.getItem(THEME_KEY) || 'auto'; } catch { /* default */ }
  if (t === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
  themeBtn.textContent = { auto: 'Theme: auto', light: 'Theme: light', dark: 'Theme: dark' }[t];
  themeBtn.dataset.value = t;
}
themeBtn.addEventListener('click', () => {
  const next = { auto: 'light', light: 'dark', dark: 'auto' }[themeBtn.dataset.value || 'auto'];
  try { localStorage.setItem(THEME_KEY, next); } catch { /* ignore */ }
  applyTheme();
});

// ------------------------------------------------------------- start

applyTheme();
renderAuth();
route();
// Learn early whether a token is needed, so the dialog appears at once.
api.listJobs({ limit: 1 }).catch(() => { /* views show their own errors */ });
