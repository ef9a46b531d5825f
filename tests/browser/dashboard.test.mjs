// dashboard.test.mjs - the dashboard end to end, in headless Chromium,
// against a real portalisd.
//
// Covers:
//   - upload of a corpus program (t1_core/control_primes) through the page's
//     file picker; the stage timeline fills in live until every stage
//     succeeded; the live log has lines
//   - the Rust view: clicking a Python line highlights the Rust lines after
//     its `// main.py:N` comment, and clicking a Rust line highlights its
//     Python line
//   - the test report (equivalent, speed ratio shown)
//   - downloading module.wasm through the page; its sha256 equals the
//     API's
//   - running module.wasm in the browser: stdout equals expected_stdout,
//     exit code equals expected_rc
//   - a program that loops is stopped with Stop (worker.terminate)
//   - a script with a syntax error typed into the page: the diagnostic
//     shows file:line:col and the highlighted source line with a caret
//   - the jobs list: newest first, state filter
//   - a rejected upload shows the server's problem detail
//   - a picked folder loses its top folder and its non-Python files;
//     dropped files offer an entry point; a tar.gz's names are read in the
//     page; vectors (args split like a shell, stdin) reach the job options
//   - a mismatch with CPython shows the report's diff
//   - no request leaves the server; no page errors
//   - keyboard: arrow keys in the tab list and in the code panes; the
//     theme button cycles auto, light, dark
//   - screenshots of each screen (laptop/phone, light/dark)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, corpusDir, launchBrowser, loadPlaywright, screenshots, sha256, startServer, submitScript } from './lib.mjs';

const STAGE_TIMEOUT = 240000;
const CASE = path.join(corpusDir, 't1_core', 'control_primes');

let server, browser, page, jobId, jobOk = false;

before(async () => {
  const pw = await loadPlaywright();
  assert.ok(pw, 'playwright-core is installed (npm install)');
  server = await startServer();
  browser = await launchBrowser(pw);
  page = browser.page;
});

after(async () => {
  if (browser) {
    assert.deepEqual(browser.external, [], 'no request leaves the server');
    assert.deepEqual(browser.problems, [], 'no uncaught page errors');
    await browser.close();
  }
  if (server) await server.stop();
});

test('upload page renders and offers the pickers', async () => {
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#upload-form');
  assert.equal(await page.getAttribute('#file-input', 'type'), 'file');
  await screenshots(page, 'upload');
});

test('a corpus program uploaded through the page goes through every stage', { timeout: STAGE_TIMEOUT + 30000 }, async () => {
  await page.goto(`${server.url}/`);
  await page.setInputFiles('#file-input', path.join(CASE, 'main.py'));
  await page.waitForSelector('#file-list li');
  assert.match(await page.textContent('#file-list'), /main\.py/);
  await page.click('#submit');
  await page.waitForURL(/\/jobs\/[0-9a-f]{32}/);
  jobId = /\/jobs\/([0-9a-f]{32})/.exec(page.url())[1];
  // The timeline fills in live: each stage ends succeeded, in order.
  const seen = new Set();
  const deadline = Date.now() + STAGE_TIMEOUT;
  for (;;) {
    const states = await page.$$eval('.stage', (els) => els.map((e) => [e.dataset.stage, e.dataset.state]));
    for (const [n, s] of states) seen.add(`${n}:${s}`);
    const jobState = await page.getAttribute('#job-state .badge', 'data-state').catch(() => null);
    if (jobState && !['queued', 'running'].includes(jobState)) break;
    assert.ok(Date.now() < deadline, `job still running after ${STAGE_TIMEOUT} ms: ${JSON.stringify(states)}`);
    await page.waitForTimeout(100);
  }
  const final = await page.$$eval('.stage', (els) => els.map((e) => [e.dataset.stage, e.dataset.state]));
  const job = (await api(server, `/api/v1/jobs/${jobId}`)).data;
  assert.equal(job.state, 'succeeded', `job failed: ${job.reason} ${job.message} ${JSON.stringify(job.diagnostics)}`);
  assert.deepEqual(final, job.stages.map((s) => [s.name, 'succeeded']));
  assert.ok(seen.has('build:running') || seen.has('test:running'), `a stage was seen running live (${[...seen]})`);
  assert.equal(await page.getAttribute('#job-state .badge', 'data-state'), 'succeeded');
  // Durations are shown for finished stages.
  assert.match(await page.textContent('[data-stage="build"] .stage-dur'), /\d+(\.\d+)? (ms|s)/);
  // The live log has the pipeline's lines.
  await page.click('[data-tab="log"]');
  await page.waitForFunction(() => document.querySelectorAll('#log .log-line').length > 3);
  assert.match(await page.textContent('#log'), /\[build\]/);
  jobOk = true;
  await screenshots(page, 'job-log');
});

