// runner.js - the "Run in browser" panel: arguments and stdin in, stdout and
// stderr out as they come, the exit code at the end, and a Stop button.
//
// Each run gets a fresh Web Worker (wasi-worker.js) and a copy of the
// module's bytes; Stop is worker.terminate(), which ends even a program
// that loops for ever. The module is fetched once (with the token) and
// kept for later runs. Output shown on the page is capped so a program that
// prints without end cannot exhaust the tab's memory.

import { h, fmtMs, splitArgs } from './util.js';

const SHOW_MAX = 2 * 1024 * 1024;

export function runnerPanel({ argv0, args, stdin, fetchModule }) {
  let wasm = null, worker = null, t0 = 0, timer = null;
  const argsIn = h('input', { type: 'text', id: 'run-args', class: 'mono', value: args || '', spellcheck: 'false', placeholder: 'arguments, as in a shell' });
  const stdinIn = h('textarea', { id: 'run-stdin', class: 'mono', rows: '4', spellcheck: 'false', placeholder: 'standard input' });
  stdinIn.value = stdin || '';
  const runBtn = h('button', { type: 'button', class: 'btn primary', id: 'run' }, 'Run');
  const stopBtn = h('button', { type: 'button', class: 'btn', id: 'stop', disabled: true }, 'Stop');
  const status = h('p', { class: 'run-status', id: 'run-status', role: 'status' }, 'Not run yet.');
  const out = h('pre', { class: 'run-out', id: 'run-stdout', 'aria-label': 'standard output' });
  const err = h('pre', { class: 'run-err', id: 'run-stderr', 'aria-label': 'standard error', hidden: true });
  const dec = [new TextDecoder(), new TextDecoder()];
  let shown = 0;

  const el = h('div', { class: 'runner' },
    h('p', { class: 'muted small' }, `Runs module.wasm in this page (a Web Worker with a small WASI shim): argv[0] is ${argv0}, there is no file system and no network.`),
    h('div', { class: 'field' }, h('label', { for: 'run-args' }, 'Arguments'), argsIn),
    h('div', { class: 'field' }, h('label', { for: 'run-stdin' }, 'Standard input'), stdinIn),
    h('div', { class: 'actions' }, runBtn, stopBtn),
    status,
    h('div', { class: 'out-label' }, 'stdout'), out,
    h('div', { class: 'out-label', hidden: true, id: 'run-stderr-label' }, 'stderr'), err);

  function finish(text, cls) {
    clearInterval(timer);
    if (worker) { worker.terminate(); worker = null; }
    status.textContent = text;
    status.className = `run-status ${cls || ''}`;
    runBtn.disabled = false;
    stopBtn.disabled = true;
  }

  function show(fd, data) {
    const pre = fd === 1 ? out : err;
    if (fd === 2) { err.hidden = false; el.querySelector('#run-stderr-label').hidden = false; }
    if (shown >= SHOW_MAX) return;
    let text = dec[fd - 1].decode(data, { stream: true });
    if (shown + text.length > SHOW_MAX) text = `${text.slice(0, SHOW_MAX - shown)}\n[output cut at ${SHOW_MAX} characters]\n`;
    shown += text.length;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(text);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  runBtn.addEventListener('click', async () => {
    let argv;
    try { argv = splitArgs(argsIn.value); } catch (e) { status.textContent = `Arguments: ${e.message}`; status.className = 'run-status bad'; return; }
    runBtn.disabled = true;
    out.textContent = '';
    err.textContent = '';
    err.hidden = true;
    el.querySelector('#run-stderr-label').hidden = true;
    dec[0] = new TextDecoder();
    dec[1] = new TextDecoder();
    shown = 0;
    status.className = 'run-status';
    try {
      if (!wasm) {
        status.textContent = 'Downloading module.wasm…';
        wasm = await fetchModule();
      }
    } catch (e) {
      finish(`Cannot fetch module.wasm: ${e.message}`, 'bad');
      return;
    }
    worker = new Worker(new URL('./wasi-worker.js', import.meta.url), { type: 'module' });
    t0 = performance.now();
    stopBtn.disabled = false;
    status.textContent = 'Running…';
    el.dataset.state = 'running';
    timer = setInterval(() => { status.textContent = `Running… ${fmtMs(performance.now() - t0)}`; }, 250);
    worker.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === 'out') show(m.fd, m.data);
      else if (m.type === 'exit') {
        show(1, new Uint8Array(0));
        el.dataset.state = 'exited';
        el.dataset.exitCode = String(m.code);
        finish(`Exited with code ${m.code} after ${fmtMs(m.ms)}.`, m.code === 0 ? 'ok' : 'bad');
      }
    };
    worker.onerror = (e) => {
      el.dataset.state = 'error';
      finish(`The runner failed: ${e.message || 'worker error'}`, 'bad');
    };
    const copy = wasm.slice(0);
    worker.postMessage({ wasm: copy, args: [argv0, ...argv], stdin: stdinIn.value }, [copy]);
  });

  stopBtn.addEventListener('click', () => {
    if (!worker) return;
    el.dataset.state = 'stopped';
    finish(`Stopped after ${fmtMs(performance.now() - t0)}.`, 'warn');
  });

  return { el, dispose() { if (worker) worker.terminate(); clearInterval(timer); } };
}
