// api.js - the dashboard's only door to the server: the public REST API.
//
// Every call goes through request(), which adds the Bearer token kept in
// localStorage, turns application/problem+json answers into ApiError (with
// the server's `detail` and `errors[]`), and tells the app when the server
// wants a token (401), so it can ask for one and retry.
//
// Job events use the SSE endpoint, but read with fetch() and a stream
// reader instead of EventSource: EventSource cannot send an Authorization
// header, and servers started with --require-auth need one. The reader
// parses the text/event-stream format itself, remembers the last event id
// and reconnects with Last-Event-ID, as EventSource would. Only when the
// stream cannot be opened at all does it fall back to long-polling the job
// (GET ?wait=30 with If-None-Match), so there is no polling loop while SSE
// works.

const TOKEN_KEY = 'portalis.token';

export class ApiError extends Error {
  constructor(status, problem, fallback) {
    const detail = (problem && (problem.detail || problem.title)) || fallback || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem || null;
    this.code = problem && problem.code;
    this.errors = (problem && Array.isArray(problem.errors) && problem.errors) || [];
  }
}

let authListener = null;

export const auth = {
  get token() {
    try { return localStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
  },
  set token(v) {
    try {
      if (v) localStorage.setItem(TOKEN_KEY, v);
      else localStorage.removeItem(TOKEN_KEY);
    } catch { /* storage disabled: the token lives for this page only */ }
  },
  // fn(error) is called on every 401; it returns a promise that resolves
  // true when a new token was entered (the request is then retried).
  onUnauthorized(fn) { authListener = fn; },
};

function headers(extra) {
  const hd = new Headers(extra || {});
  const t = auth.token;
  if (t && !hd.has('Authorization')) hd.set('Authorization', `Bearer ${t}`);
  return hd;
}

async function problemOf(res) {
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) {
    try { return await res.json(); } catch { return null; }
  }
  try {
    const t = await res.text();
    return t ? { detail: t.slice(0, 500) } : null;
  } catch { return null; }
}

// request(path, {method, body, headers, signal, raw}) -> parsed JSON, or the
// Response itself when raw is true. Throws ApiError.
export async function request(path, opts = {}, retried = 0) {
  let res;
  const used = auth.token;
  try {
    res = await fetch(path, {
      method: opts.method || 'GET', body: opts.body, signal: opts.signal,
      headers: headers(opts.headers), cache: 'no-store',
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, null, `cannot reach the server (${err.message})`);
  }
  if (res.status === 401 && authListener && retried < 5) {
    // Ask for a token (again, if the one just entered was refused) and retry.
    const problem = await problemOf(res);
    // A new token was entered while this request was on its way: use it.
    if (auth.token && auth.token !== used) return request(path, opts, retried + 1);
    const again = await authListener(new ApiError(401, problem));
    if (again) return request(path, opts, retried + 1);
    throw new ApiError(401, problem);
  }
  if (!res.ok && res.status !== 304) throw new ApiError(res.status, await problemOf(res));
  if (opts.raw) return res;
  if (res.status === 204 || res.status === 304) return null;
  return res.json();
}

export const api = {
  listJobs({ limit = 20, cursor, state } = {}, signal) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', String(cursor));
    if (state) q.set('state', state);
    return request(`/api/v1/jobs?${q}`, { signal });
  },
  getJob(id, signal) { return request(`/api/v1/jobs/${encodeURIComponent(id)}`, { signal }); },
  createJob(form) { return request('/api/v1/jobs', { method: 'POST', body: form }); },
  cancelJob(id) { return request(`/api/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }); },
  deleteJob(id) { return request(`/api/v1/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }); },
  // The uploaded files: {path: text} (binary files are left out).
  async files(id, signal) {
    const body = await request(`/api/v1/jobs/${encodeURIComponent(id)}/files`, { signal });
    const out = {};
    for (const f of body.files || []) if (typeof f.content === 'string') out[f.path] = f.content;
    return out;
  },
  async artifact(id, name, signal) {
    const res = await request(`/api/v1/jobs/${encodeURIComponent(id)}/artifacts/${encodeURIComponent(name)}`,
      { raw: true, signal });
    return res.arrayBuffer();
  },
  // The translation memory: per function of a job, identical and similar
  // verified functions.
  similar(id, k = 5, signal) { return request(`/api/v1/jobs/${encodeURIComponent(id)}/similar?k=${k}`, { signal }); },
  // The server's readiness document; it may carry limits (max_upload).
  async ready() {
    try {
      const res = await fetch('/readyz', { cache: 'no-store' });
      return await res.json();
    } catch { return null; }
  },
};