test('the Rust view maps Python lines to Rust lines and back', async () => {
  assert.ok(jobOk, 'the upload test made a job that succeeded');
  await page.goto(`${server.url}/jobs/${jobId}?tab=code`);
  await page.waitForSelector('.pane-rs .line');
  await page.waitForSelector('.pane-py .line');
  const py = fs.readFileSync(path.join(CASE, 'main.py'), 'utf8').split('\n');
  // A Python line that prints: line N with `print(` at the start.
  const n = py.findIndex((l) => /^print\(/.test(l)) + 1;
  assert.ok(n > 0);
  await page.click(`.pane-py .line[data-line="${n}"]`);
  await page.waitForSelector('.pane-rs .line.mapped');
  const mapped = await page.$$eval('.pane-rs .line.mapped', (els) => els.map((e) => e.querySelector('.src').textContent));
  assert.ok(mapped.length >= 2, `several Rust lines for main.py:${n}: ${mapped.join('\n')}`);
  assert.match(mapped[0], new RegExp(`//\\s*main\\.py:${n}\\b`), 'the block starts with its line comment');
  assert.ok(mapped.some((t) => /print/.test(t)), `the Rust of a print statement mentions print: ${mapped.join('\n')}`);
  assert.equal(await page.$eval(`.pane-py .line[data-line="${n}"]`, (e) => e.classList.contains('mapped')), true);
  // And back: a Rust line of another statement selects its Python line.
  const other = await page.$$eval('.pane-rs .line[data-py]', (els, want) => {
    const e = els.find((x) => x.dataset.py !== want && /^main\.py:([2-9]|\d\d+)$/.test(x.dataset.py));
    return e ? [e.dataset.line, e.dataset.py] : null;
  }, `main.py:${n}`);
  assert.ok(other);
  await page.click(`.pane-rs .line[data-line="${other[0]}"]`);
  const back = Number(other[1].split(':')[1]);
  await page.waitForSelector(`.pane-py .line.mapped[data-line="${back}"]`);
  assert.equal(await page.$$eval('.pane-py .line.mapped', (els) => els.length), 1);
  // Keyboard: arrow down in the Python pane moves the selection.
  await page.focus('.pane-py .code');
  await page.keyboard.press('ArrowDown');
  await page.waitForSelector(`.pane-py .line.mapped[data-line="${back + 1}"]`);
  await page.click(`.pane-py .line[data-line="${n}"]`);
  await screenshots(page, 'job-code');
});

test('the code view says which functions run on the static path and why the others do not', async () => {
  assert.ok(jobOk, 'the upload test made a job that succeeded');
  await page.goto(`${server.url}/jobs/${jobId}?tab=code`);
  await page.waitForSelector('.paths-box summary');
  const got = (await api(server, `/api/v1/jobs/${jobId}/artifacts/spec.json`)).data;
  const spec = Buffer.isBuffer(got) ? JSON.parse(got.toString('utf8')) : got;
  const items = spec.modules.flatMap((m) => m.items.filter((it) => it.path).map((it) => ({ file: m.python, it })));
  const nstatic = items.filter((x) => x.it.path === 'static').length;
  assert.ok(nstatic > 0 && nstatic < items.length, `the case has functions on both paths: ${JSON.stringify(items.map((x) => [x.it.qualname, x.it.path]))}`);
  assert.match(await page.textContent('.paths-box summary'), new RegExp(`Static path: ${nstatic} of ${items.length} functions`));
  await page.click('.paths-box summary');
  const rows = await page.$$eval('.paths li', (els) => els.map((e) => [e.dataset.path, e.textContent]));
  assert.equal(rows.length, items.length);
  for (const [pathKind, text] of rows) {
    // a dynamic function names the construct that keeps it there, at file:line:col
    if (pathKind === 'dynamic') assert.match(text, /main\.py:\d+:\d+: \S/);
    else assert.doesNotMatch(text, /main\.py:\d+:\d+:/);
  }
  // clicking a function selects its Python line
  const dyn = items.find((x) => x.it.path === 'dynamic');
  await page.click(`.paths li[data-path="dynamic"] button`);
  await page.waitForSelector(`.pane-py .line.mapped[data-line="${dyn.it.dynamic_because.line}"]`);
});

test('the test report says equivalent and gives the speed ratio', async () => {
  assert.ok(jobOk, 'the upload test made a job that succeeded');
  // Keyboard: the tab list moves with the arrow keys.
  await page.focus('[data-tab="code"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('[data-tab="report"][aria-selected="true"]');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.tab), 'report');
  await page.waitForSelector('#report-summary');
  assert.match(await page.textContent('#report-summary'), /Equivalent/);
  assert.match(await page.textContent('.vector-report .speed'), /Speed ratio/);
  const ratio = Number(await page.getAttribute('.vector-report .speed', 'data-ratio'));
  assert.ok(ratio > 0);
  await screenshots(page, 'job-report');
});

test('module.wasm downloads through the page with the sha256 the API lists', async () => {
  assert.ok(jobOk, 'the upload test made a job that succeeded');
  await page.click('[data-tab="artifacts"]');
  await page.waitForSelector('[data-artifact="module.wasm"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-artifact="module.wasm"]')]);
  assert.equal(dl.suggestedFilename(), 'module.wasm');
  const file = await dl.path();
  const got = sha256(fs.readFileSync(file));
  const job = (await api(server, `/api/v1/jobs/${jobId}`)).data;
  const art = job.artifacts.find((a) => a.name === 'module.wasm');
  assert.equal(got, art.sha256);
  await page.waitForSelector('tr[data-name="module.wasm"] .dl-status:has-text("verified")');
  await screenshots(page, 'job-artifacts');
});

