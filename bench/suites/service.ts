/**
 * Suite 'service': what it costs to be a Windows service, measured under Wine's Service Control
 * Manager. Five contenders run the same service life, interleaved repetition by repetition:
 *
 * - `svcpack` — bench/apps/idle-http.ts built with svcpack (in-process, default settings);
 * - `svcpack --supervise` — the same, supervised (supervisor + app child process);
 * - `native C service` — bench/native/floor-service.c, the floor any service costs here;
 * - `bare node.exe (koffi)` — stock node.exe running bench/apps/bare-service.ts, the cheapest way
 *   to make a Node app a service (the baseline of the checks);
 * - `NSSM-style wrapper + node.exe` — bench/native/wrap-service.c starting `node.exe idle-http.js`.
 *
 * One repetition of one contender: create the service, StartService → RUNNING (scm-timer, through
 * the SCM API inside Wine), StartService → HTTP answering, 2 s idle, the memory of every process
 * of the service (Linux /proc: Wine processes are Linux processes), V8 heap from the app, STOP →
 * STOPPED (scm-timer), delete the service and make sure its processes are gone.
 *
 * Exports the pieces the supervision suite and the tests reuse (/proc reading, HTTP polling, the
 * idle-http builds, Wine session handling).
 */
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { build, type BuildOptions } from '../../src/build';
import { acquireRuntime } from '../../src/runtime/acquire';
import { createServiceCommand, dataDirOf, ensurePortFree, removeService, repoRoot, sc, sleep, startWine, winPath } from '../../test/support/wine';
import { differenceCheck, measurement, ratioCheck, round1, summarize } from '../lib/stats';
import { interleave } from '../lib/timer';
import { PEER_VERSIONS } from '../peers/tools';
import type { BenchContext, Check, Measurement, Suite, SuiteResult } from '../lib/types';
import { buildNativeTools, timeServiceOp, type NativeTools, type TimerResult } from '../native/build';

/**
 * The Node every Node contender of this suite and the supervision suite runs: the peers' Node, so
 * these figures stay comparable with earlier runs. Every supported line is compared in the 'lines'
 * suite (bench/suites/lines.ts).
 */
export const BENCH_NODE_VERSION = PEER_VERSIONS.node;

export const IDLE_HTTP_ENTRY = path.join(repoRoot, 'bench', 'apps', 'idle-http.ts');
export const BARE_SERVICE_ENTRY = path.join(repoRoot, 'bench', 'apps', 'bare-service.ts');

/** How long a started service idles before its memory is read. */
const IDLE_MS = 2_000;
/** Interval of the Linux-side HTTP polls (readiness, restarts). */
export const POLL_MS = 5;

export const CONTENDERS = {
  svcpack: 'svcpack',
  supervised: 'svcpack --supervise',
  native: 'native C service',
  bare: 'bare node.exe (koffi)',
  wrapper: 'NSSM-style wrapper + node.exe',
} as const;

// ---------------------------------------------------------------- /proc (pure parts tested)

export interface ProcEntry {
  pid: number;
  /** The name in /proc/<pid>/stat (Wine sets it to the exe's file name, cut to 15 characters). */
  comm: string;
  /** /proc/<pid>/cmdline. For a Wine process: the Windows command line, split (Wine pads it with empty arguments, dropped here). */
  args: string[];
  /** The state letter in /proc/<pid>/stat (R, S, D, Z…). */
  state: string;
}

/** The arguments of a /proc/<pid>/cmdline text (NUL-separated); empty arguments are dropped. */
export function parseCmdline(raw: string): string[] {
  return raw.split('\0').filter((a) => a !== '');
}

/**
 * The comm and state fields of a /proc/<pid>/stat line: comm is between the first '(' and the last
 * ')' (it may hold either), the state letter follows it.
 */
export function parseStat(stat: string): { comm: string; state: string } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return { comm: '', state: '?' };
  return { comm: stat.slice(open + 1, close), state: stat.slice(close + 2, close + 3) || '?' };
}

/** A zombie (Z) or dead (X) process: exited, only its entry is left. */
export const isExited = (p: Pick<ProcEntry, 'state'>): boolean => p.state === 'Z' || p.state === 'X';

