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

process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');
const fs = await import('node:fs');
const { performance } = await import('node:perf_hooks');

const argv = process.argv.slice(2);
if (argv.length < 1) {
  process.stderr.write('usage: node run_timed.mjs module.wasm [args...]\n');
  process.exit(2);
}
const path = argv[0];
const args = [path, ...argv.slice(1)];

let rc;
let t0 = 0, t1 = 0, c0 = null, c1 = null;
try {
  const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true });
  const mod = await WebAssembly.compile(fs.readFileSync(path));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
  c0 = process.cpuUsage();
  t0 = performance.now();
  try {
    rc = wasi.start(inst);
  } finally {
    t1 = performance.now();
    c1 = process.cpuUsage(c0);
  }
} catch (err) {
  process.stderr.write(`run_timed.mjs: ${err && err.stack ? err.stack : err}\n`);
  rc = err instanceof WebAssembly.RuntimeError ? 134 : 1;
}
if (c1) {
  process.stderr.write(`portalis-timing start_ms=${t0.toFixed(3)} run_ms=${(t1 - t0).toFixed(3)} ` +
                       `run_cpu_ms=${((c1.user + c1.system) / 1000).toFixed(3)}\n`);
}
process.exitCode = rc;
