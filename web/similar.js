// similar.js - the job page's "Similar" tab: for each function of a
// succeeded job, whether a verified function with the same normalised AST
// exists ("identical to a verified function") and the verified functions
// most like it (GET /api/v1/jobs/{id}/similar), with a side-by-side view of
// this function and the chosen match, Python above Rust.
//
// Matches come from every job the service verified (the translation
// memory), so a match links to its own job page.

import { api } from './api.js';
import { renderCode } from './code.js';
import { h, clear, shortId } from './util.js';

function pct(score) { return `${Math.round(Math.min(1, score) * 100)}%`; }

function kindBadge(t) {
  return h('span', { class: `badge tm-${t}`, title: t === 'static' ? 'an unboxed twin was generated' : 'dynamic values only' }, t);
}

async function codePair(title, f) {
  const box = h('div', { class: 'tm-side' },
    h('h4', null, title, ' ', h('span', { class: 'mono' }, f.name), ' ',
      f.job_id ? h('a', { href: `/jobs/${f.job_id}`, class: 'mono small' }, `job ${shortId(f.job_id)}`) : null,
      f.line ? h('span', { class: 'muted small' }, ` ${f.file || ''}:${f.line}`) : null),
    f.signature ? h('p', { class: 'mono small tm-sig' }, f.signature) : null);
  box.append((await renderCode(f.python || '', 'python', { label: `Python of ${f.name}` })).el);
  if (f.rust) box.append((await renderCode(f.rust, 'rust', { label: `Rust of ${f.name}` })).el);
  return box;
}

// Fills panel p for job id. Returns a promise.
export async function fillSimilar(p, id) {
  clear(p);
  p.append(h('p', { class: 'muted pad' }, 'Searching the translation memory…'));
  const res = await api.similar(id, 5);
  clear(p);
  const funcs = res.functions || [];
  p.append(h('p', { class: 'muted small pad', id: 'tm-summary' },
    `${funcs.length} function${funcs.length === 1 ? '' : 's'} compared with ${res.memory_size} verified function${res.memory_size === 1 ? '' : 's'} on ${res.device} in ${res.elapsed_ms} ms.`));
  if (!funcs.length) {
    p.append(h('p', { class: 'muted pad' }, res.state === 'succeeded'
      ? 'This job has no functions.'
      : 'Functions join the translation memory when their job succeeds.'));
    return;
  }
  const view = h('div', { class: 'tm-compare', id: 'tm-compare', hidden: true });
  const list = h('ul', { class: 'tm-list', id: 'tm-list' });
  async function compare(f, m, btn) {
    for (const b of list.querySelectorAll('.tm-match.selected')) b.classList.remove('selected');
    if (btn) btn.classList.add('selected');
    // Built first, shown once complete: a test (or a reader) never sees half a pair.
    const pair = h('div', { class: 'tm-pair' }, await codePair('This job:', f), await codePair('Verified:', m));
    clear(view);
    view.append(pair);
    view.hidden = false;
    view.scrollIntoView({ block: 'nearest' });
  }
  for (const f of funcs) {
    const ident = f.identical || [];
    const sim = f.similar || [];
    const li = h('li', { class: 'tm-func', dataset: { name: f.name } },
      h('div', { class: 'tm-head' },
        h('span', { class: 'mono tm-name' }, f.name), ' ', kindBadge(f.translation),
        h('span', { class: 'muted small' }, ` ${f.file}:${f.line}`),
        ident.length ? h('span', { class: 'badge ok tm-identical', title: `same normalised AST as ${ident.map((x) => x.name).join(', ')}` },
          'identical to a verified function') : null),
      f.signature ? h('div', { class: 'mono small muted' }, f.signature) : null);
    const matches = [...ident.map((m) => ({ ...m, score: 1, identical: true })), ...sim.filter((m) => !ident.some((x) => x.id === m.id))];
    if (matches.length) {
      const ul = h('ul', { class: 'tm-matches' });
      for (const m of matches) {
        const btn = h('button', { type: 'button', class: 'tm-match', dataset: { id: String(m.id) } },
          h('span', { class: 'tm-score' }, m.identical ? '=' : pct(m.score)), ' ',
          h('span', { class: 'mono' }, m.name), ' ', kindBadge(m.translation),
          h('span', { class: 'muted small' }, ` job ${shortId(m.job_id)}`));
        btn.addEventListener('click', () => compare(f, m, btn));
        ul.append(h('li', null, btn));
      }
      li.append(ul);
    } else {
      li.append(h('p', { class: 'muted small' }, 'No verified function is similar yet.'));
    }
    list.append(li);
  }
  p.append(list, view);
}
