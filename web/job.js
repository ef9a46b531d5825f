// job.js - one job: header and actions, the stage timeline, diagnostics,
// and tabs for the code (Python beside Rust), the test report, running the
// module in the browser, the live log, and the artifacts.
//
// The page reads the job once, then follows its event stream from the first
// event: the stream replays the whole log (the job object has no log) and
// then delivers stage, log, diagnostic and state events as they happen.
// Stage durations come from the events' timestamps while the job runs and
// tick on screen for the running stage; when the stream ends the job is read
// again for its final stages, diagnostics and artifacts.

import { api, followJob, ApiError } from './api.js';
import { readTarGz } from './archive.js';
import { sideBySide, highlightLines } from './code.js';
import { runnerPanel } from './runner.js';
import { fillSimilar } from './similar.js';
import { h, clear, badge, fmtBytes, fmtMs, fmtTime, shortId, sha256Hex, saveBlob, tabs, STAGES, TERMINAL, stateLabel, quoteArgs } from './util.js';
import { navigate, showError, toast } from './ui.js';

const STAGE_LABEL = {
  ingest: 'Ingest', analysis: 'Analysis', specgen: 'Spec', transpile: 'Transpile', build: 'Build', test: 'Test', package: 'Package',
};
const STAGE_ICON = {
  pending: '○', running: '◐', succeeded: '✓', failed: '✗', canceled: '⊘', timed_out: '⧗', error: '!', skipped: '–',
};

