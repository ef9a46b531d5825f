// lib.mjs - shared set-up of the browser tests: a real portalisd on a free
// loopback port with a temporary data directory, Debian's Chromium driven by
// playwright-core (headless, a fresh profile, background networking off, as
// DESIGN.md says), small REST helpers, and screenshots into
// tests/screenshots/ (git-ignored) at laptop and phone widths in light and
// dark colour schemes.
//
// Environment: top_srcdir and top_builddir (set by `make check`; default:
// this file's tree), PORTALIS_CHROMIUM (default /usr/bin/chromium),
// PORTALIS_BROWSER_DEBUG=1 to print the page's console.

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const srcdir = path.resolve(process.env.top_srcdir || path.join(here, '..', '..'));
export const builddir = path.resolve(process.env.top_builddir || srcdir);
export const chromiumPath = process.env.PORTALIS_CHROMIUM || '/usr/bin/chromium';
export const corpusDir = process.env.PORTALIS_CORPUS || path.join(srcdir, '..', 'shared', 'corpus');
export const shotsDir = path.join(builddir, 'tests', 'screenshots');

export async function loadPlaywright() {
  const candidates = [path.join(srcdir, 'node_modules', 'playwright-core', 'index.mjs'),
    path.join(builddir, 'node_modules', 'playwright-core', 'index.mjs')];
  for (const c of candidates) if (fs.existsSync(c)) return import(c);
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// The web folder to serve: the source's web/, with the build's web/vendor/
// beside it when the build is outside the source tree (VPATH builds).
function webDir(dataDir) {
  const src = path.join(srcdir, 'web');
  const vendor = path.join(builddir, 'web', 'vendor');
  if (builddir === srcdir || !fs.existsSync(vendor)) return src;
  const dir = path.join(dataDir, 'web');
  fs.mkdirSync(dir);
  for (const f of fs.readdirSync(src)) if (f !== 'vendor') fs.symlinkSync(path.join(src, f), path.join(dir, f));
  fs.symlinkSync(vendor, path.join(dir, 'vendor'));
  return dir;
}

// Starts portalisd; resolves {url, dataDir, stop(), token(name)}.
export async function startServer(extraArgs = [], { beforeStart } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portalis-browser-'));
  const exe = path.join(builddir, 'portalisd');
  if (beforeStart) await beforeStart({ exe, dataDir });
  const port = await freePort();
  const logPath = path.join(dataDir, 'server.log');
  const log = fs.openSync(logPath, 'w');
  const proc = spawn(exe, ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-dir', webDir(dataDir), ...extraArgs],
    { stdio: ['ignore', log, log] });
  const url = `http://127.0.0.1:${port}`;
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 100; i++) {
    if (exited !== null) throw new Error(`portalisd exited (${exited}): ${fs.readFileSync(logPath, 'utf8')}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, dataDir, logPath,
    async stop() {
      if (exited === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => { const t = setTimeout(() => { proc.kill('SIGKILL'); r(); }, 8000); proc.on('exit', () => { clearTimeout(t); r(); }); });
      }
      fs.closeSync(log);
      if (!process.env.PORTALIS_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// `portalisd --data-dir DIR token create --name NAME` -> the token.
export function createToken(exe, dataDir, name) {
  const out = execFileSync(exe, ['--data-dir', dataDir, 'token', 'create', '--name', name], { encoding: 'utf8' });
  const m = /ptl_[0-9a-f]+/.exec(out);
  if (!m) throw new Error(`no token in: ${out}`);
  return m[0];
}

export async function launchBrowser(pw) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'portalis-chromium-'));
  const ctx = await pw.chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, acceptDownloads: true, viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (process.env.PORTALIS_BROWSER_DEBUG) console.error(`[page ${m.type()}] ${m.text()}`);
    // The server's Content-Security-Policy must never have to block anything.
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  // No request may leave the server the page came from.
  const external = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!/^(http:\/\/127\.0\.0\.1:\d+\/|blob:|data:)/.test(u)) external.push(u);
  });
  return {
    ctx, page, problems, external,
    async close() {
      await ctx.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function api(server, p, { token, method = 'GET', body, headers = {} } = {}) {
  const hd = { ...headers };
  if (token) hd.Authorization = `Bearer ${token}`;
  const r = await fetch(server.url + p, { method, body, headers: hd });
  const ct = r.headers.get('Content-Type') || '';
  const data = ct.includes('json') ? await r.json() : Buffer.from(await r.arrayBuffer());
  return { status: r.status, data };
}

export async function submitScript(server, code, options = {}, token) {
  const q = new URLSearchParams({ options: JSON.stringify(options) });
  const r = await api(server, `/api/v1/jobs?${q}`, { method: 'POST', body: code, headers: { 'Content-Type': 'text/x-python' }, token });
  if (r.status !== 202 && r.status !== 200) throw new Error(`submit: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

export function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

// Screenshots of the current screen at laptop and phone widths, light and
// dark: tests/screenshots/<name>-<laptop|phone>-<light|dark>.png.
export async function screenshots(page, name, { settle } = {}) {
  fs.mkdirSync(shotsDir, { recursive: true });
  const size = page.viewportSize();
  for (const [label, vp] of [['laptop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    await page.setViewportSize(vp);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      if (settle) await settle();
      if (label === 'phone') await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(shotsDir, `${name}-${label}-${scheme}.png`), fullPage: label === 'phone' });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(size);
}

export function skip(reason) {
  console.log(`SKIP: ${reason}`);
  process.exit(77);
}
