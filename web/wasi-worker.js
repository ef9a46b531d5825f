// wasi-worker.js - runs a job's module.wasm in a Web Worker with a small
// WASI preview1 shim of our own.
//
// Why a worker: the program runs synchronously to the end, and it may loop
// for ever; in a worker the page stays responsive and "Stop" is simply
// worker.terminate(). Output is posted back as it is written (batched every
// few milliseconds or few KiB, so a chatty program does not flood the
// page with messages).
//
// Protocol: the page posts {wasm: ArrayBuffer, args: [argv0, ...], stdin:
// string}; the worker answers {type: 'out', fd: 1|2, data: Uint8Array}...,
// then {type: 'exit', code, ms} (code 134 after a trap, as run.mjs does).
//
// The shim: argv and an empty environment, stdin from the bytes given,
// stdout/stderr to the page, clocks, randomness, poll_oneoff for sleeps
// (a busy wait: without cross-origin isolation there is no Atomics.wait),
// and no file system (fd_prestat_get answers EBADF, so the program sees no
// preopened directories). Any other import answers ENOSYS.

const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ENOSYS = 52, ESPIPE = 70;
const enc = new TextEncoder();

class Exit extends Error {
  constructor(code) { super(`exit ${code}`); this.code = code; }
}

function run({ wasm, args, stdin }) {
  const argv = args.map((a) => enc.encode(`${a}\0`));
  const env = [];
  const input = enc.encode(stdin || '');
  let inPos = 0;
  let memory = null;
  const view = () => new DataView(memory.buffer);
  const mem = () => new Uint8Array(memory.buffer);

  // Batched output.
  let pending = [[], [], []], pendingBytes = 0, lastFlush = performance.now();
  function flush() {
    for (const fd of [1, 2]) {
      const parts = pending[fd];
      if (!parts.length) continue;
      const n = parts.reduce((s, p) => s + p.length, 0);
      const data = new Uint8Array(n);
      let o = 0;
      for (const p of parts) { data.set(p, o); o += p.length; }
      pending[fd] = [];
      self.postMessage({ type: 'out', fd, data }, [data.buffer]);
    }
    pendingBytes = 0;
    lastFlush = performance.now();
  }
  function write(fd, bytes) {
    pending[fd].push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes > 16384 || performance.now() - lastFlush > 30) flush();
  }

  const sizes = (list, countPtr, sizePtr) => {
    const v = view();
    v.setUint32(countPtr, list.length, true);
    v.setUint32(sizePtr, list.reduce((n, b) => n + b.length, 0), true);
    return ESUCCESS;
  };
  const get = (list, ptrs, buf) => {
    const v = view(), m = mem();
    for (const b of list) {
      v.setUint32(ptrs, buf, true);
      ptrs += 4;
      m.set(b, buf);
      buf += b.length;
    }
    return ESUCCESS;
  };
  const nowNs = (id) => (id === 0 ? BigInt(Date.now()) * 1000000n
    : BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)));

  const calls = {
    args_sizes_get: (c, s) => sizes(argv, c, s),
    args_get: (p, b) => get(argv, p, b),
    environ_sizes_get: (c, s) => sizes(env, c, s),
    environ_get: (p, b) => get(env, p, b),
    fd_write(fd, iovs, n, nwritten) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const v = view();
      let total = 0;
      for (let i = 0; i < n; i++) {
        const ptr = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
        if (len) write(fd, mem().slice(ptr, ptr + len));
        total += len;
      }
      v.setUint32(nwritten, total, true);
      return ESUCCESS;
    },
    fd_read(fd, iovs, n, nread) {
      if (fd !== 0) return EBADF;
      const v = view();
      let total = 0;
      for (let i = 0; i < n && inPos < input.length; i++) {
        const ptr = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
        const k = Math.min(len, input.length - inPos);
        mem().set(input.subarray(inPos, inPos + k), ptr);
        inPos += k;
        total += k;
      }
      v.setUint32(nread, total, true);
      return ESUCCESS;
    },
    fd_close: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_seek: (fd) => (fd <= 2 ? ESPIPE : EBADF),
    fd_sync: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_fdstat_get(fd, ptr) {
      if (fd > 2) return EBADF;
      const v = view();
      for (let i = 0; i < 24; i++) v.setUint8(ptr + i, 0);
      v.setUint8(ptr, 2); // character device
      v.setBigUint64(ptr + 8, fd === 0 ? 0x2n : 0x40n, true); // fd_read / fd_write rights
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
    proc_exit(code) { throw new Exit(code); },
    sched_yield: () => ESUCCESS,
    clock_res_get(id, ptr) {
      if (id > 3) return EINVAL;
      view().setBigUint64(ptr, 1000n, true);
      return ESUCCESS;
    },
    clock_time_get(id, _precision, ptr) {
      if (id > 3) return EINVAL;
      view().setBigUint64(ptr, nowNs(id), true);
      return ESUCCESS;
    },
    random_get(ptr, len) {
      const m = mem();
      for (let o = 0; o < len; o += 65536) crypto.getRandomValues(m.subarray(ptr + o, ptr + Math.min(len, o + 65536)));
      return ESUCCESS;
    },
    poll_oneoff(inp, outp, nsubs, nevents) {
      const v = view();
      let until = 0, n = 0;
      for (let i = 0; i < nsubs; i++) {
        const s = inp + i * 48;
        const tag = v.getUint8(s + 8);
        const e = outp + n * 32;
        v.setBigUint64(e, v.getBigUint64(s, true), true);
        v.setUint16(e + 8, 0, true);
        v.setUint8(e + 10, tag);
        for (let k = 11; k < 32; k++) v.setUint8(e + k, 0);
        n++;
        if (tag !== 0) continue; // fd readiness: always ready
        const id = v.getUint32(s + 16, true);
        const timeout = v.getBigUint64(s + 24, true);
        const abs = v.getUint16(s + 40, true) & 1;
        const ms = Number(abs ? timeout - nowNs(id) : timeout) / 1e6;
        until = Math.max(until, performance.now() + Math.max(0, ms));
      }
      flush();
      while (performance.now() < until) { /* sleep: busy wait */ }
      view().setUint32(nevents, n, true);
      return ESUCCESS;
    },
  };

  const t0 = performance.now();
  let code = 0;
  try {
    const module = new WebAssembly.Module(wasm);
    const imports = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== 'function') continue;
      imports[imp.module] = imports[imp.module] || {};
      imports[imp.module][imp.name] = (imp.module === 'wasi_snapshot_preview1' && calls[imp.name]) || (() => ENOSYS);
    }
    const instance = new WebAssembly.Instance(module, imports);
    memory = instance.exports.memory;
    if (typeof instance.exports._start !== 'function')
      throw new Error('module.wasm has no _start: it is a library module, not a command');
    instance.exports._start();
  } catch (err) {
    if (err instanceof Exit) {
      code = err.code;
    } else {
      write(2, enc.encode(`\n[browser runner] ${err && err.message ? err.message : err}\n`));
      code = err instanceof WebAssembly.RuntimeError ? 134 : 1;
    }
  }
  flush();
  self.postMessage({ type: 'exit', code, ms: performance.now() - t0 });
}

self.onmessage = (ev) => run(ev.data);