export function jobView(root, id, params) {
  let alive = true, job = null, stream = null, tab = params.get('tab') || null;
  let userChoseTab = !!tab, finalAtLoad = false;
  const seenDiags = new Set();
  const logLines = [];
  const panels = {};
  const loaded = {}; // tab -> promise (lazy content)
  let runner = null;

  const head = h('section', { class: 'card job-head', id: 'job-head' }, h('p', { class: 'muted' }, 'Loading job…'));
  const timeline = h('section', { class: 'card timeline', id: 'timeline', 'aria-label': 'Stages' });
  const diagBox = h('section', { class: 'card diagnostics', id: 'diagnostics', hidden: true, 'aria-label': 'Diagnostics' });
  const tabBar = h('div', { class: 'tab-bar' });
  const panelBox = h('div', { class: 'panels' });
  root.append(head, timeline, diagBox, h('section', { class: 'card tabbed' }, tabBar, panelBox));

  // ------------------------------------------------------------ header

  function renderHead() {
    clear(head);
    const terminal = TERMINAL.has(job.state);
    const cancel = h('button', { type: 'button', class: 'btn', id: 'cancel', disabled: terminal, onclick: doCancel }, 'Cancel');
    const del = h('button', { type: 'button', class: 'btn danger', id: 'delete', disabled: !terminal, title: terminal ? null : 'Cancel the job first', onclick: doDelete }, 'Delete');
    head.append(...[
      h('div', { class: 'job-title' },
        h('h1', null, job.entry || 'job', ' ', h('span', { class: 'mono muted id', title: job.id }, shortId(job.id))),
        h('span', { id: 'job-state' }, badge(job.state))),
      h('dl', { class: 'meta' },
        h('dt', null, 'Created'), h('dd', null, h('time', { datetime: job.created_at, title: job.created_at }, fmtTime(job.created_at))),
        h('dt', null, 'Duration'), h('dd', { id: 'job-duration' }, job.duration_ms != null ? fmtMs(job.duration_ms) : '—'),
        h('dt', null, 'Stage'), h('dd', null, job.stage || '—'),
        job.reason ? [h('dt', null, 'Reason'), h('dd', { class: 'mono' }, job.reason)] : null,
        job.attempts > 1 ? [h('dt', null, 'Attempts'), h('dd', null, String(job.attempts))] : null),
      job.message ? h('p', { class: `job-message ${job.state === 'succeeded' ? '' : 'msg-error'}`, id: 'job-message' }, job.message) : null,
      h('div', { class: 'actions' }, cancel, del)].filter(Boolean));
  }

  async function doCancel(ev) {
    ev.target.disabled = true;
    try {
      job = await api.cancelJob(id);
      toast(job.state === 'canceled' ? 'Job canceled.' : 'Cancellation requested.', 'info');
      renderAll();
    } catch (err) {
      ev.target.disabled = false;
      showError(err, 'Cannot cancel');
    }
  }

  function confirmDialog(text, okLabel) {
    return new Promise((resolve) => {
      const dlg = h('dialog', { class: 'confirm', id: 'confirm-dialog' },
        h('form', { method: 'dialog' }, h('p', null, text),
          h('div', { class: 'actions' },
            h('button', { value: 'cancel', class: 'btn' }, 'Keep it'),
            h('button', { value: 'ok', class: 'btn danger', id: 'confirm-ok' }, okLabel))));
      document.body.appendChild(dlg);
      dlg.addEventListener('close', () => { resolve(dlg.returnValue === 'ok'); dlg.remove(); });
      dlg.showModal();
    });
  }

  async function doDelete() {
    if (!await confirmDialog(`Delete job ${shortId(id)} and all its artifacts? This cannot be undone.`, 'Delete')) return;
    try {
      await api.deleteJob(id);
      toast('Job deleted.', 'info');
      navigate('/jobs');
    } catch (err) {
      showError(err, 'Cannot delete');
    }
  }

  // ------------------------------------------------------------ stages

  function renderTimeline() {
    clear(timeline);
    const list = h('ol', { class: 'stages' });
    for (const name of STAGES) {
      const s = (job.stages || []).find((x) => x.name === name) || { name, state: 'pending' };
      let dur = s.duration_ms;
      if (s.state === 'running' && s.started_at) dur = Date.now() - new Date(s.started_at).getTime();
      list.append(h('li', { class: `stage st-${s.state}`, dataset: { stage: name, state: s.state }, title: s.message || null },
        h('span', { class: 'stage-icon', 'aria-hidden': 'true' }, STAGE_ICON[s.state] || '○'),
        h('span', { class: 'stage-name' }, STAGE_LABEL[name] || name),
        h('span', { class: 'stage-state' }, stateLabel(s.state)),
        h('span', { class: 'stage-dur' }, dur != null ? fmtMs(dur) : '')));
    }
    timeline.append(h('h2', { class: 'sr-only' }, 'Stages'), list);
    // Stage messages that only repeat the job's message are not shown twice.
    const msgs = (job.stages || []).filter((s) => s.message && s.state !== 'succeeded' && s.message !== job.message);
    if (msgs.length) timeline.append(h('ul', { class: 'stage-msgs' }, msgs.map((s) => h('li', null, h('strong', null, `${STAGE_LABEL[s.name] || s.name}: `), s.message))));
  }

  // ------------------------------------------------------------ diagnostics

  async function renderDiagnostics() {
    const diags = job.diagnostics || [];
    diagBox.hidden = diags.length === 0;
    clear(diagBox);
    if (!diags.length) return;
    diagBox.append(h('h2', null, `Diagnostics (${diags.length})`));
    const list = h('ul', { class: 'diag-list' });
    diagBox.append(list);
    for (const d of diags) {
      const loc = d.line ? `${d.file || job.entry}:${d.line}:${d.col || 1}` : (d.file || '');
      const locEl = d.line
        ? h('button', { type: 'button', class: 'link-btn diag-loc mono', title: 'Show in the code view', onclick: () => showCode(d.file || job.entry, d.line) }, loc)
        : h('span', { class: 'diag-loc mono' }, loc);
      const item = h('li', { class: `diag sev-${d.severity}` },
        h('div', { class: 'diag-head' }, h('span', { class: `sev sev-${d.severity}` }, d.severity), locEl, h('span', { class: 'diag-msg' }, d.message)));
      if (d.source_line != null) {
        const [html] = await highlightLines(d.source_line, 'python');
        const num = String(d.line);
        const src = h('span', { class: 'src' });
        src.innerHTML = html || ' ';
        const caretPad = ' '.repeat(Math.max(0, (d.col || 1) - 1));
        item.append(h('pre', { class: 'diag-src hljs', 'aria-label': `source line ${d.line}` },
          h('span', { class: 'diag-line' }, h('span', { class: 'ln' }, num), ' │ ', src), '\n',
          h('span', { class: 'diag-caret' }, h('span', { class: 'ln' }, ' '.repeat(num.length)), ' │ ', caretPad, '^')));
      }
      list.append(item);
    }
  }

  // ------------------------------------------------------------ tabs

  const TABS = [
    { id: 'code', label: 'Code' },
    { id: 'report', label: 'Test report' },
    { id: 'run', label: 'Run in browser' },
    { id: 'similar', label: 'Similar' },
    { id: 'log', label: 'Log' },
    { id: 'artifacts', label: 'Artifacts' },
  ];
  for (const t of TABS) {
    panels[t.id] = h('div', { class: 'panel', role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: '0', hidden: true });
    panelBox.append(panels[t.id]);
  }
  const logPre = h('pre', { class: 'log', id: 'log', 'aria-live': 'off' });
  const logStatus = h('p', { class: 'muted small', id: 'log-status' });
  panels.log.append(logStatus, logPre);

  function defaultTab() {
    if (!TERMINAL.has(job.state)) return 'log';
    if (job.state === 'succeeded') return 'code';
    if (job.reason === 'test_failure') return 'report';
    return 'log';
  }

  function renderTabs() {
    clear(tabBar);
    const items = TABS.map((t) => ({ ...t, count: t.id === 'log' ? logLines.length : t.id === 'artifacts' ? (job.artifacts || []).length : null }));
    tabBar.append(tabs(items, tab, (t) => { userChoseTab = true; selectTab(t); }));
  }

  function selectTab(t) {
    tab = t;
    const url = new URL(location.href);
    url.searchParams.set('tab', t);
    history.replaceState(null, '', url.pathname + url.search);
    for (const k of Object.keys(panels)) panels[k].hidden = k !== t;
    const hadFocus = tabBar.contains(document.activeElement);
    renderTabs();
    const btn = tabBar.querySelector(`[data-tab="${t}"]`);
    if (btn && hadFocus) btn.focus();
    if (btn) tabBar.scrollLeft = Math.max(0, btn.offsetLeft + btn.offsetWidth - tabBar.clientWidth + 16);
    fill(t);
  }

  function has(name) { return (job.artifacts || []).some((a) => a.name === name); }

  function fill(t) {
    if (loaded[t]) return;
    const p = panels[t];
    if (t === 'code') loaded[t] = fillCode(p);
    else if (t === 'report') loaded[t] = fillReport(p);
    else if (t === 'run') loaded[t] = fillRun(p);
    else if (t === 'artifacts') loaded[t] = Promise.resolve(fillArtifacts(p));
    else if (t === 'similar') {
      if (job.state !== 'succeeded') { waiting(p, 'verified functions yet'); return; }
      loaded[t] = fillSimilar(p, id);
    }
    if (loaded[t]) loaded[t].catch((err) => { clear(p); p.append(h('p', { class: 'msg msg-error' }, err.message)); delete loaded[t]; });
  }

  function waiting(p, what) {
    clear(p);
    p.append(h('p', { class: 'muted pad' }, TERMINAL.has(job.state)
      ? `This job has no ${what}.`
      : `The ${what} appears here when the job gets that far.`));
  }

  // ---- code

  let codeView = null, pendingLine = null;
  async function fillCode(p) {
    clear(p);
    p.append(h('p', { class: 'muted pad' }, 'Loading sources…'));
    const rs = {};
    if (has('crate.tar.gz')) {
      const entries = await readTarGz(await api.artifact(id, 'crate.tar.gz'));
      const dec = new TextDecoder();
      for (const e of entries) if (e.type === 'file') rs[e.name.replace(/^crate\//, '')] = dec.decode(e.data);
    }
    const py = await api.files(id);
    if (!alive) return;
    clear(p);
    if (!Object.keys(rs).length && !Object.keys(py).length) { waiting(p, 'generated code yet'); delete loaded.code; return; }
    codeView = await sideBySide(py, rs, { entry: job.entry });
    if (has('spec.json')) {
      try {
        const spec = JSON.parse(new TextDecoder().decode(await api.artifact(id, 'spec.json')));
        if (!alive) return;
        const paths = pathsPanel(spec, (file, line) => codeView.selectPy(file, line));
        if (paths) p.append(paths);
      } catch (err) {
        console.warn('spec.json unreadable:', err);
      }
    }
    p.append(codeView);
    // Diagnostics with a line: mark them in the Python view.
    for (const d of job.diagnostics || []) {
      if (!d.line) continue;
      const el = p.querySelector(`.pane-py .code[data-file="${CSS.escape(d.file || job.entry)}"] .line[data-line="${d.line}"]`);
      if (el) { el.classList.add('diag-mark'); el.title = d.message; }
    }
    if (pendingLine) { codeView.selectPy(pendingLine[0], pendingLine[1]); pendingLine = null; }
  }

  // Which functions run on the static path (an unboxed twin compiled from
  // proven types) and which on the dynamic one, with the first construct
  // that keeps each on the dynamic path (spec.json's "dynamic_because").
  function pathsPanel(spec, go) {
    const rows = [];
    for (const m of spec.modules || [])
      for (const it of m.items || [])
        if (it.path) rows.push({ file: m.python, it });
    if (!rows.length) return null;
    const nstatic = rows.filter((r) => r.it.path === 'static').length;
    const list = h('ul', { class: 'paths' }, rows.map(({ file, it }) => {
      const why = it.dynamic_because;
      const at = why ? `${file}:${why.line}:${why.col}` : `${file}:${it.line}`;
      return h('li', { dataset: { path: it.path } },
        h('span', { class: `badge tm-${it.path}`, title: it.path === 'static' ? 'an unboxed twin is compiled from proven types' : 'runs on Value (the dynamic path)' }, it.path),
        ' ',
        h('button', { type: 'button', class: 'linkish', onclick: () => go(file, why ? why.line : it.line) }, it.qualname),
        it.typed ? h('code', { class: 'sig' }, ' ', it.typed) : null,
        why ? h('span', { class: 'muted' }, ` — ${at}: ${why.why}`) : null);
    }));
    return h('details', { class: 'paths-box' },
      h('summary', {}, `Static path: ${nstatic} of ${rows.length} function${rows.length === 1 ? '' : 's'} (the others run on the dynamic path; why, per function)`),
      list);
  }

  function showCode(file, line) {
    pendingLine = [file, line];
    selectTab('code');
    if (codeView) { codeView.selectPy(file, line); pendingLine = null; }
  }

  // ---- report

  async function fillReport(p) {
    if (!has('report.json')) { waiting(p, 'test report yet'); delete loaded.report; return; }
    clear(p);
    p.append(h('p', { class: 'muted pad' }, 'Loading the report…'));
    const rep = JSON.parse(new TextDecoder().decode(await api.artifact(id, 'report.json')));
    if (!alive) return;
    clear(p);
    const t = rep.test || {};
    const b = rep.build || {};
    const vecs = t.vectors || [];
    const agree = vecs.filter((v) => v.match).length;
    if (rep.assist) p.append(renderAssist(rep.assist));
    if (!rep.test) return;
    p.append(h('div', { class: `report-summary ${t.passed ? 'ok' : 'bad'}`, id: 'report-summary' },
      h('strong', null, t.skip_test ? 'Not compared with CPython (skip_test).' : t.passed ? `Equivalent: WASM and CPython agree on ${agree} of ${vecs.length} vector${vecs.length === 1 ? '' : 's'}.` : `Not equivalent: ${vecs.length - agree} of ${vecs.length} vector${vecs.length === 1 ? '' : 's'} ${vecs.length - agree === 1 ? 'differs' : 'differ'}.`),
      t.compared ? h('span', { class: 'muted small' }, ` Compared: ${t.compared}.`) : null));
    const facts = [
      ['CPython', t.python], ['Node', t.node], ['rustc', b.rustc], ['rustc time', b.rustc_ms != null ? fmtMs(b.rustc_ms) : null],
      ['module.wasm', b.module_size != null ? fmtBytes(b.module_size) : null], ['build cache', b.cache_hit != null ? (b.cache_hit ? 'hit' : 'miss') : null],
      ['sandbox', t.sandbox || b.sandbox],
    ].filter(([, v]) => v != null && v !== '');
    p.append(h('dl', { class: 'meta facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, String(v))])));
    vecs.forEach((v, i) => {
      const c = v.cpython || {}, w = v.wasm || {};
      const ratio = v.speed_ratio;
      const ratioText = ratio == null ? '—' : ratio >= 1
        ? `${ratio.toFixed(2)}× (WASM is ${ratio.toFixed(1)}× as fast as CPython)`
        : `${ratio.toFixed(2)}× (WASM took ${(1 / ratio).toFixed(1)}× CPython's time, start-up included)`;
      const tbl = h('table', { class: 'cmp' },
        h('thead', null, h('tr', null, h('th', null, ''), h('th', { scope: 'col' }, 'CPython'), h('th', { scope: 'col' }, 'WASM'))),
        h('tbody', null,
          h('tr', null, h('th', { scope: 'row' }, 'exit code'), h('td', null, String(c.exit_code ?? '—')), h('td', { class: c.exit_code === w.exit_code ? '' : 'bad' }, String(w.exit_code ?? '—'))),
          h('tr', null, h('th', { scope: 'row' }, 'stdout'), h('td', null, fmtBytes(c.stdout_size)), h('td', { class: c.stdout_sha256 === w.stdout_sha256 ? '' : 'bad' }, fmtBytes(w.stdout_size))),
          h('tr', null, h('th', { scope: 'row' }, 'time'), h('td', null, fmtMs(c.wall_ms)), h('td', null, fmtMs(w.wall_ms))),
          (c.timed_out || w.timed_out) ? h('tr', null, h('th', { scope: 'row' }, 'timed out'), h('td', null, c.timed_out ? 'yes' : 'no'), h('td', null, w.timed_out ? 'yes' : 'no')) : null));
      const card = h('article', { class: `vector-report ${v.match ? 'ok' : 'bad'}`, dataset: { vector: String(i + 1) } },
        h('h3', null, `Vector ${i + 1} `, h('span', { class: `badge ${v.match ? 'st-succeeded' : 'st-failed'}` }, v.match ? 'match' : 'mismatch')),
        h('p', { class: 'small' }, 'args: ', h('code', null, quoteArgs(v.args) || '(none)'), ` · stdin: ${fmtBytes(v.stdin_size || 0)}`),
        tbl,
        h('p', { class: 'speed', dataset: { ratio: ratio != null ? String(ratio) : '' } }, h('strong', null, 'Speed ratio (CPython time / WASM time): '), ratioText));
      if (v.diff) card.append(h('h4', null, 'Difference in stdout'), renderDiff(v.diff));
      for (const [who, r] of [['CPython', c], ['WASM', w]])
        if (r.stderr_head) card.append(h('h4', null, `${who} stderr`), h('pre', { class: 'stderr' }, r.stderr_head));
      p.append(card);
    });
  }

  // Model assistance: which functions a model rewrote, the rewrite beside
  // the original, and every candidate's fate.
  function renderAssist(a) {
    const sec = h('section', { class: `assist ${a.used ? 'ok' : 'bad'}`, id: 'assist' },
      h('h3', null, a.used ? 'Model-assisted ' : 'Model assistance tried ',
        h('span', { class: `badge ${a.used ? 'st-succeeded' : 'st-failed'}` }, a.used ? 'used' : 'no rewrite passed')),
      h('p', { class: 'small' }, `model ${a.model} · ${a.candidates_requested} candidate${a.candidates_requested === 1 ? '' : 's'} requested (at most ${a.candidates_max} a function) · ${a.tokens} tokens`));
    for (const f of a.functions || []) {
      const card = h('article', { class: 'assist-fn', dataset: { function: f.function } },
        h('h4', null, h('code', null, f.function), ` (${f.file}:${f.line}) · ${f.stage} failed · ${f.candidates_tried} candidate${f.candidates_tried === 1 ? '' : 's'} tried`),
        h('p', { class: 'small muted' }, f.diagnostic));
      if (f.rewrite) {
        card.append(h('div', { class: 'assist-cmp' },
          h('div', null, h('h5', null, 'Original'), h('pre', { class: 'assist-original' }, f.original)),
          h('div', null, h('h5', null, 'Model rewrite (verified)'), h('pre', { class: 'assist-rewrite' }, f.rewrite))));
      } else {
        card.append(h('h5', null, 'Original'), h('pre', { class: 'assist-original' }, f.original));
      }
      const ol = h('ol', { class: 'assist-attempts small' });
      for (const t of f.attempts || []) ol.append(h('li', { dataset: { outcome: t.outcome } }, h('strong', null, t.outcome), t.detail ? `: ${t.detail}` : ''));
      card.append(ol);
      sec.append(card);
    }
    return sec;
  }

  function renderDiff(text) {
    const pre = h('pre', { class: 'diff' });
    for (const line of text.replace(/\n$/, '').split('\n')) {
      let cls = 'ctx';
      if (line.startsWith('+++') || line.startsWith('---')) cls = 'file';
      else if (line.startsWith('@@')) cls = 'hunk';
      else if (line.startsWith('+')) cls = 'add';
      else if (line.startsWith('-')) cls = 'del';
      pre.append(h('span', { class: `dl dl-${cls}` }, line || ' '), '\n');
    }
    return pre;
  }

  // ---- run

  async function fillRun(p) {
    if (!has('module.wasm')) { waiting(p, 'module.wasm yet'); delete loaded.run; return; }
    clear(p);
    const vec = (job.options && job.options.vectors && job.options.vectors[0]) || {};
    runner = runnerPanel({
      argv0: job.entry || 'main.py', args: quoteArgs(vec.args || []), stdin: vec.stdin || '',
      fetchModule: () => api.artifact(id, 'module.wasm'),
    });
    p.append(runner.el);
  }

  // ---- artifacts

  function fillArtifacts(p) {
    clear(p);
    const arts = job.artifacts || [];
    if (!arts.length) { waiting(p, 'artifacts yet'); delete loaded.artifacts; return; }
    const rows = arts.map((a) => {
      const status = h('span', { class: 'small muted dl-status' });
      const btn = h('button', { type: 'button', class: 'btn', dataset: { artifact: a.name }, 'aria-label': `Download ${a.name}` }, 'Download');
      btn.addEventListener('click', async () => {
        btn.disabled = true;
        status.textContent = 'downloading…';
        try {
          const buf = await api.artifact(id, a.name);
          const hex = await sha256Hex(buf);
          if (hex !== a.sha256) throw new Error(`sha256 mismatch: got ${hex.slice(0, 12)}…, expected ${a.sha256.slice(0, 12)}…`);
          saveBlob(new Blob([buf], { type: a.content_type || 'application/octet-stream' }), a.name);
          status.textContent = 'sha256 verified ✓';
        } catch (err) {
          status.textContent = '';
          showError(err, `Cannot download ${a.name}`);
        } finally {
          btn.disabled = false;
        }
      });
      return h('tr', { dataset: { name: a.name } },
        h('td', { 'data-label': 'Name', class: 'mono' }, a.name),
        h('td', { 'data-label': 'Size' }, fmtBytes(a.size)),
        h('td', { 'data-label': 'sha256', class: 'mono small sha', title: a.sha256 }, `${(a.sha256 || '').slice(0, 16)}…`),
        h('td', { 'data-label': '' }, btn, ' ', status));
    });
    p.append(h('div', { class: 'table-wrap' }, h('table', { class: 'artifacts', id: 'artifacts-table' },
      h('thead', null, h('tr', null, ['Name', 'Size', 'sha256', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows))),
    h('p', { class: 'muted small' }, 'Each download is checked against the sha256 the server lists before it is saved.'));
  }

  // ------------------------------------------------------------ live

  function appendLog(d) {
    const line = typeof d === 'string' ? d : `[${d.stage || ''}] ${d.line}`;
    logLines.push(line);
    const atBottom = logPre.scrollTop + logPre.clientHeight >= logPre.scrollHeight - 4;
    logPre.append(h('span', { class: 'log-line' }, line), '\n');
    if (atBottom) logPre.scrollTop = logPre.scrollHeight;
    const c = tabBar.querySelector('[data-tab="log"] .count');
    if (c) c.textContent = String(logLines.length);
  }

  // A job that was finished when the page loaded is shown as read; its
  // replayed events only bring the log.
  function onStage(d) {
    if (finalAtLoad) return;
    const s = (job.stages || []).find((x) => x.name === d.stage);
    if (!s) return;
    s.state = d.state;
    if (d.message) s.message = d.message;
    if (d.state === 'running') { s.started_at = d.at; s.finished_at = null; s.duration_ms = null; job.stage = d.stage; }
    else if (d.at) {
      s.finished_at = d.at;
      if (s.started_at) s.duration_ms = new Date(d.at) - new Date(s.started_at);
    }
    renderTimeline();
  }

  function onState(d) {
    if (finalAtLoad) return;
    if (!d || !d.state || d.state === job.state) return;
    job.state = d.state;
    if (d.reason) job.reason = d.reason;
    if (d.state === 'running' && !job.started_at) job.started_at = new Date().toISOString();
    renderHead();
  }

  const diagKey = (d) => `${d.file}:${d.line}:${d.col}:${d.message}`;
  function onDiagnostic(d) {
    if (finalAtLoad || seenDiags.has(diagKey(d))) return;
    seenDiags.add(diagKey(d));
    job.diagnostics = (job.diagnostics || []).concat([d]);
    renderDiagnostics();
  }

  async function refresh() {
    try {
      const j = await api.getJob(id);
      if (!alive) return;
      const names = (x) => (x.artifacts || []).map((a) => a.sha256).join(',');
      const changed = j.state !== job.state || names(j) !== names(job);
      job = j;
      renderAll();
      if (changed) {
        // New artifacts: the lazy panels fill again when shown.
        for (const k of ['code', 'report', 'run', 'artifacts']) if (k !== 'run' || !runner) delete loaded[k];
        if (!userChoseTab && tab === 'log' && TERMINAL.has(job.state)) tab = defaultTab();
      }
      selectTab(tab);
    } catch (err) {
      if (alive) showError(err);
    }
  }

  function renderAll() {
    renderHead();
    renderTimeline();
    renderDiagnostics();
    renderTabs();
  }

  const ticker = setInterval(() => {
    if (!job || TERMINAL.has(job.state)) return;
    const s = (job.stages || []).find((x) => x.state === 'running');
    if (s && s.started_at) {
      const el = timeline.querySelector(`[data-stage="${s.name}"] .stage-dur`);
      if (el) el.textContent = fmtMs(Date.now() - new Date(s.started_at).getTime());
    }
    const d = document.getElementById('job-duration');
    if (d && job.started_at) d.textContent = fmtMs(Date.now() - new Date(job.started_at).getTime());
  }, 500);

  (async () => {
    try {
      job = await api.getJob(id);
    } catch (err) {
      if (!alive) return;
      clear(head);
      head.append(h('h1', null, 'Job ', h('span', { class: 'mono' }, shortId(id))),
        h('p', { class: 'msg msg-error', id: 'job-error' }, err instanceof ApiError && err.status === 404
          ? 'No such job (it may have been deleted, or it belongs to another token).' : err.message),
        h('p', null, h('a', { href: '/jobs' }, 'All jobs')));
      timeline.hidden = true;
      panelBox.parentElement.hidden = true;
      return;
    }
    if (!alive) return;
    finalAtLoad = TERMINAL.has(job.state);
    for (const d of job.diagnostics || []) seenDiags.add(diagKey(d));
    if (!tab) tab = defaultTab();
    renderAll();
    selectTab(tab);
    logStatus.textContent = 'Connecting to the event stream…';
    stream = followJob(id, {
      mode: (m) => { logStatus.textContent = m === 'sse' ? (TERMINAL.has(job.state) ? '' : '● live') : 'live (long-polling: the event stream is unavailable)'; },
      state: onState,
      stage: onStage,
      log: appendLog,
      diagnostic: onDiagnostic,
      job: (j) => { job = j; renderAll(); },
      end: (d) => {
        logStatus.textContent = '';
        if (d && d.reason === 'deleted') {
          head.append(h('p', { class: 'msg msg-error', id: 'job-error' }, 'This job has been deleted.'));
          return;
        }
        refresh();
      },
      error: (err) => { logStatus.textContent = `event stream stopped: ${err.message}`; },
    }, 0);
  })();

  return () => {
    alive = false;
    clearInterval(ticker);
    if (stream) stream.close();
    if (runner) runner.dispose();
  };
}
