// archive.js - reading the archives the dashboard meets, in the browser.
//
// gunzip() uses the browser's own DecompressionStream. readTar() is a small
// ustar/pax reader, enough for what libarchive writes (crate.tar.gz,
// package.tar.gz) and for what people upload: regular files, with long
// names from pax 'x' headers or GNU 'L' entries. zipNames() lists a zip's
// file names from its central directory (to offer entry points before the
// upload); it never inflates anything.

const dec = new TextDecoder();

export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function isGzip(bytes) {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function cstr(b, off, len) {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return dec.decode(b.subarray(off, end));
}

function octal(b, off, len) {
  const s = cstr(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxRecords(text) {
  const out = {};
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const n = parseInt(text.slice(i, sp), 10);
    if (!(n > 0)) break;
    const rec = text.slice(sp + 1, i + n - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += n;
  }
  return out;
}

// Returns [{name, type: 'file'|'dir', data: Uint8Array}], regular files and
// directories only; other entries (links, devices) are skipped.
export function readTar(bytes) {
  const out = [];
  let off = 0, longName = null, pax = {};
  if (bytes.length < 512) throw new Error('not a zip, tar or tar.gz archive');
  while (off + 512 <= bytes.length) {
    const hdr = bytes.subarray(off, off + 512);
    if (hdr.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : hdr[i];
    if (sum !== octal(hdr, 148, 8)) throw new Error('not a zip, tar or tar.gz archive');
    let name = cstr(hdr, 0, 100);
    const size = octal(hdr, 124, 12);
    const type = String.fromCharCode(hdr[156] || 48);
    const magic = cstr(hdr, 257, 6);
    if (magic.startsWith('ustar')) {
      const prefix = cstr(hdr, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const data = bytes.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') { pax = paxRecords(dec.decode(data)); continue; }
    if (type === 'g') continue;
    if (type === 'L') { longName = cstr(data, 0, data.length); continue; }
    if (pax.path) name = pax.path;
    else if (longName) name = longName;
    pax = {};
    longName = null;
    if (type === '0' || type === '\0' || type === '7') out.push({ name, type: 'file', data });
    else if (type === '5') out.push({ name, type: 'dir', data: null });
  }
  return out;
}

export async function readTarGz(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return readTar(isGzip(b) ? await gunzip(b) : b);
}

// File names in a zip, from the central directory.
export function zipNames(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (v.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip file (no central directory)');
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const names = [];
  for (let k = 0; k < count && p + 46 <= b.length; k++) {
    if (v.getUint32(p, true) !== 0x02014b50) break;
    const nlen = v.getUint16(p + 28, true), xlen = v.getUint16(p + 30, true), clen = v.getUint16(p + 32, true);
    names.push(dec.decode(b.subarray(p + 46, p + 46 + nlen)));
    p += 46 + nlen + xlen + clen;
  }
  return names.filter((n) => !n.endsWith('/'));
}

// The names of the files in an uploaded archive (zip, tar, tar.gz).
export async function archiveNames(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return zipNames(bytes);
  const entries = await readTarGz(bytes);
  return entries.filter((e) => e.type === 'file').map((e) => e.name);
}
