// sources.js - where the job page finds the Python source of a job.
//
// The API has no endpoint for a job's uploaded files. Two places have them:
// package.tar.gz (its python/ folder, for jobs that got that far) and this
// browser's own copy, kept in localStorage at upload time for the last few
// jobs. The job page tries the package first, then the local copy.

const PREFIX = 'portalis.src.';
const KEEP = 30;

export function rememberSources(id, files, entry) {
  if (!id || !files || !Object.keys(files).length) return;
  try {
    const keys = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(PREFIX)) keys.push(k);
    }
    const stamped = keys.map((k) => {
      try { return [k, JSON.parse(localStorage.getItem(k)).at || 0]; } catch { return [k, 0]; }
    }).sort((a, b) => a[1] - b[1]);
    while (stamped.length >= KEEP) localStorage.removeItem(stamped.shift()[0]);
    localStorage.setItem(PREFIX + id, JSON.stringify({ at: Date.now(), entry, files }));
  } catch { /* storage full or disabled: the package copy still works */ }
}

export function localSources(id) {
  try {
    const v = JSON.parse(localStorage.getItem(PREFIX + id) || 'null');
    return v && v.files ? v.files : null;
  } catch { return null; }
}

export function forgetSources(id) {
  try { localStorage.removeItem(PREFIX + id); } catch { /* ignore */ }
}

// The python/ files of an unpacked package.tar.gz: {path: text}.
export function packageSources(entries) {
  const dec = new TextDecoder();
  const out = {};
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const m = /^[^/]+\/python\/(.+)$/.exec(e.name);
    if (m) out[m[1]] = dec.decode(e.data);
  }
  return Object.keys(out).length ? out : null;
}
