// wasi-shim.mjs - a small WASI preview1 implementation for browsers.
//
// Enough of wasi_snapshot_preview1 to run a Portalis module.wasm (a Rust
// wasm32-wasi command) anywhere WebAssembly runs, Node included: argv,
// environment, stdin from a byte array, stdout/stderr to callbacks and
// buffers, clocks, randomness, exit codes. There is no file system: no
// preopened directories, so the program sees only its standard streams,
// exactly as under `node run.mjs`. Every other call answers ENOSYS.
//
//   const shim = new WasiShim({ args: ['main.py'], stdin: 'text' });
//   const { instance } = await WebAssembly.instantiate(bytes, shim.imports());
//   const exitCode = shim.start(instance);   // shim.stdoutText()
//
// No dependencies; ES2020 (BigInt, DataView.setBigUint64).

const ESUCCESS = 0, EBADF = 8, EINVAL = 28, ENOSYS = 52, ESPIPE = 70;
const FILETYPE_CHARACTER_DEVICE = 2;

export class WasiExit extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

const enc = new TextEncoder();

function toBytes(x) {
  if (x == null) return new Uint8Array(0);
  if (typeof x === 'string') return enc.encode(x);
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new TypeError('stdin must be a string or bytes');
}

function concat(chunks) {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

export class WasiShim {
  // args: full argv (argv[0] first); env: object; stdin: string or bytes;
  // onStdout/onStderr: called with each Uint8Array written (optional).
  constructor({ args = ['module.wasm'], env = {}, stdin = '', onStdout = null, onStderr = null } = {}) {
    this.args = args.map((a) => enc.encode(String(a) + '\0'));
    this.env = Object.entries(env).map(([k, v]) => enc.encode(`${k}=${v}\0`));
    this.stdin = toBytes(stdin);
    this.stdinPos = 0;
    this.out = [[], [], []];
    this.sinks = [null, onStdout, onStderr];
    this.memory = null;
  }

  view() { return new DataView(this.memory.buffer); }
  bytes() { return new Uint8Array(this.memory.buffer); }

  stdoutBytes() { return concat(this.out[1]); }
  stderrBytes() { return concat(this.out[2]); }
  stdoutText() { return new TextDecoder().decode(this.stdoutBytes()); }
  stderrText() { return new TextDecoder().decode(this.stderrBytes()); }

  // Runs _start; returns the exit code (134 for a trap, with the error on
  // stderr, as run.mjs does).
  start(instance) {
    this.memory = instance.exports.memory;
    try {
      instance.exports._start();
      return 0;
    } catch (err) {
      if (err instanceof WasiExit) return err.code;
      const msg = enc.encode(`wasi-shim: ${err && err.stack ? err.stack : err}\n`);
      this.out[2].push(msg);
      if (this.sinks[2]) this.sinks[2](msg);
      return err instanceof WebAssembly.RuntimeError ? 134 : 1;
    }
  }

  // The import object: known calls below, ENOSYS for the rest.
  imports() {
    const self = this;
    const known = this.calls();
    const ns = new Proxy(known, {
      get(target, name) {
        if (name in target) return target[name];
        return () => ENOSYS;
      },
    });
    void self;
    return { wasi_snapshot_preview1: ns };
  }

  listSizes(list, countPtr, sizePtr) {
    const v = this.view();
    v.setUint32(countPtr, list.length, true);
    v.setUint32(sizePtr, list.reduce((n, b) => n + b.length, 0), true);
    return ESUCCESS;
  }

  listGet(list, ptrs, buf) {
    const v = this.view(), mem = this.bytes();
    for (const b of list) {
      v.setUint32(ptrs, buf, true);
      ptrs += 4;
      mem.set(b, buf);
      buf += b.length;
    }
    return ESUCCESS;
  }

  calls() {
    return {
      args_sizes_get: (c, s) => this.listSizes(this.args, c, s),
      args_get: (p, b) => this.listGet(this.args, p, b),
      environ_sizes_get: (c, s) => this.listSizes(this.env, c, s),
      environ_get: (p, b) => this.listGet(this.env, p, b),

      fd_write: (fd, iovs, n, nwritten) => {
        if (fd !== 1 && fd !== 2) return EBADF;
        const v = this.view();
        let total = 0;
        for (let i = 0; i < n; i++) {
          const ptr = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
          const chunk = this.bytes().slice(ptr, ptr + len);
          this.out[fd].push(chunk);
          if (this.sinks[fd]) this.sinks[fd](chunk);
          total += len;
        }
        v.setUint32(nwritten, total, true);
        return ESUCCESS;
      },
      fd_read: (fd, iovs, n, nread) => {
        if (fd !== 0) return EBADF;
        const v = this.view();
        let total = 0;
        for (let i = 0; i < n; i++) {
          const ptr = v.getUint32(iovs + i * 8, true), len = v.getUint32(iovs + i * 8 + 4, true);
          const take = Math.min(len, this.stdin.length - this.stdinPos);
          this.bytes().set(this.stdin.subarray(this.stdinPos, this.stdinPos + take), ptr);
          this.stdinPos += take;
          total += take;
          if (take < len) break;
        }
        v.setUint32(nread, total, true);
        return ESUCCESS;
      },
      fd_close: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
      fd_seek: (fd) => (fd <= 2 ? ESPIPE : EBADF),
      fd_tell: (fd) => (fd <= 2 ? ESPIPE : EBADF),
      fd_sync: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
      fd_datasync: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
      fd_fdstat_get: (fd, ptr) => {
        if (fd > 2) return EBADF;
        const v = this.view();
        for (let i = 0; i < 24; i++) v.setUint8(ptr + i, 0);
        v.setUint8(ptr, FILETYPE_CHARACTER_DEVICE);
        v.setBigUint64(ptr + 8, fd === 0 ? 0x2n : 0x40n, true); // fd_read / fd_write
        return ESUCCESS;
      },
      fd_fdstat_set_flags: (fd) => (fd <= 2 ? ESUCCESS : EBADF),
      fd_filestat_get: (fd, ptr) => {
        if (fd > 2) return EBADF;
        const v = this.view();
        for (let i = 0; i < 64; i++) v.setUint8(ptr + i, 0);
        v.setUint8(ptr + 16, FILETYPE_CHARACTER_DEVICE);
        return ESUCCESS;
      },
      fd_prestat_get: () => EBADF, // no preopened directories
      fd_prestat_dir_name: () => EBADF,

      proc_exit: (code) => { throw new WasiExit(code); },
      sched_yield: () => ESUCCESS,

      clock_res_get: (id, ptr) => {
        if (id > 3) return EINVAL;
        this.view().setBigUint64(ptr, 1000n, true);
        return ESUCCESS;
      },
      clock_time_get: (id, _precision, ptr) => {
        let ns;
        if (id === 0) ns = BigInt(Date.now()) * 1000000n;
        else if (id <= 3) ns = BigInt(Math.round(performance.now() * 1e6));
        else return EINVAL;
        this.view().setBigUint64(ptr, ns, true);
        return ESUCCESS;
      },
      random_get: (ptr, len) => {
        const mem = this.bytes();
        for (let o = 0; o < len; o += 65536) {
          crypto.getRandomValues(mem.subarray(ptr + o, ptr + Math.min(len, o + 65536)));
        }
        return ESUCCESS;
      },
      // Clock subscriptions only (sleep): wait, then report each as fired.
      // Busy-waits, since a synchronous import cannot yield to the page.
      poll_oneoff: (inp, outp, nsubs, nevents) => {
        const v = this.view();
        let until = 0, n = 0;
        const now = () => performance.now() * 1e6;
        for (let i = 0; i < nsubs; i++) {
          const s = inp + i * 48;
          if (v.getUint8(s + 8) !== 0) return ENOSYS;
          const timeout = Number(v.getBigUint64(s + 24, true));
          const abs = v.getUint16(s + 40, true) & 1;
          const id = v.getUint32(s + 16, true);
          const base = id === 0 ? Date.now() * 1e6 : now();
          until = Math.max(until, now() + (abs ? timeout - base : timeout));
          const e = outp + n * 32;
          v.setBigUint64(e, v.getBigUint64(s, true), true);
          v.setUint16(e + 8, 0, true);
          v.setUint8(e + 10, 0);
          n++;
        }
        while (now() < until) { /* sleeping */ }
        this.view().setUint32(nevents, n, true);
        return ESUCCESS;
      },
    };
  }
}
