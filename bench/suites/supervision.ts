/**
 * Suite 'supervision': what svcpack's supervised mode (`--supervise true`) delivers, under Wine.
 *
 * - Restart latency: bench/apps/idle-http.ts built supervised with the DEFAULT restart settings;
 *   GET /crash, then GET /pid every 5 ms until another pid answers: crash → serving again. Every
 *   sample is a first restart (at the initial delay): the service is started afresh for each one,
 *   so the restart policy's backoff and restart count start from zero (with the default
 *   `--healthy-after` of 1 m, a second crash in the same run would wait twice as long).
 * - Log throughput: fixtures/log-flood (100,000 numbered lines written 100 per write) built
 *   supervised with a small size rotation; lines/s and MB/s through the supervisor into the
 *   rotated files, and every line's number read back from all files: loss and duplication.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createServiceCommand, dataDirOf, ensurePortFree, fixturesDir, readText, removeService, sleep, winPath } from '../../test/support/wine';
import { absoluteCheck, measurement, summarize } from '../lib/stats';
import type { BenchContext, Check, Measurement, Suite, SuiteResult } from '../lib/types';
import { buildNativeTools, timeServiceOp, type NativeTools } from '../native/build';
import {
  buildSvcpack,
  CONTENDERS,
  deleteService,
  expectTimerOk,
  httpGetLocal,
  POLL_MS,
  pollHttp,
  svcpackLogDir,
  withWine,
} from './service';

const RESTART_NAME = 'SvcpackBenchRestart';
const RESTART_PORT = 18321;
const FLOOD_NAME = 'SvcpackBenchFlood';
/** fixtures/log-flood writes this many lines. */
export const FLOOD_LINES = 100_000;
/** Small enough to rotate ≈ 20 times during the flood (≈ 5.3 MB of records), with room to keep every file. */
const FLOOD_ROTATE = '256KB';
const FLOOD_KEEP = 200;


// ---------------------------------------------------------------- log reading (pure parts tested)

export interface LogRecord {
  /** ms since the epoch (the record's ISO time, written by the supervisor when it logged the line). */
  at: number;
  level: string;
  source: string;
  message: string;
  /** The record's bytes in the file, newline included. */
  bytes: number;
}

/** The records of a log text, one per line (`<ISO time> <level> [<source>] <message>`); other lines are skipped. */
export function parseLogRecords(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\w+) +\[(\w+)\] (.*)$/.exec(line);
    if (m) out.push({ at: Date.parse(m[1]!), level: m[2]!, source: m[3]!, message: m[4]!, bytes: Buffer.byteLength(line) + 1 });
  }
  return out;
}

/**
 * The log files of service `name` in `files` (names), oldest first: `<name>.N.log[.gz]` from the
 * highest N down, then `<name>.log` (docs/writing-the-app.md, "Logs": oldest to newest).
 */