/** Rss and Pss (kB, i.e. KiB) of a /proc/<pid>/smaps_rollup text. Throws when either is missing. */
export function parseSmapsRollup(text: string): { rssKiB: number; pssKiB: number } {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`smaps_rollup has no ${name} line`);
    return Number(m[1]);
  };
  return { rssKiB: field('Rss'), pssKiB: field('Pss') };
}

/**
 * Which of `procs` belong to a service (pure). Wine gives no useful parent pid (every Wine process
 * is a child of init), so a process belongs to the service when its command line contains one of
 * `needles` (Windows paths only this contender uses, compared case-insensitively), or when it is a
 * conhost.exe that did not exist before the service started (`before`): Windows starts one for a
 * console program launched without a console (svcpack's supervised child), and it is part of what
 * the service costs. Processes in `before` never belong (a leftover would be a bug, caught elsewhere).
 */
export function serviceProcesses(procs: readonly ProcEntry[], needles: readonly string[], before: ReadonlySet<number>): ProcEntry[] {
  const lower = needles.map((n) => n.toLowerCase());
  return procs.filter((p) => {
    if (before.has(p.pid) || isExited(p)) return false;
    const line = p.args.join(' ').toLowerCase();
    if (lower.some((n) => line.includes(n))) return true;
    return p.comm.toLowerCase() === 'conhost.exe';
  });
}

/** Processes whose command line contains one of `needles` (case-insensitive), leftovers included (pure). */
export function processesMatching(procs: readonly ProcEntry[], needles: readonly string[]): ProcEntry[] {
  const lower = needles.map((n) => n.toLowerCase());
  return procs.filter((p) => !isExited(p) && lower.some((n) => p.args.join(' ').toLowerCase().includes(n)));
}

/** Every process in /proc (those that vanish while being read are skipped). */
export function listProcesses(procDir = '/proc'): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const name of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = parseCmdline(fs.readFileSync(path.join(procDir, name, 'cmdline'), 'utf8'));
      const stat = parseStat(fs.readFileSync(path.join(procDir, name, 'stat'), 'utf8'));
      out.push({ pid: Number(name), args, ...stat });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export interface ProcessMemory extends ProcEntry {
  rssKiB: number;
  pssKiB: number;
}

/** Rss/Pss of each process (from smaps_rollup); processes that exited meanwhile are left out. */
export function readMemory(procs: readonly ProcEntry[], procDir = '/proc'): ProcessMemory[] {
  const out: ProcessMemory[] = [];
  for (const p of procs) {
    try {
      out.push({ ...p, ...parseSmapsRollup(fs.readFileSync(path.join(procDir, String(p.pid), 'smaps_rollup'), 'utf8')) });
    } catch {
      // exited
    }
  }
  return out;
}

/** Short label of a Wine process for the report: exe file name and its first argument. */
export function processLabel(p: ProcEntry): string {
  const exe = (p.args[0] ?? p.comm).split(/[\\/]/).pop() ?? p.comm;
  const rest = p.args.slice(1, 2).map((a) => a.split(/[\\/]/).pop());
  return [exe, ...rest].join(' ');
}

/** Waits until none of `pids` is alive; returns the survivors after `timeoutMs` (empty: all gone). */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const alive = (pid: number): boolean => {
    const stat = safeRead(`/proc/${pid}/stat`);
    return stat !== '' && !isExited(parseStat(stat));
  };
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || performance.now() > deadline) return left;
    await sleep(20);
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const MiB = 1024 * 1024;

// ---------------------------------------------------------------- HTTP

export interface HttpAnswer {
  status: number;
  body: string;
}

/** GET http://127.0.0.1:<port><urlPath> on a fresh connection (no keep-alive pool); null when nothing answers. */
export function httpGetLocal(port: number, urlPath: string, timeoutMs = 1_000): Promise<HttpAnswer | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/**
 * Polls GET `urlPath` every `intervalMs` until an answer satisfies `accept` (default: status 200).
 * Resolves with the answer and `at`, the performance.now() when it arrived; rejects after
 * `timeoutMs`, or resolves null once `cancelled()` says so.
 */
