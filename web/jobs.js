// jobs.js - the jobs list: newest first, filter by state, "Load more"
// pages through next_cursor, and live updates.
//
// Live updates come from the per-job SSE streams of the jobs on screen that
// are still queued or running (there is no list-wide stream in the API). A
// browser allows only a few connections per server over HTTP/1.1, so at
// most MAX_STREAMS jobs are followed at once, oldest first (they start
// first); when one of them ends the first page is reloaded once, which also
// brings in jobs submitted elsewhere and follows the next unfinished ones.

import { api, followJob } from './api.js';
import { h, clear, badge, fmtMs, fmtTime, shortId, JOB_STATES, stateLabel, TERMINAL } from './util.js';
import { navigate, showError } from './ui.js';

const MAX_STREAMS = 4;

export function jobsView(root, params) {
  const filter = params.get('state') || '';
  let alive = true, cursor = null, jobs = [];
  const streams = new Map();
  let reloadTimer = null;

  const sel = h('select', { id: 'state-filter', 'aria-label': 'Filter by state' },
    h('option', { value: '' }, 'All states'),
    JOB_STATES.map((s) => h('option', { value: s, selected: s === filter }, stateLabel(s))));
  sel.addEventListener('change', () => navigate(sel.value ? `/jobs?state=${sel.value}` : '/jobs'));
  const body = h('tbody', { id: 'jobs-body' });
  const table = h('table', { class: 'jobs', id: 'jobs-table', hidden: true },
    h('thead', null, h('tr', null, ['Job', 'Entry', 'State', 'Stage', 'Created', 'Duration'].map((t) => h('th', { scope: 'col' }, t)))),
    body);
  const more = h('button', { type: 'button', class: 'btn', id: 'load-more', hidden: true, onclick: () => load(false) }, 'Load more');
  const empty = h('p', { class: 'muted empty', hidden: true }, filter ? `No ${stateLabel(filter)} jobs.` : 'No jobs yet. ', filter ? null : h('a', { href: '/' }, 'Upload a program'));
  const live = h('span', { class: 'muted small', id: 'live-status' });
  root.append(h('section', { class: 'card' },
    h('div', { class: 'list-head' }, h('h1', null, 'Jobs'),
      h('div', { class: 'list-tools' }, live, sel,
        h('button', { type: 'button', class: 'btn', onclick: () => load(true) }, 'Refresh'),
        h('a', { class: 'btn primary', href: '/' }, 'New job'))),
    h('div', { class: 'table-wrap' }, table), empty, more));

  function row(j) {
    const tr = h('tr', { dataset: { id: j.id }, class: 'job-row' },
      h('td', { 'data-label': 'Job' }, h('a', { href: `/jobs/${j.id}`, class: 'mono' }, shortId(j.id))),
      h('td', { 'data-label': 'Entry', class: 'mono' }, j.entry || ''),
      h('td', { 'data-label': 'State', class: 'cell-state' }, h('span', null, badge(j.state),
        j.reason && j.state !== 'succeeded' ? h('span', { class: 'reason muted small' }, ` ${j.reason.replace(/_/g, ' ')}`) : null)),
      h('td', { 'data-label': 'Stage', class: 'cell-stage' }, j.stage || '—'),
      h('td', { 'data-label': 'Created' }, h('time', { datetime: j.created_at, title: j.created_at }, fmtTime(j.created_at))),
      h('td', { 'data-label': 'Duration', class: 'cell-duration' }, j.duration_ms != null ? fmtMs(j.duration_ms) : '—'));
    return tr;
  }

  function render() {
    clear(body);
    body.append(...jobs.map(row));
    empty.hidden = jobs.length > 0;
    table.hidden = jobs.length === 0;
    more.hidden = !cursor;
  }

  function update(id, fn) {
    const j = jobs.find((x) => x.id === id);
    if (!j) return;
    fn(j);
    const tr = body.querySelector(`tr[data-id="${id}"]`);
    if (tr) tr.replaceWith(row(j));
  }

  function follow() {
    const active = jobs.filter((j) => !TERMINAL.has(j.state)).reverse();
    for (const [id, s] of streams) if (!active.some((j) => j.id === id)) { s.close(); streams.delete(id); }
    for (const j of active) {
      if (streams.size >= MAX_STREAMS) break;
      if (streams.has(j.id)) continue;
      streams.set(j.id, followJob(j.id, {
        state: (d) => update(j.id, (x) => { x.state = d.state; if (d.state === 'running' && !x.started_at) x.started_at = new Date().toISOString(); }),
        stage: (d) => update(j.id, (x) => { if (d.state === 'running') x.stage = d.stage; }),
        end: () => { streams.delete(j.id); scheduleReload(); },
        error: () => { streams.delete(j.id); },
      }, 0));
    }
    live.textContent = streams.size ? `● live (${streams.size} job${streams.size > 1 ? 's' : ''} followed)` : '';
  }

  function scheduleReload() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => { if (alive) load(true); }, 300);
  }

  async function load(first) {
    try {
      const page = await api.listJobs({ limit: 20, cursor: first ? undefined : cursor, state: filter || undefined });
      if (!alive) return;
      if (first) {
        // Keep extra pages already loaded: replace only the first page.
        const ids = new Set(page.jobs.map((j) => j.id));
        const rest = jobs.slice(20).filter((j) => !ids.has(j.id));
        jobs = page.jobs.concat(rest);
        if (!rest.length) cursor = page.next_cursor;
      } else {
        const ids = new Set(jobs.map((j) => j.id));
        jobs = jobs.concat(page.jobs.filter((j) => !ids.has(j.id)));
        cursor = page.next_cursor;
      }
      render();
      follow();
    } catch (err) {
      if (alive) showError(err, 'Cannot list jobs');
    }
  }

  // Durations of running jobs tick on screen without asking the server.
  const ticker = setInterval(() => {
    for (const j of jobs) {
      if (j.state !== 'running' || !j.started_at) continue;
      const td = body.querySelector(`tr[data-id="${j.id}"] .cell-duration`);
      if (td) td.textContent = fmtMs(Date.now() - new Date(j.started_at).getTime());
    }
  }, 1000);

  load(true);
  return () => {
    alive = false;
    clearInterval(ticker);
    clearTimeout(reloadTimer);
    for (const s of streams.values()) s.close();
  };
}