test('module.wasm runs in the browser and prints expected_stdout', async () => {
  assert.ok(jobOk, 'the upload test made a job that succeeded');
  await page.click('[data-tab="run"]');
  await page.waitForSelector('#run');
  await page.click('#run');
  await page.waitForSelector('.runner[data-state="exited"]', { timeout: 60000 });
  const stdout = await page.textContent('#run-stdout');
  const expected = fs.readFileSync(path.join(CASE, 'expected_stdout'), 'utf8');
  assert.equal(stdout, expected);
  const rcFile = path.join(CASE, 'expected_rc');
  const rc = fs.existsSync(rcFile) ? Number(fs.readFileSync(rcFile, 'utf8').trim()) : 0;
  assert.equal(Number(await page.getAttribute('.runner', 'data-exit-code')), rc);
  assert.match(await page.textContent('#run-status'), new RegExp(`Exited with code ${rc}`));
  await screenshots(page, 'job-run');
});

test('a program that loops in the browser is stopped', { timeout: STAGE_TIMEOUT + 30000 }, async () => {
  const code = 'import sys\nn = 0\nprint("start")\nif len(sys.argv) > 1:\n    while True:\n        n += 1\nprint("done")\n';
  const job = await submitScript(server, code);
  await page.goto(`${server.url}/jobs/${job.id}`);
  await page.waitForSelector('#job-state .badge:not([data-state="queued"]):not([data-state="running"])', { timeout: STAGE_TIMEOUT });
  const state = await page.getAttribute('#job-state .badge', 'data-state');
  const api1 = (await api(server, `/api/v1/jobs/${job.id}`)).data;
  assert.ok(api1.artifacts.some((a) => a.name === 'module.wasm'), `module.wasm built (state ${state}: ${api1.message})`);
  await page.click('[data-tab="run"]');
  await page.fill('#run-args', 'loop');
  await page.click('#run');
  await page.waitForSelector('.runner[data-state="running"]');
  await page.waitForTimeout(1500);
  assert.equal(await page.getAttribute('.runner', 'data-state'), 'running', 'still running: it loops');
  await page.click('#stop');
  await page.waitForSelector('.runner[data-state="stopped"]');
  assert.match(await page.textContent('#run-status'), /Stopped after/);
  // And it runs again, to the end, without the argument.
  await page.fill('#run-args', '');
  await page.click('#run');
  await page.waitForSelector('.runner[data-state="exited"]', { timeout: 60000 });
  assert.equal(await page.textContent('#run-stdout'), 'start\ndone\n');
  // Submitted through the API: the Python source comes from package.tar.gz.
  await page.click('[data-tab="code"]');
  await page.waitForSelector('.pane-py .line[data-line="5"]');
  assert.equal((await page.textContent('.pane-py .line[data-line="5"] .src')).trim(), 'while True:');
});

