// auth.test.mjs - the token flow against `portalisd --require-auth`.
//
// Covers: the page asks for a token when the API answers 401; a bad token
// gets a clear message (the server's detail) and the page asks again; a
// good token is kept in localStorage, sent as a Bearer header, and the
// jobs list loads; an upload made with it belongs to that token; the job
// page (event stream and artifacts included) works with the header;
// "Forget token" removes it. Screenshot of the token dialog.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createToken, launchBrowser, loadPlaywright, screenshots, startServer } from './lib.mjs';

let server, browser, page, token;

before(async () => {
  const pw = await loadPlaywright();
  assert.ok(pw, 'playwright-core is installed (npm install)');
  server = await startServer(['--require-auth'], {
    beforeStart: ({ exe, dataDir }) => { token = createToken(exe, dataDir, 'browser-test'); },
  });
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

test('the server really requires a token', async () => {
  const r = await api(server, '/api/v1/jobs');
  assert.equal(r.status, 401);
});

test('the page asks for a token, refuses a bad one clearly, keeps a good one', { timeout: 60000 }, async () => {
  await page.goto(`${server.url}/jobs`);
  await page.waitForSelector('#token-dialog[open]');
  assert.match(await page.textContent('#token-message'), /requires an access token/);
  await screenshots(page, 'token');
  await page.fill('#token-input', 'ptl_0000000000000000000000000000000000000000deadbeef');
  await page.click('#token-save');
  // Refused: the dialog comes back with the server's reason.
  await page.waitForFunction(() => /refused/.test(document.getElementById('token-message').textContent)
    && document.getElementById('token-dialog').open);
  assert.match(await page.textContent('#token-message'), /unknown or revoked token/);
  await screenshots(page, 'token-refused');
  await page.fill('#token-input', token);
  await page.click('#token-save');
  await page.waitForSelector('#token-dialog', { state: 'hidden' });
  await page.waitForSelector('#jobs-body tr, .empty:not([hidden])');
  assert.equal(await page.evaluate(() => localStorage.getItem('portalis.token')), token);
  assert.match(await page.textContent('#auth'), /Token set/);
});

test('an upload with the token belongs to it, and its job page works', { timeout: 60000 }, async () => {
  await page.goto(`${server.url}/`);
  await page.click('.script-box summary');
  await page.fill('#script', 'print("token ok")\nprint(6 * 7)\n');
  await page.click('#submit');
  await page.waitForURL(/\/jobs\/[0-9a-f]{32}/);
  const id = /\/jobs\/([0-9a-f]{32})/.exec(page.url())[1];
  const mine = await api(server, `/api/v1/jobs/${id}`, { token });
  assert.equal(mine.status, 200);
  // The event stream works with the header: the log fills in.
  await page.click('[data-tab="log"]');
  await page.waitForFunction(() => document.querySelectorAll('#log .log-line').length > 0, null, { timeout: 30000 });
  assert.equal(await page.$('#token-dialog[open]'), null, 'no second prompt');
});

test('Forget token removes it and the page asks again', async () => {
  await page.click('#auth button');
  assert.equal(await page.evaluate(() => localStorage.getItem('portalis.token')), null);
  await page.waitForSelector('#token-dialog[open]');
  await page.click('#token-cancel');
  await page.waitForSelector('#token-dialog', { state: 'hidden' });
});