export async function pollHttp(
  port: number,
  urlPath: string,
  opts: { intervalMs?: number; timeoutMs: number; accept?: (a: HttpAnswer) => boolean; cancelled?: () => boolean },
): Promise<{ answer: HttpAnswer; at: number } | null> {
  const accept = opts.accept ?? ((a: HttpAnswer) => a.status === 200);
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    if (opts.cancelled?.()) return null;
    const answer = await httpGetLocal(port, urlPath, 1_000);
    const at = performance.now();
    if (answer && accept(answer)) return { answer, at };
    if (at > deadline) throw new Error(`no acceptable answer from http://127.0.0.1:${port}${urlPath} within ${opts.timeoutMs} ms (last: ${JSON.stringify(answer)})`);
    await sleep(opts.intervalMs ?? POLL_MS);
  }
}

// ---------------------------------------------------------------- Wine, services, builds

/** Runs `fn` inside a Wine session (the SCM lives as long as it). */
export async function withWine<T>(fn: () => Promise<T>): Promise<T> {
  const session = await startWine();
  try {
    return await fn();
  } finally {
    await session.stop();
  }
}

/** `sc delete`, checked. */
export async function deleteService(name: string): Promise<void> {
  const r = await sc('delete', name);
  if (r.code !== 0) throw new Error(`sc delete ${name} failed (exit ${r.code}):\n${r.text}`);
}

/** Throws a readable error for a failed scm-timer operation. */
export function expectTimerOk(r: TimerResult, what: string, hint = ''): TimerResult {
  if (!r.ok) throw new Error(`${what}: scm-timer ${r.op} ${r.service} failed: ${r.error ?? '?'} (state ${r.state}, exit ${r.win32ExitCode}/${r.serviceExitCode})${hint}`);
  return r;
}

/** The log folder of svcpack service `name` (its data folder in the prefix). */
export function svcpackLogDir(name: string): string {
  return path.join(dataDirOf(name), 'logs');
}

/** Builds bench/apps/idle-http.ts (or `entry`) with svcpack as service `name` into `outDir`; returns the exe and build record. */
export async function buildSvcpack(name: string, outDir: string, extra: Partial<BuildOptions> = {}, entry = IDLE_HTTP_ENTRY) {
  const result = await build({ entry, name, outDir, node: BENCH_NODE_VERSION, ...extra });
  const exe = result.files[0] ?? path.join(outDir, `${name}.exe`);
  return { exe, record: result.record };
}

/** Bundles a bench app (TypeScript) to one CommonJS file for a plain node.exe; koffi stays a require. */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  await esbuild({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    outfile,
    external: ['koffi'],
    logLevel: 'silent',
  });
}

/**
 * Makes `require('koffi')` work for scripts in `dir`: the installed koffi's entry, package.json and
 * its win32_x64 native module only (the whole package is 84 MB of every platform's binaries).
 */