// ---------------------------------------------------------------- events

// Parses a text/event-stream body incrementally; calls emit({id, event, data}).
function sseParser(emit) {
  let buf = '', ev = { id: null, event: 'message', data: [] };
  return (chunk, flush) => {
    buf += chunk;
    let i;
    while ((i = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + (buf[i] === '\r' && buf[i + 1] === '\n' ? 2 : 1));
      if (line === '') {
        if (ev.data.length) emit({ id: ev.id, event: ev.event, data: ev.data.join('\n') });
        ev = { id: null, event: 'message', data: [] };
        continue;
      }
      if (line[0] === ':') continue;
      const c = line.indexOf(':');
      const field = c < 0 ? line : line.slice(0, c);
      let value = c < 0 ? '' : line.slice(c + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'data') ev.data.push(value);
      else if (field === 'event') ev.event = value;
      else if (field === 'id') ev.id = value;
    }
    if (flush && ev.data.length) emit({ id: ev.id, event: ev.event, data: ev.data.join('\n') });
  };
}

// Follows a job's events. handlers: {state, stage, log, diagnostic, end,
// error, mode} each called with the parsed data. Returns {close()}.
// Events replay from the start (after=0), so a finished job's log comes too.
export function followJob(id, handlers, after = 0) {
  const ctl = new AbortController();
  let last = after, closed = false, failures = 0, ended = false;
  const call = (name, arg) => { if (!closed && handlers[name]) handlers[name](arg); };

  async function stream() {
    const hd = headers({ Accept: 'text/event-stream' });
    if (last) hd.set('Last-Event-ID', String(last));
    const res = await fetch(`/api/v1/jobs/${encodeURIComponent(id)}/events`,
      { headers: hd, signal: ctl.signal, cache: 'no-store' });
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    if (!res.body || !(res.headers.get('Content-Type') || '').startsWith('text/event-stream'))
      throw new ApiError(res.status, null, 'the server did not answer with an event stream');
    call('mode', 'sse');
    failures = 0;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const parse = sseParser((e) => {
      if (e.id) last = Number(e.id) || last;
      let data = null;
      try { data = JSON.parse(e.data); } catch { data = e.data; }
      if (e.event === 'end') ended = true;
      call(e.event, data);
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { parse('', true); break; }
      parse(value, false);
      if (ended) { ctl.abort(); break; }
    }
  }

  // Fallback: long-poll the job object; synthesises state events.
  async function poll() {
    call('mode', 'poll');
    let etag = null;
    while (!closed) {
      const hd = headers(etag ? { 'If-None-Match': etag } : {});
      const res = await fetch(`/api/v1/jobs/${encodeURIComponent(id)}?wait=30`,
        { headers: hd, signal: ctl.signal, cache: 'no-store' });
      if (res.status === 304) continue;
      if (!res.ok) throw new ApiError(res.status, await problemOf(res));
      etag = res.headers.get('ETag');
      const job = await res.json();
      call('job', job);
      if (['succeeded', 'failed', 'canceled', 'timed_out', 'error'].includes(job.state)) {
        call('end', { state: job.state });
        return;
      }
    }
  }

  (async () => {
    let useSse = typeof ReadableStream !== 'undefined' && typeof TextDecoderStream !== 'undefined';
    while (!closed && !ended) {
      try {
        if (useSse) await stream();
        else await poll();
        if (!ended && !closed) await new Promise((r) => setTimeout(r, 1000)); // server closed: reconnect
      } catch (err) {
        if (closed || err.name === 'AbortError') return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 401 || err.status === 403)) {
          call('error', err);
          return;
        }
        failures++;
        if (useSse && failures >= 3) { useSse = false; failures = 0; }
        if (failures >= 6) { call('error', err); return; }
        await new Promise((r) => setTimeout(r, 1000 * failures));
      }
    }
  })();

  return {
    close() { closed = true; ctl.abort(); },
  };
}
