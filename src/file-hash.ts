/**
 * SHA-256 of a file, computed on a worker thread. Hashing a 100 MB Node runtime is ≈ 80 ms of CPU;
 * on the main thread it held back the esbuild plugin callbacks of the bundle step that runs at the
 * same time (a cold build verifies both runtimes while it bundles).
 */
import { Worker } from 'node:worker_threads';

/** The worker: reads the file in 4 MiB pieces (64 KiB reads took 2-3× as long for node.exe, measured) and posts the hex digest. */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(1 << 22);
const fd = fs.openSync(workerData, 'r');
try {
  for (let n; (n = fs.readSync(fd, buffer)) > 0; ) hash.update(buffer.subarray(0, n));
} finally {
  fs.closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

/** The SHA-256 (hex) of `file`; rejects with the read's error (ENOENT, EACCES, …). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: file });
    worker.once('message', (digest: string) => resolve(digest));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`hashing ${file} ended without a digest (exit code ${code})`)));
  });
}
