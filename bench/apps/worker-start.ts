/**
 * The embedded suite's probe app (bench/suites/embedded.ts), built with svcpack and run with the
 * exe's `run` command under Wine. One mode per process, so that the first worker of each kind is a
 * cold one (nothing of Node's worker machinery loaded yet), chosen by WORKER_START_MODE (`run`
 * takes no arguments; the environment reaches the app):
 *
 * - `embedded`: WORKER_START_N workers on bench/apps/worker-start-worker.ts, an embedded module
 *   (`new Worker(new URL('./worker-start-worker.ts', import.meta.url))`), one after the other;
 * - `eval`: as many `eval: true` workers of the same one line (no module to find);
 * - `read`: `fs.readFileSync` of bench/apps/bench-data.txt (64 KiB, embedded: found by the
 *   `new URL('./bench-data.txt', import.meta.url)` below) against the same bytes in a real file of
 *   the temp folder, WORKER_START_BLOCKS blocks of WORKER_START_READS reads of each, alternating.
 *
 * A worker's time runs from `new Worker(...)` to its first message (it posts one at once), in ms.
 * Prints one line, `WORKER-START {json}` (see {@link WorkerStartOutput} in the suite), then exits.
 *
 * bench-data.txt was generated once: numbered lines of the same sentence up to 65,536 bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const MODE = process.env.WORKER_START_MODE ?? 'embedded';
const N = Number(process.env.WORKER_START_N ?? 10);
const BLOCKS = Number(process.env.WORKER_START_BLOCKS ?? 5);
const READS = Number(process.env.WORKER_START_READS ?? 50);

const EVAL_CODE = "require('node:worker_threads').parentPort.postMessage('ready');";

/** From `new Worker` (made by `make`) to its first message, ms; then the worker is ended (untimed). */
async function startOne(make: () => Worker): Promise<number> {
  const t0 = performance.now();
  const worker = make();
  const ms = await new Promise<number>((resolve, reject) => {
    worker.once('message', () => resolve(performance.now() - t0));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before its first message`)));
  });
  await worker.terminate();
  return ms;
}

async function workers(make: () => Worker): Promise<{ ms: number[] }> {
  const ms: number[] = [];
  for (let i = 0; i < N; i++) ms.push(await startOne(make));
  return { ms };
}

/** µs per read of `reads` consecutive readFileSync calls of `file`. */
function readBlock(file: URL | string, reads: number, bytes: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reads; i++) {
    if (fs.readFileSync(file).length !== bytes) throw new Error(`${String(file)}: not ${bytes} bytes`);
  }
  return ((performance.now() - t0) * 1000) / reads;
}

function reads() {
  const embedded = new URL('./bench-data.txt', import.meta.url);
  let t0 = performance.now();
  const data = fs.readFileSync(embedded);
  const embeddedFirstUs = (performance.now() - t0) * 1000;
  const real = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'worker-start-')), 'bench-data.txt');
  fs.writeFileSync(real, data);
  t0 = performance.now();
  fs.readFileSync(real);
  const realFirstUs = (performance.now() - t0) * 1000;
  const embeddedUs: number[] = [];
  const realUs: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    embeddedUs.push(readBlock(embedded, READS, data.length));
    realUs.push(readBlock(real, READS, data.length));
  }
  fs.rmSync(path.dirname(real), { recursive: true, force: true });
  return { bytes: data.length, reads: READS, embeddedFirstUs, realFirstUs, embeddedUs, realUs };
}

let result: object;
switch (MODE) {
  case 'embedded':
    result = await workers(() => new Worker(new URL('./worker-start-worker.ts', import.meta.url)));
    break;
  case 'eval':
    result = await workers(() => new Worker(EVAL_CODE, { eval: true }));
    break;
  case 'read':
    result = reads();
    break;
  default:
    throw new Error(`WORKER_START_MODE "${MODE}": use embedded, eval or read`);
}
process.stdout.write(`WORKER-START ${JSON.stringify({ mode: MODE, node: process.version, ...result })}\n`);
process.exit(0);
