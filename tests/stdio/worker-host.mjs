// worker-host.mjs - runs a module through the dashboard's browser runner
// (web/wasi-worker.js) under Node. The runner is a Web Worker script: here
// its `self` is a stand-in whose postMessage writes the runner's output to
// stdout/stderr and keeps its exit code, so tests/stdio.sh can check that
// the browser runner honours poll_oneoff clock subscriptions (time.sleep)
// as the Node hosts do, without a browser.
// usage: node worker-host.mjs MODULE.wasm [ARG...]
import fs from 'node:fs';
import vm from 'node:vm';

const [wasmPath, ...args] = process.argv.slice(2);
const src = fs.readFileSync(new URL('../../web/wasi-worker.js', import.meta.url), 'utf8');
let code = 1;
globalThis.self = {
  postMessage(m) {
    if (m.type === 'out') (m.fd === 2 ? process.stderr : process.stdout).write(m.data);
    else if (m.type === 'exit') code = m.code;
  },
};
vm.runInThisContext(src, { filename: 'web/wasi-worker.js' });
globalThis.self.onmessage({ data: { wasm: fs.readFileSync(wasmPath), args: ['main.py', ...args], stdin: '' } });
process.exitCode = code;
