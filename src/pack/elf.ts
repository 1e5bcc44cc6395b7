/**
 * The Linux executable (target linux-x64): the official linux-x64 `node` of the build's Node
 * version, with the SEA blob injected by postject as the ELF note `NODE_SEA_BLOB` and the SEA fuse
 * flipped, then the svcpack manifest appended after the ELF image as a trailer
 * (docs/architecture.md, "The Linux executable"). postject is Node's own SEA injector: it writes
 * the ELF note for every Node line (Node 22 and 24 have no `--build-sea`). It is a WebAssembly
 * build of LIEF that reads and rewrites the whole binary in memory: on the 143 MB linux-x64 node
 * of Node 26 it takes about 5 s and 1 GB, in a worker thread of its own (INJECT_WORKER).
 *
 * The trailer: `<manifest JSON, UTF-8><length: uint32 LE><ELF_MANIFEST_MAGIC>`. The loader maps
 * only the ELF's segments, so bytes after the last one never reach memory; `svcpack inspect` reads
 * the file's last bytes without running it. Deterministic: postject's output depends only on its
 * inputs, and the manifest has no times or paths.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { failure } from '../errors';
import { encodeManifest, type ExeManifest } from './manifest';
import { SEA_FUSE, SEA_RESOURCE_NAME } from './pe';

/** The last bytes of a svcpack Linux executable: the manifest trailer's mark. */
export const ELF_MANIFEST_MAGIC = 'SVCPACK_MANIFEST';
const TRAILER_FIXED = 4 + ELF_MANIFEST_MAGIC.length;

/** Whether `bytes` start like an ELF file. */
export const isElf = (bytes: Uint8Array): boolean => bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;

export interface ElfPackInput {
  /** The linux-x64 `node` binary's contents (not modified). */
  node: Buffer;
  /** The SEA blob (pack/sea-blob.ts), made by a host Node of the same version. */
  seaBlob: Buffer;
  manifest: ExeManifest;
}

/**
 * The script of the worker thread postject runs in: its WebAssembly memory (≈ 1 GB for the
 * linux-x64 node) is released when the worker ends, rather than staying with the build's process,
 * and the build's event loop keeps running meanwhile. postject prints LIEF's warnings through
 * console.warn ("Can't find string offset for section name '.note.100'", one per note it rewrites:
 * harmless, the notes have no section names); they are kept off the build's stderr, anything else
 * it prints passes.
 */
const INJECT_WORKER = `
const { parentPort, workerData: w } = require('node:worker_threads');
console.warn = (...args) => {
  if (!(typeof args[0] === 'string' && args[0].startsWith('warning: '))) process.stderr.write(args.join(' ') + '\\n');
};
require(w.postject)
  .inject(w.file, w.resource, Buffer.from(w.blob.buffer, w.blob.byteOffset, w.blob.byteLength), { sentinelFuse: w.fuse })
  .then(() => parentPort.postMessage({ ok: true }), (err) => parentPort.postMessage({ ok: false, message: String((err && err.message) || err) }));
`;

/** The executable: `node` + the blob as the NODE_SEA_BLOB note + the fuse flipped + the manifest trailer. */
export async function packElf(input: ElfPackInput): Promise<{ elf: Buffer; injectMs: number }> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-elf-'));
  try {
    const file = path.join(workDir, 'node');
    await fs.writeFile(file, input.node);
    const t = performance.now();
    const postject = createRequire(import.meta.url).resolve('postject');
    const result = await new Promise<{ ok: boolean; message?: string }>((resolve) => {
      const worker = new Worker(INJECT_WORKER, { eval: true, workerData: { postject, file, resource: SEA_RESOURCE_NAME, blob: input.seaBlob, fuse: SEA_FUSE } });
      worker.once('message', resolve);
      worker.once('error', (err) => resolve({ ok: false, message: err.message }));
      worker.once('exit', (code) => resolve({ ok: false, message: `the worker ended with exit code ${code}` }));
    });
    if (!result.ok) {
      throw failure('PACK_FAILED', `postject could not inject the SEA blob into the linux-x64 node: ${result.message}`, 'check that the cached linux-x64 node is an official build (delete it from the cache to fetch it again)');
    }
    const injectMs = performance.now() - t;
    const image = await fs.readFile(file);
    return { elf: Buffer.concat([image, manifestTrailer(input.manifest)]), injectMs };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

/** The trailer appended after the ELF image (see the module comment). */
export function manifestTrailer(manifest: ExeManifest): Buffer {
  const json = Buffer.from(encodeManifest(manifest));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  return Buffer.concat([json, length, Buffer.from(ELF_MANIFEST_MAGIC, 'latin1')]);
}

/** The manifest bytes of a svcpack Linux executable's trailer; undefined when the file has none. */
export function readManifestTrailer(bytes: Uint8Array): Uint8Array | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength < TRAILER_FIXED) return undefined;
  if (buf.toString('latin1', buf.byteLength - ELF_MANIFEST_MAGIC.length) !== ELF_MANIFEST_MAGIC) return undefined;
  const length = buf.readUInt32LE(buf.byteLength - TRAILER_FIXED);
  const start = buf.byteLength - TRAILER_FIXED - length;
  if (start < 0) return undefined;
  return buf.subarray(start, start + length);
}

/**
 * The contents of the ELF note named `name` (postject's NODE_SEA_BLOB), read from the file's
 * PT_NOTE segments as the executable finds it in memory; undefined when there is none or the file
 * is not a 64-bit little-endian ELF.
 */
export function readElfNote(bytes: Uint8Array, name: string): Uint8Array | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isElf(buf) || buf[4] !== 2 || buf[5] !== 1) return undefined; // ELFCLASS64, little-endian
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  const align4 = (n: number) => (n + 3) & ~3;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > buf.byteLength || buf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    const offset = Number(buf.readBigUInt64LE(ph + 8));
    const end = Math.min(offset + Number(buf.readBigUInt64LE(ph + 32)), buf.byteLength);
    for (let pos = offset; pos + 12 <= end; ) {
      const namesz = buf.readUInt32LE(pos);
      const descsz = buf.readUInt32LE(pos + 4);
      const nameStart = pos + 12;
      const descStart = nameStart + align4(namesz);
      const noteName = buf.toString('latin1', nameStart, nameStart + namesz).replace(/\0+$/, '');
      if (noteName === name && descStart + descsz <= buf.byteLength) return buf.subarray(descStart, descStart + descsz);
      pos = descStart + align4(descsz);
    }
  }
  return undefined;
}
