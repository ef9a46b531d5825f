// upload.js - the upload screen: files, a folder or an archive in, a job out.
//
// Accepts drag and drop (files, folders - walked with webkitGetAsEntry - and
// zip/tar/tar.gz archives), the file and folder pickers, or a script typed
// into the page. It lists what will be sent, offers the entry point when
// there are several candidates (reading an archive's names in the browser),
// collects test vectors (args split like a shell, stdin as typed) and sends
// one multipart/form-data POST /api/v1/jobs. Uploads over the server's size
// limit are refused before sending when /readyz tells the limit; otherwise
// the server's 413 problem detail is shown like any other error.

import { api } from './api.js';
import { archiveNames } from './archive.js';
import { h, clear, fmtBytes, splitArgs } from './util.js';
import { navigate, problemDetails, toast } from './ui.js';

const ARCHIVE_RE = /\.(zip|tar\.gz|tgz|tar)$/i;

function archiveType(name) {
  if (/\.zip$/i.test(name)) return 'application/zip';
  if (/\.tar$/i.test(name)) return 'application/x-tar';
  return 'application/gzip';
}

// Reads a dropped folder recursively; resolves [{path, file}].
async function walkEntry(entry, prefix = '') {
  if (entry.isFile) {
    const file = await new Promise((res, rej) => entry.file(res, rej));
    return [{ path: prefix + entry.name, file }];
  }
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
    if (!batch.length) break;
    children.push(...batch);
  }
  const out = [];
  for (const c of children) out.push(...await walkEntry(c, `${prefix}${entry.name}/`));
  return out;
}

// Drops the folder every path shares (a dropped project folder), as the
// server does for archives.
function stripCommonFolder(paths) {
  if (!paths.length || !paths.every((p) => p.includes('/'))) return paths;
  const top = paths[0].slice(0, paths[0].indexOf('/') + 1);
  return paths.every((p) => p.startsWith(top)) ? paths.map((p) => p.slice(top.length)) : paths;
}

