// similar.test.mjs - the job page's Similar tab (web/similar.js) and the
// translation memory behind it, in headless Chromium against a real
// portalisd.
//
// Covers:
//   - two jobs whose gcd functions differ only in names and docstring: the
//     second job's gcd says "identical to a verified function", and its
//     matches list the first job's gcd
//   - a function with no close relative still lists the nearest ones with
//     a score, best first
//   - clicking a match shows this function and the match side by side,
//     Python and Rust each, with the match's job linked
//   - a job that has not succeeded explains that functions join later
//   - deleting the first job takes its functions out of the memory
//   - POST /api/v1/similar (text and JSON bodies, a body without a def,
//     422 for a syntax error, 400 for k), /readyz and /metrics by device
//   - no request leaves the server; no page errors; screenshots

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, launchBrowser, loadPlaywright, screenshots, startServer, submitScript } from './lib.mjs';

const FIRST = `def gcd(a, b):
    """Euclid."""
    while b:
        a, b = b, a % b
    return a

def tri(n):
    t = 0
    for i in range(n):
        t += i
    return t

print(gcd(84, 36), tri(10))
`;
const SECOND = `def common_divisor(x, y):
    while y:
        x, y = y, x % y
    return x

def shout(s):
    return s.upper() + "!"

print(common_divisor(12, 18), shout("hi"))
`;

let server, browser, page, first, second;

async function waitDone(id) {
  for (let i = 0; i < 600; i++) {
    const r = await api(server, `/api/v1/jobs/${id}?wait=30`);
    if (!['queued', 'running'].includes(r.data.state)) return r.data;
  }
  throw new Error('job did not finish');
}

before(async () => {
  const pw = await loadPlaywright();
  assert.ok(pw, 'playwright-core is installed (npm install)');
  server = await startServer(['--gpu', 'auto']);
  browser = await launchBrowser(pw);
  page = browser.page;
  first = await waitDone((await submitScript(server, FIRST)).id);
  second = await waitDone((await submitScript(server, SECOND)).id);
  assert.equal(first.state, 'succeeded', JSON.stringify(first));
  assert.equal(second.state, 'succeeded', JSON.stringify(second));
});

after(async () => {
  if (browser) {
    assert.deepEqual(browser.external, [], 'no request leaves the server');
    assert.deepEqual(browser.problems, [], 'no uncaught page errors');
    await browser.close();
  }
  if (server) await server.stop();
});

test('a renamed copy of a verified function is marked identical', { timeout: 60000 }, async () => {
  await page.goto(`${server.url}/jobs/${second.id}?tab=similar`);
  const fn = page.locator('.tm-func[data-name="common_divisor"]');
  await fn.waitFor();
  await fn.locator('.tm-identical').waitFor();
  assert.match(await fn.locator('.tm-identical').textContent(), /identical to a verified function/);
  const first_match = fn.locator('.tm-match').first();
  assert.match(await first_match.textContent(), /gcd/);
  assert.match(await first_match.textContent(), /=/);
  // shout has no relative: it lists the nearest ones with a percentage, and no identical badge.
  const shout = page.locator('.tm-func[data-name="shout"]');
  assert.equal(await shout.locator('.tm-identical').count(), 0);
  const scores = await shout.locator('.tm-score').allTextContents();
  assert.ok(scores.length > 0, 'shout lists the nearest functions');
  const nums = scores.map((s) => parseInt(s, 10));
  for (let i = 1; i < nums.length; i++) assert.ok(nums[i] <= nums[i - 1], `best first: ${scores}`);
  assert.match(await page.locator('#tm-summary').textContent(), /compared with \d+ verified functions? on cpu/);
});

test('a match opens side by side with Python and Rust', { timeout: 60000 }, async () => {
  await page.goto(`${server.url}/jobs/${second.id}?tab=similar`);
  const fn = page.locator('.tm-func[data-name="common_divisor"]');
  await fn.locator('.tm-match').first().click();
  const cmp = page.locator('#tm-compare');
  await cmp.waitFor();
  const sides = cmp.locator('.tm-side');
  assert.equal(await sides.count(), 2);
  assert.match(await sides.nth(0).locator('.lang-python').textContent(), /def common_divisor/);
  assert.match(await sides.nth(1).locator('.lang-python').textContent(), /def gcd/);
  assert.match(await sides.nth(1).locator('.lang-rust').textContent(), /fn gcd/);
  assert.equal(await sides.nth(1).locator(`a[href="/jobs/${first.id}"]`).count(), 1);
  await screenshots(page, 'similar');
});

