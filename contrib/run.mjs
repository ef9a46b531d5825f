// run.mjs - run a Portalis module.wasm (a WASI preview1 command) in Node.
//
//   node run.mjs [--argv0=NAME] module.wasm [args...]
//
// stdin, stdout and stderr are the process's own; the exit code is the
// program's (sys.exit / uncaught exception = 1). A trap (a bug in the
// runtime or generated code, or memory exhausted) prints the error and exits
// 134, as an abort would. --argv0 sets argv[0] (sys.argv[0]); it defaults to
// the module path, the way a native program sees its own path.
// Needs Node >= 20 (node:wasi preview1). No files or network are exposed to
// the module: it sees only argv, stdio and clocks.

// Deep recursion: the module's own (linear-memory) stack is 32 MiB, and
// each Python call also takes about four times as much of the engine's
// native stack as of that one (about 1 KiB for a small function), of which
// Node's main thread has under 1 MiB.  So the module runs in a worker
// thread with a 512 MiB stack (resourceLimits.stackSizeMb;
// PORTALIS_STACK_MB overrides it), which lets the runtime's RecursionError
// (raised when the module's stack runs low) come before the engine's
// stack overflow: 100,000 frames of a small function run as in CPython.
// --no-flush-bytecode: Node 20 crashes (SIGSEGV in V8's exception
// unwinding, at proc_exit) after a very deep wasm stack when a GC has
// flushed the bytecode of the frames below it.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// node:wasi announces itself as experimental on every start; the program's
// stderr is not the place for that.
process.removeAllListeners('warning');

const STACK_MB = Number(process.env.PORTALIS_STACK_MB) || 512;

if (isMainThread) {
  let argv = process.argv.slice(2);
  let argv0 = null;
  while (argv.length && argv[0].startsWith('--argv0=')) {
    argv0 = argv.shift().slice('--argv0='.length);
  }
  if (argv.length < 1) {
    process.stderr.write('usage: node run.mjs [--argv0=NAME] module.wasm [args...]\n');
    process.exit(2);
  }
  const path = argv[0];
  const args = [argv0 ?? path, ...argv.slice(1)];
  (await import('node:v8')).setFlagsFromString('--no-flush-bytecode');
  let rc = null;
  const w = new Worker(new URL(import.meta.url), {
    workerData: { path, args },
    resourceLimits: { stackSizeMb: STACK_MB },
    stdin: false, stdout: false, stderr: false,
  });
  w.on('message', (m) => {
    if (m.err) process.stderr.write(m.err);
    rc = m.rc;
  });
  w.on('error', (err) => {
    process.stderr.write(`run.mjs: ${err && err.stack ? err.stack : err}\n`);
    rc = err instanceof WebAssembly.RuntimeError || (err && err.name === 'RuntimeError') ? 134 : 1;
  });
  w.on('exit', (code) => {
    process.exitCode = rc ?? (code || 1);
  });
} else {
  const { WASI } = await import('node:wasi');
  const fs = await import('node:fs');
  const { path, args } = workerData;
  let rc, err = '';
  try {
    const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true });
    const mod = await WebAssembly.compile(fs.readFileSync(path));
    const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
    rc = wasi.start(inst);
  } catch (e) {
    err = `run.mjs: ${e && e.stack ? e.stack : e}\n`;
    rc = e instanceof WebAssembly.RuntimeError ? 134 : 1;
  }
  parentPort.postMessage({ rc, err });
}
