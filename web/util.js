// util.js - small DOM and formatting helpers shared by every view.
//
// The dashboard builds its DOM with h() rather than HTML strings, so text
// from the server (file names, log lines, diagnostics) is always inserted as
// text, never parsed as markup. The only innerHTML in the app is the output
// of the syntax highlighter, which escapes its input.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function fmtBytes(n) {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KiB`;
  return `${(n / 1048576).toFixed(n < 10485760 ? 1 : 0)} MiB`;
}

export function fmtMs(ms) {
  if (ms == null || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60000), s = Math.round((ms % 60000) / 1000);
  return `${m} min ${s} s`;
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const now = Date.now(), diff = (now - d.getTime()) / 1000;
  if (diff < 45) return 'just now';
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  if (diff < 86400 && new Date(now).toDateString() === d.toDateString())
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'error']);
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'timed_out', 'error'];
export const STAGES = ['ingest', 'analysis', 'specgen', 'transpile', 'build', 'test', 'package'];

const STATE_LABEL = { timed_out: 'timed out' };
export function stateLabel(s) {
  return STATE_LABEL[s] || s || 'unknown';
}

export function badge(state) {
  return h('span', { class: `badge st-${state || 'unknown'}`, dataset: { state: state || '' } }, stateLabel(state));
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '';
}

export async function sha256Hex(buf) {
  const d = await crypto.subtle.digest('SHA-256', buf);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Splits a command line the way a POSIX shell would for plain words, single
// and double quotes and backslashes; no expansion of any kind.
export function splitArgs(line) {
  const out = [];
  let cur = '', inWord = false, q = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q === "'") {
      if (c === "'") q = null;
      else cur += c;
    } else if (q === '"') {
      if (c === '"') q = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (q) throw new Error(`unterminated ${q === "'" ? 'single' : 'double'} quote`);
  if (inWord) out.push(cur);
  return out;
}

export function quoteArgs(args) {
  return (args || []).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

// Saves bytes as a file through a temporary object URL (works with the
// Bearer header, unlike a plain link).
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// A small keyboard-friendly tab list (WAI-ARIA tabs pattern).
export function tabs(items, active, onChange) {
  const list = h('div', { class: 'tabs', role: 'tablist' });
  const buttons = items.map((it) =>
    h('button', {
      type: 'button', role: 'tab', id: `tab-${it.id}`, class: 'tab', 'aria-controls': `panel-${it.id}`,
      'aria-selected': it.id === active ? 'true' : 'false', tabindex: it.id === active ? '0' : '-1',
      dataset: { tab: it.id }, onclick: () => onChange(it.id),
    }, it.label, it.count != null ? h('span', { class: 'count' }, String(it.count)) : null));
  list.addEventListener('keydown', (ev) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (ev.key === 'ArrowRight') j = (i + 1) % buttons.length;
    else if (ev.key === 'ArrowLeft') j = (i - 1 + buttons.length) % buttons.length;
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = buttons.length - 1;
    if (j == null) return;
    ev.preventDefault();
    buttons[j].focus();
    onChange(items[j].id);
  });
  list.append(...buttons);
  return list;
}