test('the REST answer agrees, and deleting a job takes its functions out', { timeout: 60000 }, async () => {
  let r = await api(server, `/api/v1/jobs/${second.id}/similar?k=3`);
  assert.equal(r.status, 200);
  const cd = r.data.functions.find((f) => f.name === 'common_divisor');
  assert.equal(cd.identical.length, 1);
  assert.equal(cd.identical[0].job_id, first.id);
  assert.equal(r.data.device, 'cpu');
  r = await api(server, `/api/v1/jobs/${first.id}`, { method: 'DELETE' });
  assert.equal(r.status, 204);
  r = await api(server, `/api/v1/jobs/${second.id}/similar?k=3`);
  const after = r.data.functions.find((f) => f.name === 'common_divisor');
  assert.equal(after.identical.length, 0);
  assert.ok(after.similar.every((m) => m.job_id !== first.id), 'no match from the deleted job');
  await page.goto(`${server.url}/jobs/${second.id}?tab=similar`);
  await page.locator('.tm-func[data-name="common_divisor"]').waitFor();
  assert.equal(await page.locator('.tm-func[data-name="common_divisor"] .tm-identical').count(), 0);
});

test('POST /similar, /readyz and /metrics', { timeout: 60000 }, async () => {
  const body = 'def g(p, q):\n    """other doc"""\n    while q:\n        p, q = q, p % q\n    return p\n';
  let r = await api(server, '/api/v1/similar?k=2', { method: 'POST', body, headers: { 'Content-Type': 'text/x-python' } });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.functions.length, 1);
  const g = r.data.functions[0];
  assert.equal(g.name, 'g');
  assert.ok(g.identical.some((m) => m.name === 'common_divisor' && m.job_id === second.id), JSON.stringify(g.identical));
  assert.ok(g.similar.length >= 1 && g.similar.length <= 2);
  assert.equal(g.similar[0].name, 'common_divisor');
  assert.equal(g.similar[0].identical, true);
  assert.match(g.similar[0].rust, /fn common_divisor/);
  // JSON body; a pasted body without a def is one function.
  r = await api(server, '/api/v1/similar', { method: 'POST', body: JSON.stringify({ python: 'x = 1\nprint(x)\n' }),
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 200);
  assert.equal(r.data.functions[0].name, '<module>');
  r = await api(server, '/api/v1/similar', { method: 'POST', body: 'def f(:\n', headers: { 'Content-Type': 'text/x-python' } });
  assert.equal(r.status, 422);
  assert.equal(r.data.code, 'syntax_error');
  assert.equal(r.data.errors[0].line, 1);
  r = await api(server, '/api/v1/similar?k=99', { method: 'POST', body, headers: { 'Content-Type': 'text/x-python' } });
  assert.equal(r.status, 400);
  r = await api(server, '/readyz');
  const tm = r.data.translation_memory;
  assert.equal(tm.device, 'cpu');
  assert.ok(tm.served.cpu.queries >= 4, JSON.stringify(tm));
  assert.equal(tm.served.gpu.queries, 0);
  r = await api(server, '/metrics');
  const text = r.data.toString();
  assert.match(text, /portalis_tm_queries_total\{device="cpu"\} [1-9]/);
  assert.match(text, /portalis_tm_query_seconds_count\{device="cpu"\} [1-9]/);
  assert.match(text, /portalis_tm_device_info\{device="cpu",name="cpu"\} 1/);
});

test('a job that did not succeed explains when functions join', { timeout: 60000 }, async () => {
  const bad = await waitDone((await submitScript(server, 'def f(:\n')).id);
  assert.notEqual(bad.state, 'succeeded');
  await page.goto(`${server.url}/jobs/${bad.id}?tab=similar`);
  await page.locator('#panel-similar').getByText('This job has no verified functions yet.').waitFor();
});