test('the theme button switches light and dark', async () => {
  await page.goto(`${server.url}/jobs`);
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme || 'auto');
  assert.equal(await theme(), 'auto');
  await page.click('#theme');
  assert.equal(await theme(), 'light');
  await page.click('#theme');
  assert.equal(await theme(), 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(246, 247, 249)');
  await page.click('#theme');
  assert.equal(await theme(), 'auto');
});

test('a syntax error shows file:line:col and the highlighted source line', { timeout: 60000 }, async () => {
  await page.goto(`${server.url}/`);
  await page.click('.script-box summary');
  await page.fill('#script', 'x = 1\nif x == 1\n    print("hi")\n');
  await page.click('#submit');
  await page.waitForURL(/\/jobs\/[0-9a-f]{32}/);
  await page.waitForSelector('#job-state .badge[data-state="failed"]', { timeout: 30000 });
  await page.waitForSelector('#diagnostics .diag');
  const loc = await page.textContent('#diagnostics .diag-loc');
  assert.match(loc, /^main\.py:2:\d+$/);
  assert.match(await page.textContent('#diagnostics .diag-msg'), /SyntaxError/);
  assert.equal((await page.textContent('#diagnostics .diag-src .diag-line .src')).trim(), 'if x == 1');
  // Highlighted: the keyword is a highlight.js token.
  assert.equal(await page.textContent('#diagnostics .diag-src .diag-line .hljs-keyword'), 'if');
  assert.match(await page.textContent('#diagnostics .diag-caret'), /\^/);
  // The location opens the source (kept from the upload) at that line.
  await page.click('#diagnostics .diag-loc');
  await page.waitForSelector('.pane-py .line.mapped[data-line="2"]');
  await screenshots(page, 'job-syntax-error');
});

test('the jobs list is newest first and filters by state', async () => {
  await page.goto(`${server.url}/jobs`);
  await page.waitForSelector('#jobs-body tr');
  const ids = await page.$$eval('#jobs-body tr', (els) => els.map((e) => e.dataset.id));
  const listed = (await api(server, '/api/v1/jobs?limit=20')).data.jobs.map((j) => j.id);
  assert.deepEqual(ids, listed);
  assert.ok(ids.length >= 3);
  await screenshots(page, 'jobs');
  await page.selectOption('#state-filter', 'failed');
  await page.waitForURL(/state=failed/);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#jobs-body tr')];
    return rows.length > 0 && rows.every((r) => r.querySelector('.badge').dataset.state === 'failed');
  });
  await page.selectOption('#state-filter', 'canceled');
  await page.waitForSelector('.empty:not([hidden])');
});

test('a rejected upload shows the problem detail', async () => {
  await page.goto(`${server.url}/`);
  await page.setInputFiles('#file-input', { name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('this is not a zip file at all') });
  await page.click('#submit');
  await page.waitForSelector('#upload-message:not([hidden])');
  const msg = await page.textContent('#upload-message');
  assert.match(msg, /^Upload refused: ./);
  assert.equal(new URL(page.url()).pathname, '/');
  // The page could not read it either, and said so beside the file.
  assert.match(await page.textContent('#file-list'), /cannot read the archive here/);
  await screenshots(page, 'upload-error');
});

test('dropped files offer an entry point, and the chosen one is sent', { timeout: 60000 }, async () => {
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#dropzone');
  // A drop of two files, as the browser delivers it.
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['import helper\nprint(helper.twice(21))\n'], 'app.py', { type: 'text/x-python' }));
    dt.items.add(new File(['def twice(x):\n    return 2 * x\n'], 'helper.py', { type: 'text/x-python' }));
    document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForSelector('#entry-row:not([hidden]) #entry');
  const options = await page.$$eval('#entry option', (els) => els.map((e) => e.value).sort());
  assert.deepEqual(options, ['app.py', 'helper.py']);
  await page.selectOption('#entry', 'app.py');
  await page.click('#add-vector');
  await page.fill('#vec-args-0', 'one "two words"');
  await page.fill('#vec-stdin-0', 'some input\n');
  await screenshots(page, 'upload-files');
  await page.click('#submit');
  await page.waitForURL(/\/jobs\/[0-9a-f]{32}/);
  const id = /\/jobs\/([0-9a-f]{32})/.exec(page.url())[1];
  const job = (await api(server, `/api/v1/jobs/${id}`)).data;
  assert.equal(job.entry, 'app.py');
  assert.deepEqual(job.options.vectors, [{ args: ['one', 'two words'], stdin: 'some input\n' }]);
  await api(server, `/api/v1/jobs/${id}/cancel`, { method: 'POST' });
});

