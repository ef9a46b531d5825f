// assist.test.mjs - model assistance on the dashboard, in headless Chromium,
// against a real portalisd whose model endpoint is the scripted mock
// (tests/llm_mock.py) on loopback.
//
// Covers:
//   - a job whose function the translator cannot handle succeeds with the
//     model's rewrite; the report tab shows "Model-assisted", the model
//     name, the original beside the verified rewrite and each candidate's
//     outcome (one rejected by the differential test, one used)
//   - no request leaves the server; no page errors

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, launchBrowser, loadPlaywright, screenshots, srcdir, startServer, submitScript } from './lib.mjs';

// rot uses a construct Transpile does not translate (an except* clause)
const PROGRAM = 'def rot(x, y):\n    try:\n        z = (-y, x)\n    except* ArithmeticError:\n        z = (0, 0)\n    return z\n\n' +
  'for i in range(3):\n    print(rot(i, i + 1))\n';
const WRONG = '```python\ndef rot(x, y):\n    return y, x\n```';
const GOOD = '```python\ndef rot(x, y):\n    return -y, x\n```';

let mock, mockDir, server, browser, page;

before(async () => {
  const pw = await loadPlaywright();
  assert.ok(pw, 'playwright-core is installed (npm install)');
  mockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portalis-llm-mock-'));
  const pf = path.join(mockDir, 'port');
  mock = spawn(process.env.PYTHON3 || 'python3', [path.join(srcdir, 'tests', 'llm_mock.py'), '--port-file', pf, '--model', 'mock-coder'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !fs.existsSync(pf); i++) await new Promise((r) => setTimeout(r, 50));
  const mockUrl = `http://127.0.0.1:${fs.readFileSync(pf, 'utf8').trim()}`;
  await fetch(`${mockUrl}/_script`, { method: 'POST', body: JSON.stringify([{ content: WRONG }, { content: GOOD }]) });
  server = await startServer(['--llm-url', `${mockUrl}/v1`, '--llm-model', 'mock-coder', '--llm-set', 'backoff_ms=10']);
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
  if (mock) mock.kill();
  if (mockDir) fs.rmSync(mockDir, { recursive: true, force: true });
});

test('a model-assisted job shows the rewrite beside the original', { timeout: 300000 }, async () => {
  const job = await submitScript(server, PROGRAM);
  let j;
  for (let i = 0; i < 600; i++) {
    j = (await api(server, `/api/v1/jobs/${job.id}?wait=5`)).data;
    if (!['queued', 'running'].includes(j.state)) break;
  }
  assert.equal(j.state, 'succeeded', JSON.stringify(j.diagnostics));
  await page.goto(`${server.url}/jobs/${job.id}?tab=report`);
  await page.waitForSelector('#assist');
  assert.match(await page.textContent('#assist h3'), /Model-assisted/);
  assert.match(await page.textContent('#assist'), /mock-coder/);
  assert.match(await page.textContent('#assist .assist-original'), /except\* ArithmeticError/);
  assert.match(await page.textContent('#assist .assist-rewrite'), /return -y, x/);
  const outcomes = await page.$$eval('#assist .assist-attempts li', (ls) => ls.map((l) => l.dataset.outcome));
  assert.deepEqual(outcomes, ['rejected', 'used']);
  await page.waitForSelector('#report-summary');
  assert.match(await page.textContent('#report-summary'), /Equivalent/);
  await screenshots(page, 'job-assist');
});