export function logFilesOldestFirst(files: readonly string[], name: string): string[] {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const rotated = files
    .map((f) => ({ f, m: new RegExp(`^${esc}\\.(\\d+)\\.log$`).exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(b.m[1]) - Number(a.m[1]))
    .map((x) => x.f);
  return files.includes(`${name}.log`) ? [...rotated, `${name}.log`] : rotated;
}

export interface SequenceCount {
  /** Numbered lines read. */
  read: number;
  /** Numbers in 0..expected-1 never seen. */
  missing: number;
  /** Lines beyond the first of their number (a number seen twice counts 1). */
  duplicated: number;
  /** Numbers outside 0..expected-1. */
  unexpected: number;
  /** Lines whose number is not greater than the one before. */
  outOfOrder: number;
}

/** Counts loss, duplication and reordering of the numbers 0..expected-1 in `numbers` (in file order). */
export function countSequence(numbers: readonly number[], expected: number): SequenceCount {
  const seen = new Uint8Array(expected);
  let duplicated = 0;
  let unexpected = 0;
  let outOfOrder = 0;
  let prev = -Infinity;
  for (const n of numbers) {
    if (!Number.isInteger(n) || n < 0 || n >= expected) unexpected++;
    else if (seen[n]) duplicated++;
    else seen[n] = 1;
    if (n <= prev) outOfOrder++;
    prev = n;
  }
  let missing = 0;
  for (let i = 0; i < expected; i++) if (!seen[i]) missing++;
  return { read: numbers.length, missing, duplicated, unexpected, outOfOrder };
}

export interface FloodResult extends SequenceCount {
  /** Time of the record of line 0 → time of the record of the last line, ms (log timestamps). */
  windowMs: number;
  linesPerSecond: number;
  /** Bytes of the `[stdout] line N` records in the files (prefix and newline included). */
  bytes: number;
  mbPerSecond: number;
  /** The app's own figure from its `flood done: … in N ms` line, if present. */
  appMs: number | null;
}

/** Reads the flood's numbered records (in file order, oldest file first) and sums up (pure). */
export function analyzeFlood(records: readonly LogRecord[], expected: number): FloodResult {
  const numbered: { n: number; r: LogRecord }[] = [];
  let appMs: number | null = null;
  for (const r of records) {
    if (r.source !== 'stdout') continue;
    const m = /^line (\d+)$/.exec(r.message);
    if (m) numbered.push({ n: Number(m[1]), r });
    const done = /^flood done: \d+ lines in (\d+) ms$/.exec(r.message);
    if (done) appMs = Number(done[1]);
  }
  const counts = countSequence(
    numbered.map((x) => x.n),
    expected,
  );
  const first = numbered.find((x) => x.n === 0)?.r.at;
  const last = numbered.find((x) => x.n === expected - 1)?.r.at;
  // The window cannot be shorter than the log's 1 ms resolution.
  const windowMs = first !== undefined && last !== undefined ? Math.max(1, last - first) : NaN;
  const bytes = numbered.reduce((s, x) => s + x.r.bytes, 0);
  return {
    ...counts,
    windowMs,
    linesPerSecond: (counts.read / windowMs) * 1000,
    bytes,
    mbPerSecond: bytes / (1024 * 1024) / (windowMs / 1000),
    appMs,
  };
}

/** Every log file of service `name` in `dir`, oldest first, concatenated. */
function readLogs(dir: string, name: string): { text: string; files: number } {
  if (!fs.existsSync(dir)) return { text: '', files: 0 };
  const files = logFilesOldestFirst(fs.readdirSync(dir), name);
  return { text: files.map((f) => readText(path.join(dir, f))).join(''), files: files.length };
}

// ---------------------------------------------------------------- the suite

export const supervisionSuite: Suite = {
  name: 'supervision',
  title: 'Supervised mode: restart latency and log throughput under Wine',
  run: (ctx) => withWine(() => runSupervisionSuite(ctx)),
};

interface RestartSample {
  latencyMs: number;
  /** Crash answered → supervisor logged the exit (log clock vs Linux clock, both CLOCK_REALTIME). */
  noticedMs: number | null;
  /** Supervisor logged the restart decision → `app running` of the new child, minus the delay. */
  relaunchMs: number | null;
}

async function restartOnce(tools: NativeTools, logFile: string, initialDelayMs: number): Promise<RestartSample> {
  await ensurePortFree(RESTART_PORT);
  const logOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  expectTimerOk(await timeServiceOp(tools, 'start', RESTART_NAME), 'restart');
  try {
    const first = await pollHttp(RESTART_PORT, '/pid', { timeoutMs: 30_000 });
    const oldPid = first!.answer.body;
    const crash = await httpGetLocal(RESTART_PORT, '/crash', 5_000);
    const crashedAt = performance.now();
    if (crash?.body !== 'crashing') throw new Error(`GET /crash answered ${JSON.stringify(crash)}`);
    const back = await pollHttp(RESTART_PORT, '/pid', {
      intervalMs: POLL_MS,
      timeoutMs: initialDelayMs + 30_000,
      accept: (a) => a.status === 200 && a.body !== oldPid,
    });
    const latencyMs = back!.at - crashedAt;

    // The supervisor's view, from its log (the log clock and Date are both CLOCK_REALTIME).
    const crashedAtEpoch = performance.timeOrigin + crashedAt;
    await sleep(50); // the `app running` record may trail the first answer
    const text = readText(logFile).slice(logOffset);
    const records = parseLogRecords(text).filter((r) => r.source === 'supervisor');
    const exited = records.find((r) => r.message.startsWith('app exited unexpectedly'));
    const decision = records.find((r) => r.message.startsWith('restarting the app in'));
    if (!decision || !/\(restart 1\)$/.test(decision.message)) {
      throw new Error(`expected a first restart in the supervisor log, found: ${decision?.message ?? 'none'}\n${text}`);
    }
    const delay = Number(/in (\d+(?:\.\d+)?) s/.exec(decision.message)?.[1]) * 1000;
    if (Math.abs(delay - initialDelayMs) > 50) throw new Error(`the restart waited ${delay} ms, not the initial delay ${initialDelayMs} ms: ${decision.message}`);
    const running = records.filter((r) => r.message.startsWith('app running')).find((r) => r.at >= decision.at);
    return {
      latencyMs,
      noticedMs: exited ? exited.at - crashedAtEpoch : null,
      relaunchMs: running ? running.at - decision.at - initialDelayMs : null,
    };
  } finally {
    expectTimerOk(await timeServiceOp(tools, 'stop', RESTART_NAME), 'restart (stop)');
  }
}

async function floodOnce(tools: NativeTools, logDir: string): Promise<FloodResult & { files: number }> {
  fs.rmSync(logDir, { recursive: true, force: true });
  expectTimerOk(await timeServiceOp(tools, 'start', FLOOD_NAME), 'log flood');
  let logs = { text: '', files: 0 };
  try {
    const deadline = performance.now() + 60_000;
    for (;;) {
      logs = readLogs(logDir, FLOOD_NAME);
      if (/\[stdout\] flood done/.test(logs.text)) break;
      if (performance.now() > deadline) throw new Error(`log flood: no "flood done" within 60 s (${logs.files} files)`);
      await sleep(100);
    }
  } finally {
    expectTimerOk(await timeServiceOp(tools, 'stop', FLOOD_NAME), 'log flood (stop)');
  }
  logs = readLogs(logDir, FLOOD_NAME);
  if (logs.files >= FLOOD_KEEP) throw new Error(`log flood: ${logs.files} files, the rotation may have deleted some (keep ${FLOOD_KEEP})`);
  return { ...analyzeFlood(parseLogRecords(logs.text), FLOOD_LINES), files: logs.files };
}

async function runSupervisionSuite(ctx: BenchContext): Promise<SuiteResult> {
  const root = path.join(ctx.workDir, 'supervision');
  fs.mkdirSync(root, { recursive: true });
  ctx.log('supervision: building idle-http (supervised, default restart settings) and log-flood (supervised, rotating)');
  const [tools, restartBuild, floodBuild] = await Promise.all([
    buildNativeTools(ctx.toolsDir, ctx.log),
    buildSvcpack(RESTART_NAME, path.join(root, 'restart'), { supervise: true }),
    buildSvcpack(FLOOD_NAME, path.join(root, 'flood'), { supervise: true, logRotate: FLOOD_ROTATE, logKeep: String(FLOOD_KEEP) }, path.join(fixturesDir, 'log-flood', 'app.ts')),
  ]);
  const policy = restartBuild.record.supervision.policy;
  const initialDelayMs = policy.initialDelayMs;
  for (const name of [RESTART_NAME, FLOOD_NAME]) fs.rmSync(dataDirOf(name), { recursive: true, force: true });

  const restarts: RestartSample[] = [];
  const floods: (FloodResult & { files: number })[] = [];
  try {
    await createServiceCommand(RESTART_NAME, `"${winPath(restartBuild.exe)}" --service ${RESTART_PORT}`);
    for (let i = 0; i < ctx.reps; i++) {
      const s = await restartOnce(tools, path.join(svcpackLogDir(RESTART_NAME), `${RESTART_NAME}.log`), initialDelayMs);
      restarts.push(s);
      ctx.log(
        `supervision: rep ${i + 1}/${ctx.reps} crash → serving ${s.latencyMs.toFixed(1)} ms (delay ${initialDelayMs} ms; exit noticed after ${fmt(s.noticedMs)} ms, relaunch ${fmt(s.relaunchMs)} ms after the delay)`,
      );
    }
    await deleteService(RESTART_NAME);

    await createServiceCommand(FLOOD_NAME, `"${winPath(floodBuild.exe)}" --service`);
    for (let i = 0; i < ctx.reps; i++) {
      const f = await floodOnce(tools, svcpackLogDir(FLOOD_NAME));
      floods.push(f);
      ctx.log(
        `supervision: rep ${i + 1}/${ctx.reps} log flood ${f.read} lines in ${f.windowMs} ms over ${f.files} files: ${Math.round(f.linesPerSecond)} lines/s, ${f.mbPerSecond.toFixed(1)} MB/s; missing ${f.missing}, duplicated ${f.duplicated}, out of order ${f.outOfOrder}`,
      );
    }
    await deleteService(FLOOD_NAME);
  } finally {
    await removeService(RESTART_NAME);
    await removeService(FLOOD_NAME);
  }

  const who = CONTENDERS.supervised;
  const med = (xs: (number | null)[]): number | string => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? 'n/a' : Math.round(summarize(v).median * 10) / 10;
  };
  const restartDetails = {
    'initial restart delay (ms)': initialDelayMs,
    'restart settings': `delay ${policy.initialDelayMs} ms ×${policy.factor} up to ${policy.maxDelayMs} ms, healthy after ${policy.healthyAfterMs} ms, ${policy.maxRestarts} restarts / ${policy.windowMs} ms`,
    'crash → exit logged (median ms)': med(restarts.map((r) => r.noticedMs)),
    'delay end → app running logged (median ms)': med(restarts.map((r) => r.relaunchMs)),
  };
  const latency = measurement('restart.latency', 'crash → serving again (first restart)', who, 'ms', restarts.map((r) => r.latencyMs), restartDetails);
  const overhead = measurement('restart.overhead', 'restart latency − initial restart delay', who, 'ms', restarts.map((r) => r.latencyMs - initialDelayMs), {
    'initial restart delay (ms)': initialDelayMs,
  });
  const floodDetails = {
    lines: FLOOD_LINES,
    'rotation': `${FLOOD_ROTATE}, keep ${FLOOD_KEEP}`,
    'log files (last rep)': floods[floods.length - 1]!.files,
    'app-side write time (median ms)': med(floods.map((f) => f.appMs)),
    'window (median ms)': med(floods.map((f) => f.windowMs)),
  };
  const lines = measurement('log.lines', 'log throughput through the supervisor', who, 'lines/s', floods.map((f) => f.linesPerSecond), floodDetails);
  const mbps = measurement('log.bytes', 'log throughput through the supervisor', who, 'MB/s', floods.map((f) => f.mbPerSecond), floodDetails);
  const lost = measurement('log.lost', 'lines lost + duplicated (+ out-of-range numbers)', who, 'count', floods.map((f) => f.missing + f.duplicated + f.unexpected), {
    missing: floods.reduce((s, f) => s + f.missing, 0),
    duplicated: floods.reduce((s, f) => s + f.duplicated, 0),
    unexpected: floods.reduce((s, f) => s + f.unexpected, 0),
    'out of order': floods.reduce((s, f) => s + f.outOfOrder, 0),
  });
  const measurements: Measurement[] = [latency, overhead, lines, mbps, lost];

  const checks: Check[] = [
    absoluteCheck({
      id: 'restart.latency',
      label: 'supervised restart: crash → serving again',
      measurement: latency,
      target: { op: '<=', value: 1000 },
      explanation: `the default initial restart delay is ${initialDelayMs} ms; the latency is that delay plus ${Math.round(overhead.stats.median)} ms (restart.overhead: noticing the exit, starting the exe again, Node start-up, listen()).`,
    }),
    absoluteCheck({
      id: 'log.lines',
      label: 'supervised log throughput, lines/s',
      measurement: lines,
      target: { op: '>=', value: 100_000 },
    }),
    absoluteCheck({
      id: 'log.lost',
      label: 'supervised log: lines lost + duplicated',
      measurement: lost,
      target: { op: '<=', value: 0 },
    }),
  ];

  const notes = [
    `Restart latency: idle-http built with --supervise true and no restart flags (defaults: first delay ${initialDelayMs} ms, read from the build record). Each sample starts the service afresh, waits for it to answer, sends GET /crash (the app answers, then throws on the next tick), and polls GET /pid from Linux every ${POLL_MS} ms on fresh connections until a different pid answers; the sample is the time from the /crash answer to that answer. Starting afresh makes every sample a first restart at the initial delay (the supervisor log is checked for "(restart 1)" at that delay). restart.overhead is latency − initial delay: noticing the exit, spawning the exe again, Node start-up and the app's listen().`,
    `Log throughput: fixtures/log-flood (${FLOOD_LINES.toLocaleString('en-US')} lines "line N", 100 per stdout write) built with --supervise true --log-rotate ${FLOOD_ROTATE} --log-keep ${FLOOD_KEEP}; the supervisor reads the app's stdout pipe and is the log's only writer. The window runs from the log record of line 0 to that of line ${FLOOD_LINES - 1} (the supervisor's timestamps when it wrote them, 1 ms resolution): it excludes the app's start-up and includes every pipe read, record formatting, write and rotation in between. lines/s = lines read back / window; MB/s = bytes of those records in the files (timestamp, level and source prefix included; MB = 2^20 bytes) / window.`,
    'The app-side write time in the details is the app\'s own figure (its "flood done … in N ms" line: writing every line into the pipe, back-pressure included). A window close to it means the supervisor kept pace and the figure is the rate the app produced lines at, a lower bound of what the supervisor can take.',
    'Loss and duplication: every rotated file is read back oldest to newest and each line number counted; lost + duplicated must be 0 (out-of-order lines are reported in the details).',
  ];

  return { suite: 'supervision', title: 'Supervised mode: restart latency and log throughput under Wine', measurements, checks, notes };
}

function fmt(x: number | null): string {
  return x === null ? '?' : x.toFixed(1);
}