export function uploadView(root) {
  const state = { items: [], skipped: [], limit: null, names: new Map(), busy: false, vectors: [] };
  let alive = true;

  const fileInput = h('input', { type: 'file', multiple: true, accept: '.py,.zip,.tar,.tar.gz,.tgz', hidden: true, id: 'file-input' });
  const dirInput = h('input', { type: 'file', multiple: true, hidden: true, id: 'dir-input' });
  dirInput.webkitdirectory = true;
  const drop = h('div', { class: 'dropzone', id: 'dropzone' },
    h('p', { class: 'drop-title' }, 'Drop Python files, a folder, or a .zip / .tar.gz here'),
    h('p', { class: 'drop-or' },
      h('button', { type: 'button', class: 'btn', onclick: () => fileInput.click() }, 'Choose files…'), ' ',
      h('button', { type: 'button', class: 'btn', onclick: () => dirInput.click() }, 'Choose a folder…')),
    fileInput, dirInput);
  const script = h('textarea', { id: 'script', rows: '8', spellcheck: 'false', class: 'mono',
    placeholder: 'print("hello from Python, soon from WebAssembly")', 'aria-label': 'Python script' });
  const scriptBox = h('details', { class: 'script-box' }, h('summary', null, 'Or type a script'),
    h('label', { for: 'script', class: 'sr-only' }, 'Python script'), script);
  const list = h('div', { class: 'file-list', id: 'file-list', 'aria-live': 'polite' });
  const entryRow = h('div', { class: 'field', id: 'entry-row', hidden: true });
  const vectorsBox = h('div', { class: 'vectors', id: 'vectors' });
  const skip = h('input', { type: 'checkbox', id: 'skip-test' });
  const limitNote = h('p', { class: 'muted small', id: 'limit-note' });
  const formMsg = h('div', { class: 'msg', id: 'upload-message', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn primary', id: 'submit' }, 'Translate');

  const form = h('form', { class: 'card upload', id: 'upload-form', novalidate: true },
    h('h1', null, 'Translate a Python program'),
    h('p', { class: 'lead' }, 'Portalis turns it into Rust, compiles it to WebAssembly, and checks that it prints exactly what CPython prints.'),
    drop, scriptBox, list, entryRow,
    h('fieldset', { class: 'vector-set' }, h('legend', null, 'Test vectors'),
      h('p', { class: 'muted small' }, 'Each vector runs the program under CPython and as WebAssembly with the same arguments and stdin; stdout and the exit code must match. None: one run with no arguments and empty stdin.'),
      vectorsBox,
      h('button', { type: 'button', class: 'btn', id: 'add-vector', onclick: () => { addVector(); } }, '+ Add a vector')),
    h('div', { class: 'field check' }, skip, h('label', { for: 'skip-test' }, 'Skip the comparison with CPython (for programs whose output is not deterministic)')),
    formMsg, limitNote,
    h('div', { class: 'actions' }, submit));
  root.append(form);

  api.ready().then((r) => {
    if (!alive || !r) return;
    const lim = r.max_upload ?? (r.limits && r.limits.max_upload);
    if (typeof lim === 'number' && lim > 0) {
      state.limit = lim;
      limitNote.textContent = `Uploads up to ${fmtBytes(lim)}.`;
      renderList();
    }
  });

  // ---- items

  async function addFiles(entries) {
    for (const { path, file } of entries) {
      const clean = path.replace(/^\/+/, '');
      if (/\.py$/i.test(clean)) state.items.push({ path: clean, file, kind: 'py' });
      else if (ARCHIVE_RE.test(clean)) {
        const it = { path: clean, file, kind: 'archive', names: null, error: null };
        state.items.push(it);
        archiveNames(file).then((n) => { it.names = n; renderList(); })
          .catch((err) => { it.error = `cannot read the archive here (${err.message}); the server will check it`; renderList(); });
      } else state.skipped.push(clean);
    }
    // Folder uploads: drop the shared top folder, as the server would.
    const py = state.items.filter((i) => i.kind === 'py');
    if (py.length && py.length === state.items.length) {
      const stripped = stripCommonFolder(py.map((i) => i.original || i.path));
      py.forEach((i, k) => { i.original = i.original || i.path; i.path = stripped[k]; });
    }
    renderList();
  }

  fileInput.addEventListener('change', () => {
    addFiles([...fileInput.files].map((f) => ({ path: f.name, file: f })));
    fileInput.value = '';
  });
  dirInput.addEventListener('change', () => {
    addFiles([...dirInput.files].map((f) => ({ path: f.webkitRelativePath || f.name, file: f })));
    dirInput.value = '';
  });
  for (const ev of ['dragenter', 'dragover']) {
    drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('over'); });
  }
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const items = [...(e.dataTransfer.items || [])];
    const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
    if (entries.length && entries.every(Boolean)) {
      const all = [];
      for (const en of entries) all.push(...await walkEntry(en));
      addFiles(all);
    } else {
      addFiles([...e.dataTransfer.files].map((f) => ({ path: f.name, file: f })));
    }
  });
  script.addEventListener('input', () => renderList());

  function candidates() {
    const names = [];
    for (const it of state.items) {
      if (it.kind === 'py') names.push(it.path);
      else if (it.names) names.push(...stripCommonFolder(it.names).filter((n) => /\.py$/i.test(n)));
    }
    if (!state.items.length && script.value.trim()) names.push('main.py');
    return [...new Set(names)];
  }

  function defaultEntry(c) {
    return c.find((n) => n === '__main__.py') || c.find((n) => n === 'main.py') || (c.length === 1 ? c[0] : c[0]);
  }

  function totalSize() {
    return state.items.reduce((s, i) => s + i.file.size, 0) + (state.items.length ? 0 : new Blob([script.value]).size);
  }

  function renderList() {
    clear(list);
    if (state.items.length) {
      const rows = state.items.map((it, k) => h('li', null,
        h('span', { class: 'fname mono' }, it.path),
        it.kind === 'archive' ? h('span', { class: 'tag' }, it.names ? `archive · ${it.names.length} files` : 'archive') : null,
        h('span', { class: 'muted' }, fmtBytes(it.file.size)),
        it.error ? h('span', { class: 'warn small' }, it.error) : null,
        h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Remove ${it.path}`, onclick: () => { state.items.splice(k, 1); renderList(); } }, '×')));
      list.append(h('ul', { class: 'files' }, rows),
        h('p', { class: 'muted small' }, `${state.items.length} item${state.items.length > 1 ? 's' : ''}, ${fmtBytes(totalSize())}`,
          ' ', h('button', { type: 'button', class: 'link-btn', onclick: () => { state.items = []; state.skipped = []; renderList(); } }, 'Clear')));
      if (!scriptBox.hidden) scriptBox.hidden = true;
    } else {
      scriptBox.hidden = false;
    }
    if (state.skipped.length) {
      list.append(h('p', { class: 'muted small' }, `Left out (not Python): ${state.skipped.slice(0, 5).join(', ')}${state.skipped.length > 5 ? ` and ${state.skipped.length - 5} more` : ''}`));
    }
    // Entry point
    const c = candidates();
    clear(entryRow);
    entryRow.hidden = c.length < 2;
    if (c.length >= 2) {
      const prev = state.entry && c.includes(state.entry) ? state.entry : defaultEntry(c);
      state.entry = prev;
      const sel = h('select', { id: 'entry', onchange: () => { state.entry = sel.value; } },
        c.map((n) => h('option', { value: n, selected: n === prev }, n)));
      entryRow.append(h('label', { for: 'entry' }, 'Entry point'), sel,
        h('span', { class: 'muted small' }, 'the script that runs as __main__'));
    } else {
      state.entry = c[0] || null;
    }
    // Size limit, known before sending
    const over = state.limit && totalSize() > state.limit;
    if (over) setMsg(`This upload is ${fmtBytes(totalSize())}; the server accepts at most ${fmtBytes(state.limit)}.`);
    else if (formMsg.dataset.kind === 'size') setMsg(null);
    if (over) formMsg.dataset.kind = 'size';
    submit.disabled = state.busy || !!over;
  }

  function setMsg(text, details = []) {
    formMsg.hidden = !text;
    clear(formMsg);
    if (text) formMsg.append(h('strong', null, text), details.length ? h('ul', null, details.map((d) => h('li', null, d))) : '');
    delete formMsg.dataset.kind;
    if (text && details !== null) formMsg.scrollIntoView({ block: 'nearest' });
  }

  // ---- vectors

  function addVector(v = { args: '', stdin: '' }) {
    if (state.vectors.length >= 32) { toast('At most 32 vectors.', 'error'); return; }
    state.vectors.push(v);
    renderVectors();
    const inputs = vectorsBox.querySelectorAll('.vec-args');
    if (inputs.length) inputs[inputs.length - 1].focus();
  }

  function renderVectors() {
    clear(vectorsBox);
    state.vectors.forEach((v, k) => {
      const args = h('input', { type: 'text', class: 'vec-args mono', id: `vec-args-${k}`, value: v.args, placeholder: 'e.g. 10 "two words"', spellcheck: 'false' });
      args.addEventListener('input', () => { v.args = args.value; });
      const stdin = h('textarea', { class: 'vec-stdin mono', id: `vec-stdin-${k}`, rows: '2', spellcheck: 'false' });
      stdin.value = v.stdin;
      stdin.addEventListener('input', () => { v.stdin = stdin.value; });
      vectorsBox.append(h('div', { class: 'vector' },
        h('div', { class: 'vec-head' }, h('strong', null, `Vector ${k + 1}`),
          h('button', { type: 'button', class: 'link-btn', 'aria-label': `Remove vector ${k + 1}`, onclick: () => { state.vectors.splice(k, 1); renderVectors(); } }, 'Remove')),
        h('label', { for: `vec-args-${k}` }, 'Arguments'), args,
        h('label', { for: `vec-stdin-${k}` }, 'Standard input'), stdin));
    });
  }

  // ---- submit

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setMsg(null);
    const fd = new FormData();
    if (state.items.length) {
      for (const it of state.items) {
        if (it.kind === 'py') {
          fd.append('file', new File([it.file], it.path, { type: 'text/x-python' }), it.path);
        } else {
          fd.append('file', new File([it.file], it.path.split('/').pop(), { type: archiveType(it.path) }), it.path.split('/').pop());
        }
      }
    } else if (script.value.trim()) {
      fd.append('file', new File([script.value], 'main.py', { type: 'text/x-python' }), 'main.py');
    } else {
      setMsg('Add a Python file, a folder or an archive first (or type a script).');
      return;
    }
    const c = candidates();
    if (state.entry && (c.length > 1 || state.items.some((i) => i.kind === 'archive'))) fd.append('entry', state.entry);
    const options = {};
    if (state.vectors.length) {
      try {
        options.vectors = state.vectors.map((v, k) => {
          try { return { args: splitArgs(v.args), stdin: v.stdin }; }
          catch (err) { throw new Error(`vector ${k + 1}: ${err.message}`); }
        });
      } catch (err) { setMsg(err.message); return; }
    }
    if (skip.checked) options.skip_test = true;
    fd.append('options', JSON.stringify(options));
    state.busy = true;
    submit.disabled = true;
    submit.textContent = 'Uploading…';
    try {
      const job = await api.createJob(fd);
      navigate(`/jobs/${job.id}`);
    } catch (err) {
      setMsg(`Upload refused: ${err.status === 413 ? `too large: ${err.message}` : err.message}`, problemDetails(err));
    } finally {
      state.busy = false;
      if (alive) { submit.textContent = 'Translate'; renderList(); }
    }
  });

  renderList();
  return () => { alive = false; };
}
