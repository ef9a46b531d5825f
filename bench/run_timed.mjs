// run_timed.mjs - contrib/run.mjs plus in-process timing, for the bench only.
//
//   node bench/run_timed.mjs module.wasm [args...]
//
// Runs a Portalis module.wasm exactly as contrib/run.mjs does (same WASI
// set-up, same stdio, same exit codes), and when the module returns writes
// one line to stderr:
//
//   portalis-timing start_ms=S run_ms=R run_cpu_ms=C
//
// S: milliseconds from Node's process start (performance.timeOrigin) to just
//    before wasi.start, i.e. Node start-up, reading, compiling and
//    instantiating the module;
// R: wall-clock milliseconds spent inside wasi.start (the program itself);
// C: CPU milliseconds (user + system, all of Node's threads) over the same
//    span.
// bench/speed.py reads that line; contrib/run.mjs stays free of bench code.

// Like contrib/run.mjs, the module runs in a worker thread with a 512 MiB
// stack and --no-flush-bytecode (Node 20 crashes at exit after deep wasm
// stacks otherwise). The worker tells the main thread when wasi.start begins
// and when it has returned; the main thread reads both clocks (wall, and the
// process's CPU time over all threads) at those two messages, because Node
// 20 may crash on a native call in the worker (performance.now,
// process.cpuUsage) after wasi.start has returned through proc_exit.
process.removeAllListeners('warning');
const { Worker, isMainThread, parentPort, workerData } = await import('node:worker_threads');
const { performance } = await import('node:perf_hooks');

const STACK_MB = Number(process.env.PORTALIS_STACK_MB) || 512;

if (isMainThread) {
  const argv = process.argv.slice(2);
  if (argv.length < 1) {
    process.stderr.write('usage: node run_timed.mjs module.wasm [args...]\n');
    process.exit(2);
  }
  const path = argv[0];
  const args = [path, ...argv.slice(1)];
  (await import('node:v8')).setFlagsFromString('--no-flush-bytecode');
  let rc = null, c0 = null, c1 = null, t0 = 0, t1 = 0;
  const w = new Worker(new URL(import.meta.url), {
    workerData: { path, args },
    resourceLimits: { stackSizeMb: STACK_MB },
    stdin: false, stdout: false, stderr: false,
  });
  w.on('message', (m) => {
    if (m.started) {
      c0 = process.cpuUsage();
      t0 = performance.now();
      return;
    }
    if (c0) {
      t1 = performance.now();
      c1 = process.cpuUsage(c0);
    }
    if (m.err) process.stderr.write(m.err);
    rc = m.rc;
  });
  w.on('error', (err) => {
    process.stderr.write(`run_timed.mjs: ${err && err.stack ? err.stack : err}\n`);
    rc = err instanceof WebAssembly.RuntimeError || (err && err.name === 'RuntimeError') ? 134 : 1;
  });
  w.on('exit', (code) => {
    if (c1) {
      process.stderr.write(`portalis-timing start_ms=${t0.toFixed(3)} run_ms=${(t1 - t0).toFixed(3)} ` +
                           `run_cpu_ms=${((c1.user + c1.system) / 1000).toFixed(3)}\n`);
    }
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
    parentPort.postMessage({ started: true });
    rc = wasi.start(inst);
  } catch (e) {
    err = `run_timed.mjs: ${e && e.stack ? e.stack : e}\n`;
    rc = e instanceof WebAssembly.RuntimeError ? 134 : 1;
  }
  parentPort.postMessage({ rc, err });
}
