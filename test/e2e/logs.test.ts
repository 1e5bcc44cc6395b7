/**
 * `MySvc.exe logs` under Wine: fixtures/log-writer prints `seq <n>` 80 times a
 * second as a service built with `--log-rotate 2KB --log-compress`, so its log rotates about
 * once a second into gzipped files. `logs --lines N` prints the last N records across the current
 * and gzipped files; `logs --follow`, run for a few seconds across rotations and stopped with
 * Ctrl+C, prints every number once, in order; `--since 1m` prints every record of the last minute.
 *
 * One service for the whole file (installed by the second test, removed at the end). No ports.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFixture, dataDirOf, e2eFile, removeService, runExe, sleep, spawnExe, type BuiltFixture } from './wine';

const NAME = 'SvcpackE2ELogs';
const LOG_DIR_WIN = `C:\\ProgramData\\${NAME}\\logs`;

const file = e2eFile<{ built: BuiltFixture }>({
  services: [],
  setup: async () => ({
    built: await buildFixture('log-writer', NAME, { logRotate: '2KB', logKeep: '50', logCompress: 'true', eventLog: 'false', stopTimeout: '5s' }),
  }),
});
afterAll(() => removeService(NAME));

const logDir = () => path.join(dataDirOf(NAME), 'logs');
/** The `seq <n>` numbers of a log text, in order. */
const seqs = (text: string) => [...text.matchAll(/ \[stdout\] seq (\d+)\r?$/gm)].map((m) => Number(m[1]));
const consecutive = (numbers: number[]) => numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1);
/**
 * The first `seq` number in the current log file (it grows with every rotation). Right after a
 * rotation the current file is briefly missing or empty, so this waits (up to 5 s) for its first record.
 */
async function firstSeqOfCurrent(): Promise<number> {
  let first: number | undefined;
  await until('a record in the current log file', () => (first = seqs(readIfThere(path.join(logDir(), `${NAME}.log`)))[0]) !== undefined, 5_000);
  return first!;
}
/** The file's text; '' in the moment a rotation has renamed it and the next one is not there yet. */
const readIfThere = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
/** Every record in the log folder (gzipped files included), in no particular order. */
const allLogText = () =>
  fs
    .readdirSync(logDir())
    .map((f) => path.join(logDir(), f))
    .map((f) => (f.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(f)).toString() : readIfThere(f)))
    .join('');
const rotatedCount = () => fs.readdirSync(logDir()).filter((f) => /\.\d+\.log\.gz$/.test(f)).length;

async function exe(...args: string[]) {
  const t = performance.now();
  const r = await runExe(file.ctx.built.exe, args, { timeoutMs: 30_000, tag: args.join('-').replace(/[^a-z0-9-]+/gi, '') });
  console.log(`[e2e] ${args.join(' ')}: ${Math.round(performance.now() - t)} ms`);
  return r;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('logs', () => {
  test('before the service ever ran: one line naming the log folder, exit 0, nothing on stdout', async () => {
    await removeService(NAME);
    const r = await exe('logs');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toBe(`${NAME}: the service has not written a log yet in ${LOG_DIR_WIN} — start it with "${NAME}.exe start" and try again`);
  });

  test('--lines N: the last N records, across the current and gzipped rotated files', async () => {
    expect((await exe('install', '--start-type', 'manual', '--arg', 'lines-per-sec=80')).code).toBe(0);
    const started = await exe('start');
    expect(started.code, started.stderr).toBe(0);
    await until('two rotations', () => fs.existsSync(logDir()) && rotatedCount() >= 2, 20_000);

    const before = seqs(readIfThere(path.join(logDir(), `${NAME}.log`))).at(-1) ?? 0;
    let r = await exe('logs', '--lines', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const five = r.stdout.trimEnd().split(/\r?\n/);
    expect(five, r.stdout).toHaveLength(5);
    expect(seqs(r.stdout)).toHaveLength(5);
    expect(consecutive(seqs(r.stdout)), r.stdout).toBe(true);
    expect(seqs(r.stdout)[0]).toBeGreaterThan(before - 5); // the last ones when it ran

    // ~42 records a file: 100 reach back into the gzipped files.
    r = await exe('logs', '--lines', '100');
    expect(r.code, r.stderr).toBe(0);
    expect(seqs(r.stdout)).toHaveLength(100);
    expect(consecutive(seqs(r.stdout)), r.stdout).toBe(true);
    expect(seqs(r.stdout)[0]!).toBeLessThan(await firstSeqOfCurrent());
  });

  test('--follow: every record once, in order, across rotations, until Ctrl+C (exit 0)', async () => {
    const follow = spawnExe(file.ctx.built.exe, ['logs', '--follow', '--lines', '3'], { tag: 'logs-follow' });
    try {
      await until('the follower to print', () => seqs(follow.stdout()).length >= 3, 20_000);
      // ~42 records a file: 130 records span three rotations.
      await until('rotations while following', () => seqs(follow.stdout()).length > 130, 15_000);
      process.kill(follow.pid, 'SIGINT'); // a real Ctrl+C under Wine (see service.test.ts)
      const exit = await Promise.race([follow.exited, sleep(10_000).then(() => null)]);
      const printed = seqs(follow.stdout());
      const detail = `exit ${JSON.stringify(exit)}; stderr: ${follow.stderr()}; printed ${printed[0]}..${printed.at(-1)} (${printed.length})`;
      expect(exit, detail).toEqual({ code: 0, signal: null });
      expect(follow.stderr(), detail).toBe('');
      expect(consecutive(printed), detail).toBe(true);
      // The file it started in has rotated at least twice since.
      expect(await firstSeqOfCurrent(), detail).toBeGreaterThan(printed[0]! + 42);
      console.log(`[e2e] logs --follow printed ${printed.length} records (${printed[0]}..${printed.at(-1)}) across rotations, none lost or repeated`);
    } finally {
      await follow.kill();
    }
  });

  test('--since 1m: every record of the last minute, in order', async () => {
    const t = Date.now();
    const r = await exe('logs', '--since', '1m');
    const tEnd = Date.now();
    expect(r.code, r.stderr).toBe(0);
    const records = r.stdout.trimEnd().split(/\r?\n/);
    const time = (line: string) => Date.parse(line.slice(0, 24));
    expect(records.every((line) => time(line) >= t - 60_000), records[0]).toBe(true);
    const printed = seqs(r.stdout);
    expect(consecutive(printed), `${printed[0]}..${printed.at(-1)}`).toBe(true);
    // Nothing of the last minute left out: the record before the first printed one, if any, is older.
    const before = allLogText().split('\n').find((line) => line.endsWith(` [stdout] seq ${printed[0]! - 1}`));
    if (before !== undefined) expect(time(before), before).toBeLessThan(tEnd - 60_000);
    else expect(records.some((line) => / \[lifecycle\] running$/.test(line))).toBe(true); // from the service's start
  });
});
