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

// node:wasi announces itself as experimental on every start; the program's
// stderr is not the place for that.
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');
const fs = await import('node:fs');

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

let rc;
try {
  const wasi = new WASI({ version: 'preview1', args, env: {}, returnOnExit: true });
  const mod = await WebAssembly.compile(fs.readFileSync(path));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
  rc = wasi.start(inst);
} catch (err) {
  process.stderr.write(`run.mjs: ${err && err.stack ? err.stack : err}\n`);
  rc = err instanceof WebAssembly.RuntimeError ? 134 : 1;
}
process.exitCode = rc;
