// cancel.test.mjs - cancel and delete through the page, and live updates
// of the jobs list, against `portalisd --test-hooks` (the job option
// debug_sleep_ms keeps a job running).
//
// Covers: the jobs list follows unfinished jobs through their event streams
// (a job canceled elsewhere turns "canceled" without a reload); the job
// page's Cancel button cancels a running job and the page shows it; Delete
// (with its confirmation) removes the job and returns to the list; the
// list pages through next_cursor with "Load more".

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, launchBrowser, loadPlaywright, screenshots, startServer, submitScript } from './lib.mjs';

let server, browser, page;

before(async () => {
  const pw = await loadPlaywright();
  assert.ok(pw, 'playwright-core is installed (npm install)');
  server = await startServer(['--test-hooks', '--max-upload', '8192']);
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

const SLEEPY = { debug_sleep_ms: 20000 };

test('the jobs list updates live when a job changes', { timeout: 60000 }, async () => {
  const job = await submitScript(server, 'print("slow")\n', SLEEPY);
  await page.goto(`${server.url}/jobs`);
  const badge = `#jobs-body tr[data-id="${job.id}"] .badge`;
  await page.waitForSelector(`${badge}[data-state="running"]`, { timeout: 20000 });
  await page.waitForSelector('#live-status:has-text("live")');
  await screenshots(page, 'jobs-live');
  const r = await api(server, `/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
  assert.equal(r.status, 202);
  await page.waitForSelector(`${badge}[data-state="canceled"]`, { timeout: 20000 });
});

test('Cancel on the job page cancels a running job', { timeout: 60000 }, async () => {
  const job = await submitScript(server, 'print("slow")\n', SLEEPY);
  await page.goto(`${server.url}/jobs/${job.id}`);
  await page.waitForSelector('#job-state .badge[data-state="running"]', { timeout: 20000 });
  assert.equal(await page.isEnabled('#cancel'), true);
  assert.equal(await page.isEnabled('#delete'), false, 'a running job cannot be deleted');
  await screenshots(page, 'job-running');
  await page.click('#cancel');
  await page.waitForSelector('#job-state .badge[data-state="canceled"]', { timeout: 20000 });
  const after = (await api(server, `/api/v1/jobs/${job.id}`)).data;
  assert.equal(after.state, 'canceled');
  await page.waitForSelector('#delete:not([disabled])');
  // Delete, confirmed in the page's dialog.
  await page.click('#delete');
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  await page.waitForURL(/\/jobs$/);
  assert.equal((await api(server, `/api/v1/jobs/${job.id}`)).status, 404);
});

test('an unknown job says so', async () => {
  await page.goto(`${server.url}/jobs/${'0'.repeat(32)}`);
  await page.waitForSelector('#job-error');
  assert.match(await page.textContent('#job-error'), /No such job/);
});

test('the jobs list pages with "Load more"', { timeout: 60000 }, async () => {
  for (let i = 0; i < 22; i++) await submitScript(server, `if True\n    print(${i})\n`);
  const total = (await api(server, '/api/v1/jobs?limit=200')).data.jobs.length;
  assert.ok(total > 20);
  await page.goto(`${server.url}/jobs`);
  await page.waitForSelector('#jobs-body tr');
  assert.equal(await page.$$eval('#jobs-body tr', (els) => els.length), 20);
  await page.click('#load-more');
  await page.waitForFunction((n) => document.querySelectorAll('#jobs-body tr').length === n, total);
  assert.equal(await page.isVisible('#load-more'), total > 40);
});

test('an upload over the size limit is refused clearly', { timeout: 30000 }, async () => {
  await page.goto(`${server.url}/`);
  const big = `# ${'x'.repeat(100)}\n`.repeat(200) + 'print("big")\n';
  await page.setInputFiles('#file-input', { name: 'big.py', mimeType: 'text/x-python', buffer: Buffer.from(big) });
  await page.waitForSelector('#file-list li');
  // Either the page knows the limit (from /readyz) and refuses before
  // sending, or the server answers 413 and the page shows its detail.
  if (await page.isEnabled('#submit')) await page.click('#submit');
  await page.waitForSelector('#upload-message:not([hidden])');
  assert.match(await page.textContent('#upload-message'), /too large|at most/i);
  assert.equal(new URL(page.url()).pathname, '/');
  await screenshots(page, 'upload-too-large');
});