export function installKoffi(dir: string): void {
  const from = path.dirname(createRequire(import.meta.url).resolve('koffi/package.json'));
  const to = path.join(dir, 'node_modules', 'koffi');
  for (const file of ['package.json', 'index.js', 'build/koffi/win32_x64/koffi.node']) {
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

// ---------------------------------------------------------------- the suite

/** One service to run under the SCM: see {@link runServiceLife}. */
export interface ServiceContender {
  label: string;
  service: string;
  commandLine: string;
  /** Windows paths only this contender's processes carry in their command lines. */
  needles: string[];
  /** The idle-http port; null for the native service (no HTTP). */
  port: number | null;
  /** Whether the app answers GET /memory (idle-http does); default true. Without it the heap figures are null. */
  memoryRoute?: boolean;
  /** Ready at any HTTP answer to GET / (a 404 too: the app listens), not only a 200; default false. */
  anyAnswer?: boolean;
}

export interface RepSample {
  startMs: number;
  readyMs: number | null;
  stopMs: number;
  processExitMs: number | null;
  rssMiB: number;
  pssMiB: number;
  heapUsedMiB: number | null;
  heapTotalMiB: number | null;
  processes: ProcessMemory[];
  startMethod: string;
  /** How the app ran a full GC before reporting its heap (idle-http: exposed, runtime, none). */
  gc: string;
}

const PORTS = { svcpack: 18311, supervised: 18312, bare: 18313, wrapper: 18314 } as const;
const NAMES = {
  svcpack: 'SvcpackBenchInproc',
  supervised: 'SvcpackBenchSupervised',
  native: 'SvcpackBenchNative',
  bare: 'SvcpackBenchBare',
  wrapper: 'SvcpackBenchWrapped',
} as const;

export const serviceSuite: Suite = {
  name: 'service',
  title: 'Service start, stop and idle memory under Wine',
  run: (ctx) => withWine(() => runServiceSuite(ctx)),
};

async function prepare(ctx: BenchContext): Promise<{ tools: NativeTools; contenders: Record<keyof typeof NAMES, ServiceContender> }> {
  const root = path.join(ctx.workDir, 'service');
  const dirs = {
    svcpack: path.join(root, 'svcpack'),
    supervised: path.join(root, 'supervised'),
    bare: path.join(root, 'bare'),
    wrapper: path.join(root, 'wrapper'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  ctx.log('service: building the contenders (svcpack ×2, bare host, native tools)');
  const [tools, runtime, inproc, supervised] = await Promise.all([
    buildNativeTools(ctx.toolsDir, ctx.log),
    acquireRuntime({ version: BENCH_NODE_VERSION }),
    buildSvcpack(NAMES.svcpack, dirs.svcpack),
    buildSvcpack(NAMES.supervised, dirs.supervised, { supervise: true }),
    bundleForNode(BARE_SERVICE_ENTRY, path.join(dirs.bare, 'bare-service.js')),
    bundleForNode(IDLE_HTTP_ENTRY, path.join(dirs.bare, 'idle-http.js')),
    bundleForNode(IDLE_HTTP_ENTRY, path.join(dirs.wrapper, 'idle-http.js')),
  ]);
  installKoffi(dirs.bare);
  const nodeExe = winPath(runtime.targetExe);
  const q = (p: string) => `"${winPath(p)}"`;
  const contenders: Record<keyof typeof NAMES, ServiceContender> = {
    native: { label: CONTENDERS.native, service: NAMES.native, commandLine: q(tools.floorService), needles: [winPath(tools.floorService)], port: null },
    bare: {
      label: CONTENDERS.bare,
      service: NAMES.bare,
      commandLine: `"${nodeExe}" ${q(path.join(dirs.bare, 'bare-service.js'))} ${q(path.join(dirs.bare, 'idle-http.js'))} ${PORTS.bare}`,
      needles: [winPath(dirs.bare)],
      port: PORTS.bare,
    },
    svcpack: { label: CONTENDERS.svcpack, service: NAMES.svcpack, commandLine: `${q(inproc.exe)} --service ${PORTS.svcpack}`, needles: [winPath(inproc.exe)], port: PORTS.svcpack },
    supervised: {
      label: CONTENDERS.supervised,
      service: NAMES.supervised,
      commandLine: `${q(supervised.exe)} --service ${PORTS.supervised}`,
      needles: [winPath(supervised.exe)],
      port: PORTS.supervised,
    },
    wrapper: {
      label: CONTENDERS.wrapper,
      service: NAMES.wrapper,
      commandLine: `${q(tools.wrapService)} "${nodeExe}" ${q(path.join(dirs.wrapper, 'idle-http.js'))} ${PORTS.wrapper}`,
      // The wrapper's command line and node.exe's both name the script in this folder.
      needles: [winPath(dirs.wrapper)],
      port: PORTS.wrapper,
    },
  };
  // A previous run's data folders (logs) would only grow.
  for (const name of [NAMES.svcpack, NAMES.supervised]) fs.rmSync(dataDirOf(name), { recursive: true, force: true });
  return { tools, contenders };
}

/**
 * One service life of one contender: create, start (timed), HTTP answering (timed), 2 s idle,
 * memory, stop (timed), delete, its processes checked gone. Shared with the lines suite.
 */
export async function runServiceLife(tools: NativeTools, c: ServiceContender): Promise<RepSample> {
  if (c.port !== null) await ensurePortFree(c.port);
  await createServiceCommand(c.service, c.commandLine);
  const before = new Set(listProcesses().map((p) => p.pid));

  let failed = false;
  const ready =
    c.port === null
      ? null
      : pollHttp(c.port, '/', { timeoutMs: 60_000, cancelled: () => failed, ...(c.anyAnswer ? { accept: () => true } : {}) }).catch((err: unknown) => {
          failed = true;
          throw err;
        });
  ready?.catch(() => undefined);
  let start: TimerResult;
  try {
    start = expectTimerOk(await timeServiceOp(tools, 'start', c.service), c.label);
  } catch (err) {
    failed = true;
    throw err;
  }
  const startReturnedAt = performance.now();
  // StartService → HTTP answering, on the Linux side: the timer's clock starts inside Wine, so its
  // start moment is taken as (when timeServiceOp returned) − start.ms. That is late by the timer's
  // own exit (1–2 ms, measured), so readiness is understated by as much.
  const readyAt = ready ? (await ready)?.at : undefined;
  const readyMs = readyAt === undefined ? null : start.ms + (readyAt - startReturnedAt);

  await sleep(IDLE_MS);
  const procs = readMemory(serviceProcesses(listProcesses(), c.needles, before));
  if (procs.length === 0) throw new Error(`${c.label}: no process of service ${c.service} found (needles ${c.needles.join(', ')})`);
  let heapUsedMiB: number | null = null;
  let heapTotalMiB: number | null = null;
  let gc = '';
  if (c.port !== null && c.memoryRoute !== false) {
    const mem = await httpGetLocal(c.port, '/memory', 5_000);
    if (!mem || mem.status !== 200) throw new Error(`${c.label}: GET /memory failed: ${JSON.stringify(mem)}`);
    const usage = JSON.parse(mem.body) as NodeJS.MemoryUsage & { gc?: string };
    heapUsedMiB = usage.heapUsed / MiB;
    heapTotalMiB = usage.heapTotal / MiB;
    gc = usage.gc ?? 'none';
  }

  const stop = expectTimerOk(await timeServiceOp(tools, 'stop', c.service), c.label);
  if (stop.win32ExitCode !== 0) throw new Error(`${c.label}: stopped with exit code ${stop.win32ExitCode}/${stop.serviceExitCode}`);
  await deleteService(c.service);
  // Gone: the processes measured, and anything else carrying the contender's paths.
  const left = await waitForExit(
    procs.map((p) => p.pid),
    10_000,
  );
  const strays = processesMatching(listProcesses(), c.needles).map((p) => p.pid);
  const survivors = [...new Set([...left, ...(strays.length > 0 ? await waitForExit(strays, 5_000) : [])])];
  if (survivors.length > 0) throw new Error(`${c.label}: processes ${survivors.join(', ')} still alive after the service stopped`);

  return {
    startMs: start.ms,
    readyMs,
    stopMs: stop.ms,
    processExitMs: stop.processExitMs ?? null,
    rssMiB: procs.reduce((s, p) => s + p.rssKiB, 0) / 1024,
    pssMiB: procs.reduce((s, p) => s + p.pssKiB, 0) / 1024,
    heapUsedMiB,
    heapTotalMiB,
    processes: procs,
    startMethod: start.method,
    gc,
  };
}

const median = (xs: number[]): number => summarize(xs).median;

async function runServiceSuite(ctx: BenchContext): Promise<SuiteResult> {
  const { tools, contenders } = await prepare(ctx);
  const order = ['native', 'bare', 'svcpack', 'supervised', 'wrapper'] as const;
  const samples: Record<string, RepSample[]> = Object.fromEntries(order.map((k) => [k, []]));
  let rep = 0;
  try {
    await interleave(
      ctx.reps,
      Object.fromEntries(
        order.map((key) => [
          key,
          async () => {
            const s = await runServiceLife(tools, contenders[key]);
            samples[key]!.push(s);
            if (key === order[0]) rep++;
            ctx.log(
              `service: rep ${rep}/${ctx.reps} ${contenders[key].label}: start ${s.startMs.toFixed(1)} ms` +
                (s.readyMs === null ? '' : `, ready ${s.readyMs.toFixed(1)} ms`) +
                `, stop ${s.stopMs.toFixed(1)} ms, RSS ${s.rssMiB.toFixed(1)} MB / PSS ${s.pssMiB.toFixed(1)} MB in ${s.processes.length} process(es)` +
                (s.heapUsedMiB === null ? '' : `, heap ${s.heapUsedMiB.toFixed(2)} MB`),
            );
          },
        ]),
      ),
    );
  } finally {
    for (const c of Object.values(contenders)) await removeService(c.service);
  }

  const measurements: Measurement[] = [];
  const byKey: Record<string, Record<string, Measurement>> = {};
  for (const key of order) {
    const c = contenders[key];
    const ss = samples[key]!;
    const last = ss[ss.length - 1]!;
    const m: Record<string, Measurement> = {};
    const processList = last.processes.map((p) => `${processLabel(p)} ${round1(p.rssKiB / 1024)}/${round1(p.pssKiB / 1024)} MB`).join(', ');
    m.start = measurement('service.start', 'StartService → RUNNING', c.label, 'ms', ss.map((s) => s.startMs), {
      method: [...new Set(ss.map((s) => s.startMethod))].join('/'),
    });
    if (c.port !== null) m.ready = measurement('service.ready', 'StartService → HTTP answering', c.label, 'ms', ss.map((s) => s.readyMs!));
    const exits = ss.map((s) => s.processExitMs).filter((x): x is number => x !== null);
    m.stop = measurement('service.stop', 'STOP → STOPPED', c.label, 'ms', ss.map((s) => s.stopMs), {
      ...(exits.length > 0 && { 'service process exited (median ms)': round1(median(exits)) }),
    });
    m.rss = measurement('memory.rss', 'idle memory, RSS (all processes)', c.label, 'MB', ss.map((s) => s.rssMiB), {
      processes: last.processes.length,
      'RSS/PSS per process (MB, last rep)': processList,
    });
    m.pss = measurement('memory.pss', 'idle memory, PSS (all processes)', c.label, 'MB', ss.map((s) => s.pssMiB));
    if (c.port !== null) {
      m.heap = measurement('memory.heap', 'V8 heapUsed after a full GC', c.label, 'MB', ss.map((s) => s.heapUsedMiB!), {
        'heapTotal (median MB)': round1(median(ss.map((s) => s.heapTotalMiB!))),
        gc: [...new Set(ss.map((s) => s.gc))].join('/'),
      });
    }
    m.processes = measurement('memory.processes', 'processes of the service', c.label, 'count', ss.map((s) => s.processes.length), {
      processes: last.processes.map(processLabel).join(', '),
    });
    byKey[key] = m;
    measurements.push(...Object.values(m));
  }

  const sv = byKey.svcpack!;
  const bare = byKey.bare!;
  const mid = (m: Measurement | undefined): string => (m ? m.stats.median.toFixed(m.unit === 'MB' ? 1 : 0) : '?');
  const checks: Check[] = [
    ratioCheck({
      id: 'service.start.svcpack-vs-bare',
      label: 'StartService → RUNNING: svcpack / bare node.exe',
      numerator: sv.start!,
      denominator: bare.start!,
      target: { op: '<=', value: 1.3 },
      explanation:
        `svcpack ${mid(sv.start)} ms vs bare node.exe ${mid(bare.start)} ms. Both report RUNNING once the app module has been evaluated; ` +
        'before that svcpack loads its shim: koffi written out of the exe and hash-checked, the log file opened, the Event Log source registered.',
    }),
    differenceCheck({
      id: 'service.stop.svcpack-minus-bare',
      label: 'STOP → STOPPED: svcpack − bare node.exe',
      subject: sv.stop!,
      baseline: bare.stop!,
      target: { op: '<=', value: 100 },
      explanation:
        `svcpack ${mid(sv.stop)} ms vs bare node.exe ${mid(bare.stop)} ms. svcpack checks for a quiet event loop every 20 ms ` +
        '(runtime-shim/lifecycle/stop-work.ts), the bare host every 1 ms; svcpack also logs the stop before reporting STOPPED.',
    }),
    ratioCheck({
      id: 'memory.rss.svcpack-vs-bare',
      label: 'idle RSS: svcpack (in-process) / bare node.exe',
      numerator: sv.rss!,
      denominator: bare.rss!,
      target: { op: '<=', value: 1.15 },
      explanation:
        `svcpack ${mid(sv.rss)} MB vs bare node.exe ${mid(bare.rss)} MB; both include the node.exe image Wine copies into private memory ` +
        `(≈ 87 MB). V8 heap: ${mid(sv.heap)} vs ${mid(bare.heap)} MB.`,
    }),
    ratioCheck({
      id: 'memory.pss.svcpack-vs-bare',
      label: 'idle PSS: svcpack (in-process) / bare node.exe (informational)',
      numerator: sv.pss!,
      denominator: bare.pss!,
      target: { op: '<=', value: 1.15 },
      explanation: `informational: svcpack ${mid(sv.pss)} MB vs bare node.exe ${mid(bare.pss)} MB (PSS splits Wine's shared libraries among the prefix's processes).`,
    }),
    ratioCheck({
      id: 'memory.heap.svcpack-vs-bare',
      label: 'V8 heapUsed: svcpack (in-process) / bare node.exe (informational)',
      numerator: sv.heap!,
      denominator: bare.heap!,
      target: { op: '<=', value: 1.15 },
      explanation:
        `informational: svcpack ${mid(sv.heap)} MB vs bare node.exe ${mid(bare.heap)} MB of live heap after a full GC — the ` +
        `${(sv.heap!.stats.median - bare.heap!.stats.median).toFixed(1)} MB are svcpack's shim (lifecycle, log writer and rotation, Event Log, settings, koffi bindings) and its bundle's code; ` +
        'the app itself is the same. The ratio is large because the idle app is tiny.',
    }),
  ];

  const notes = [
    'Each repetition runs every contender once, in turn (native, bare, svcpack, supervised, wrapper): sc create → start → 2 s idle → memory → stop → sc delete, with the service’s processes checked gone before the next.',
    'service.start and service.stop are timed by bench/native/scm-timer.exe inside Wine through the SCM API (StartServiceW → SERVICE_RUNNING, ControlService(STOP) → SERVICE_STOPPED, by status-change notification or a 1 ms query loop), not by polling sc query. The timer’s own start-up (≈ 30–45 ms of Wine process launch) is outside the figure.',
    'What RUNNING means differs: svcpack and the bare host report it once the app module has been evaluated (listen() called); the native service at once; the NSSM-style wrapper as soon as CreateProcess returns, before node.exe has even loaded — so its start figure is not comparable, its service.ready is.',
    `service.ready = StartService → first HTTP answer, polled from Linux every ${POLL_MS} ms on a fresh connection each time. The SCM call happens inside the timer, so its moment is taken as (when the timer returned on Linux) − start ms; that moment is late by the timer’s exit (≈ 1–2 ms, measured against its result file’s mtime), so ready is understated by as much, and overstated by up to one poll interval.`,
    'Stop work: svcpack emits SIGTERM to the app’s listeners and waits until the app’s event loop is quiet (polled every 20 ms), logs, then reports STOPPED. The bare host emits SIGTERM likewise and reports STOPPED once process.getActiveResourcesInfo() lists nothing but console/signal watchers (checked at once, then every 1 ms) — i.e. the app’s own stop work (idle-http: server.close()) plus nothing; process exit follows STOPPED in both. The wrapper does no graceful stop at all (TerminateJobObject, like NSSM’s last resort; its figure includes node.exe being ended and waited for) and the native service has no work (its figure is the SCM round trip). details give when the service process had exited (scm-timer, same origin).',
    'Memory: every process of the service is found in /proc (Wine processes are Linux processes; their /proc cmdline is the Windows command line, and every one is a child of init, so they are matched by the paths on their command line; a conhost.exe started for a console child counts too). RSS and PSS are summed from /proc/<pid>/smaps_rollup after 2 s idle. Under Wine the RSS of any Node exe is inflated by its PE image, which Wine copies into private anonymous memory (≈ 87 MB for node.exe; ≈ 112 MB RSS for an idle node.exe, docs/wine10-facts.md) where Windows would map shared image pages, so ratios, PSS and the V8 heap (GET /memory: process.memoryUsage().heapUsed right after a full GC, which idle-http obtains at run time with v8.setFlagsFromString("--expose-gc") since no contender passes --expose-gc) say more than absolute RSS.',
    'svcpack runs with default settings (Event Log on, log file in %ProgramData%); the bare host and the wrapper’s node.exe are the stock node.exe 22.22.2 that svcpack builds from.',
  ];

  return { suite: 'service', title: 'Service start, stop and idle memory under Wine', measurements, checks, notes };
}
