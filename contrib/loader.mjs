// loader.mjs - run a Portalis module.wasm in a browser (or Node) with the
// WASI shim next to it; no runtime dependencies.
//
//   import { runWasi } from './loader.mjs';
//   const r = await runWasi('module.wasm', { args: ['10'], stdin: '' });
//   r.exitCode, r.stdout, r.stderr      // strings (UTF-8 decoded)
//   r.stdoutBytes, r.stderrBytes        // the exact bytes
//
// source: a URL (string or URL, fetched), a Response, bytes (ArrayBuffer,
// Uint8Array) or a compiled WebAssembly.Module.
// options: args (after argv[0]), argv0 (default 'module.wasm'; Portalis's
// own test runs pass the Python entry name, e.g. 'main.py'), stdin (string
// or bytes), env (object), onStdout/onStderr (called with each chunk of
// bytes as the program writes it).

import { WasiShim, WasiExit } from './wasi-shim.mjs';

export { WasiShim, WasiExit };

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || (typeof URL !== 'undefined' && source instanceof URL)) {
    const resp = await fetch(source);
    if (!resp.ok) throw new Error(`cannot fetch ${source}: HTTP ${resp.status}`);
    source = resp;
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source);
}

export async function runWasi(source, options = {}) {
  const { args = [], argv0 = 'module.wasm', stdin = '', env = {}, onStdout = null, onStderr = null } = options;
  const module = await compile(source);
  const shim = new WasiShim({ args: [argv0, ...args], env, stdin, onStdout, onStderr });
  const instance = await WebAssembly.instantiate(module, shim.imports());
  const exitCode = shim.start(instance);
  return {
    exitCode,
    stdout: shim.stdoutText(),
    stderr: shim.stderrText(),
    stdoutBytes: shim.stdoutBytes(),
    stderrBytes: shim.stderrBytes(),
  };
}
