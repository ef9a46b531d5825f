// host.mjs - a minimal node:wasi embedding of the kind user programs write:
// it touches process.stdin and process.stdout before starting the module,
// which makes Node switch the descriptors (pipes) to non-blocking mode.
// The module must still read all of a slow stdin and write all of a large
// output to a slow reader (tests/stdio.sh).
process.removeAllListeners('warning');
const { WASI } = await import('node:wasi');
const fs = await import('node:fs');

const path = process.argv[2];
// what most embedders do in passing: look at the streams
if (process.stdin.isTTY === undefined) process.stdin.pause();
if (!process.stdout.writable) process.exit(3);

const wasi = new WASI({ version: 'preview1', args: [path, ...process.argv.slice(3)], env: {}, returnOnExit: true });
const mod = await WebAssembly.compile(fs.readFileSync(path));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