test('a tar.gz is read in the page to offer its entry points', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portalis-tgz-'));
  fs.mkdirSync(path.join(dir, 'proj', 'pkg'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'proj', 'main.py'), 'print("main")\n');
  fs.writeFileSync(path.join(dir, 'proj', 'tool.py'), 'print("tool")\n');
  fs.writeFileSync(path.join(dir, 'proj', 'pkg', '__init__.py'), '');
  execFileSync('tar', ['czf', path.join(dir, 'proj.tar.gz'), '-C', dir, 'proj']);
  await page.goto(`${server.url}/`);
  await page.setInputFiles('#file-input', path.join(dir, 'proj.tar.gz'));
  await page.waitForSelector('#file-list .tag:has-text("3 files")');
  const options = await page.$$eval('#entry option', (els) => els.map((e) => e.value).sort());
  assert.deepEqual(options, ['main.py', 'pkg/__init__.py', 'tool.py']);
  assert.equal(await page.$eval('#entry', (e) => e.value), 'main.py');
  await page.selectOption('#entry', 'tool.py');
  await page.click('#submit');
  await page.waitForURL(/\/jobs\/[0-9a-f]{32}/);
  const id = /\/jobs\/([0-9a-f]{32})/.exec(page.url())[1];
  assert.equal((await api(server, `/api/v1/jobs/${id}`)).data.entry, 'tool.py');
  await api(server, `/api/v1/jobs/${id}/cancel`, { method: 'POST' });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a mismatch with CPython shows a readable diff', { timeout: STAGE_TIMEOUT + 30000 }, async () => {
  // The output differs from run to run: CPython and WASM cannot agree.
  const job = await submitScript(server, 'import time\nprint("same line")\nprint(time.time())\n');
  await page.goto(`${server.url}/jobs/${job.id}`);
  await page.waitForSelector('#job-state .badge:not([data-state="queued"]):not([data-state="running"])', { timeout: STAGE_TIMEOUT });
  const done = (await api(server, `/api/v1/jobs/${job.id}`)).data;
  assert.equal(done.state, 'failed', `${done.reason}: ${done.message}`);
  assert.equal(done.reason, 'test_failure');
  await page.click('[data-tab="report"]');
  await page.waitForSelector('#report-summary');
  assert.match(await page.textContent('#report-summary'), /Not equivalent/);
  await page.waitForSelector('.vector-report.bad pre.diff .dl-del');
  assert.match(await page.textContent('.vector-report.bad pre.diff .dl-hunk'), /^@@/);
  await screenshots(page, 'job-mismatch');
});

test('a folder picked in the page is sent without its top folder, non-Python files left out', { timeout: 60000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portalis-dir-'));
  fs.mkdirSync(path.join(dir, 'proj', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'proj', 'main.py'), 'from lib import util\nprint(util.VALUE)\n');
  fs.writeFileSync(path.join(dir, 'proj', 'lib', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'proj', 'lib', 'util.py'), 'VALUE = 3\n');
  fs.writeFileSync(path.join(dir, 'proj', 'notes.txt'), 'not python\n');
  await page.goto(`${server.url}/`);
  await page.setInputFiles('#dir-input', path.join(dir, 'proj'));
  await page.waitForSelector('#file-list li');
  const names = await page.$$eval('#file-list .fname', (els) => els.map((e) => e.textContent).sort());
  assert.deepEqual(names, ['lib/__init__.py', 'lib/util.py', 'main.py']);
  assert.match(await page.textContent('#file-list'), /Left out \(not Python\): .*notes\.txt/);
  assert.equal(await page.$eval('#entry', (e) => e.value), 'main.py');
  await page.click('#submit');
  await page.waitForURL(/\/jobs\/[0-9a-f]{32}/);
  const id = /\/jobs\/([0-9a-f]{32})/.exec(page.url())[1];
  assert.equal((await api(server, `/api/v1/jobs/${id}`)).data.entry, 'main.py');
  await api(server, `/api/v1/jobs/${id}/cancel`, { method: 'POST' });
  fs.rmSync(dir, { recursive: true, force: true });
});
