/**
 * Suite 'embedded': what embedding worker/fork modules and run-time files costs (the promise:
 * "nothing here slows apps that use none of it"), on svcpack's default Node, ratios against a
 * reference measured in the same run:
 *
 * - warm build time and exe size of fixtures/hello-http (the reference: embeds nothing) and
 *   fixtures/multi-module (workers of each form, pino transports, piscina, fork, files; built with
 *   `--asset templates/**`), its build record's `embedded` (modules, files, bytes) → build ms and
 *   exe bytes per embedded module;
 * - StartService → RUNNING, → HTTP answering, and idle memory of both as services (the service
 *   suite's service life);
 * - before and after: hello-http (and fixtures/large-app, build only) built by svcpack at
 *   {@link BEFORE_COMMIT}, the commit before embedded modules and files, from a git worktree, in
 *   the same interleaved rounds as HEAD's builds and starts;
 * - one embedded worker's start: bench/apps/worker-start.ts, built by svcpack and run with the
 *   exe's `run` command, times `new Worker(…)` → first message for an embedded-module worker and
 *   an `eval: true` one (first = cold, median of the later ones = warm), and readFileSync of a
 *   64 KiB embedded file against the same bytes in a real file.
 *
 * Quick mode (CI's smoke run) skips the worktree and the service lives: builds and the probe only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import { ensureFixtureDeps, stalePackages } from '../../test/support/fixture-deps';
import { dataDirOf, removeService, runExe, winPath } from '../../test/support/wine';
import { buildNativeTools } from '../native/build';
import { ensureLargeApp, HELLO_APP_ENTRY, LARGE_APP_ENTRY, REPO_ROOT } from '../peers/large-app';
import { runTool } from '../peers/tools';
import { formatValue } from '../lib/report';
import { measurement, round1, summarize } from '../lib/stats';
import { interleave } from '../lib/timer';
import type { BenchContext, Measurement, ReportTable, Suite, SuiteResult } from '../lib/types';
import { ensureSvcpackLib, runSvcpackBuild, type SvcpackRecord } from './build';
import { processLabel, runServiceLife, withWine, type RepSample, type ServiceContender } from './service';

export const MULTI_APP_DIR = path.join(REPO_ROOT, 'fixtures', 'multi-module');
export const MULTI_APP_ENTRY = path.join(MULTI_APP_DIR, 'app.ts');
/** The files multi-module reads that no analysis can find (named by a query): declared, as its e2e test does. */
export const MULTI_ASSETS = ['templates/**'];
export const WORKER_START_ENTRY = path.join(REPO_ROOT, 'bench', 'apps', 'worker-start.ts');
/** What the probe app's build must embed (tree paths, as the build record lists them: bench/apps/ is its project folder). */
export const WORKER_START_EMBEDS = { module: 'worker-start-worker.ts', file: 'bench-data.txt' } as const;

/** The last commit before embedded modules and files: the "before" of the comparison. */
export const BEFORE_COMMIT = 'c04d976';

/** Build contenders (build and exe figures). `*Before` only outside quick mode. */
export const EMBEDDED_APPS = {
  hello: 'hello-http',
  multi: 'multi-module',
  helloBefore: `hello-http, svcpack ${BEFORE_COMMIT} (before embedded modules and files)`,
  large: 'large-app',
  largeBefore: `large-app, svcpack ${BEFORE_COMMIT} (before embedded modules and files)`,
} as const;
type AppKey = keyof typeof EMBEDDED_APPS;

/** Service contenders (start, ready, stop and memory figures; not in quick mode). */
export const EMBEDDED_STARTS = { hello: EMBEDDED_APPS.hello, helloBefore: EMBEDDED_APPS.helloBefore, multi: EMBEDDED_APPS.multi } as const;
type StartKey = keyof typeof EMBEDDED_STARTS;

/** The probe's contenders. */
export const WORKER_KINDS = { embedded: 'embedded-module worker', eval: 'eval: true worker' } as const;
export const READ_KINDS = { embedded: 'embedded file (fs layer)', real: 'real file (temp folder)' } as const;
type WorkerKind = keyof typeof WORKER_KINDS;

const NAMES: Record<AppKey, string> = {
  hello: 'SvcpackBenchEmbHello',
  multi: 'SvcpackBenchEmbMulti',
  helloBefore: 'SvcpackBenchEmbBefore',
  large: 'SvcpackBenchEmbLarge',
  largeBefore: 'SvcpackBenchEmbLargeBefore',
};
const PROBE_NAME = 'SvcpackBenchWorkerStart';

/**
 * hello-http listens on its default 8080 as a service (Wine gives services no custom environment);
 * the "before" build of it too, never at the same time. multi-module takes `port=<n>`: 18351 is clear
 * of the service (18311–18314), supervision/lines (18321–18327) and addons (18341) suites and of the
 * ports the e2e tests use (18082–18090, 18310, 18312, 18400 — multi-module's own default — 18522, 18532).
 */
export const EMBEDDED_PORTS = { hello: 8080, multi: 18351 } as const;

/** The probe's settings: workers of each kind per run, read blocks × reads per block. */
export function probeSettings(quick: boolean): { workers: number; blocks: number; reads: number } {
  return quick ? { workers: 3, blocks: 2, reads: 20 } : { workers: 10, blocks: 10, reads: 100 };
}

// ---------------------------------------------------------------------------------------------
// Pure parts

/** What bench/apps/worker-start.ts prints after `WORKER-START `, by mode. */
export type WorkerStartOutput =
  | { mode: 'embedded' | 'eval'; node: string; ms: number[] }
  | { mode: 'read'; node: string; bytes: number; reads: number; embeddedFirstUs: number; realFirstUs: number; embeddedUs: number[]; realUs: number[] };

const finiteList = (v: unknown, min: number): v is number[] => Array.isArray(v) && v.length >= min && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * The probe's result from its stdout (the last `WORKER-START {json}` line); throws naming what is
 * missing or malformed. Worker modes need at least two times (a first and a later one).
 */
export function parseWorkerStartOutput(stdout: string, mode: WorkerStartOutput['mode']): WorkerStartOutput {
  const line = stdout
    .split(/\r?\n/)
    .filter((l) => l.startsWith('WORKER-START '))
    .pop();
  if (!line) throw new Error(`worker-start (${mode}) printed no WORKER-START line: ${stdout.trim().split('\n').pop() ?? '(nothing)'}`);
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(line.slice('WORKER-START '.length)) as Record<string, unknown>;
  } catch {
    throw new Error(`worker-start (${mode}) printed a WORKER-START line that is not JSON: ${line}`);
  }
  if (out.mode !== mode) throw new Error(`worker-start ran mode ${String(out.mode)}, not ${mode}`);
  if (mode === 'read') {
    const ok =
      typeof out.bytes === 'number' &&
      out.bytes > 0 &&
      typeof out.reads === 'number' &&
      finiteList([out.embeddedFirstUs, out.realFirstUs], 2) &&
      finiteList(out.embeddedUs, 1) &&
      finiteList(out.realUs, 1);
    if (!ok) throw new Error(`worker-start (read) printed incomplete timings: ${line}`);
  } else if (!finiteList(out.ms, 2)) {
    throw new Error(`worker-start (${mode}) printed fewer than two worker times: ${line}`);
  }
  return out as unknown as WorkerStartOutput;
}

/** A run's first worker time (cold) and the median of the later ones (warm). Needs two or more. */
export function firstAndRest(ms: readonly number[]): { first: number; rest: number } {
  if (ms.length < 2) throw new Error(`need a first and at least one later time, got ${ms.length}`);
  return { first: ms[0]!, rest: summarize(ms.slice(1)).median };
}

/** Throughput of reading `bytes` in `us` µs, MB/s (MiB, as the other figures). */
export function mbPerSecond(bytes: number, us: number): number {
  return bytes / (1024 * 1024) / (us / 1e6);
}

/** What a build record says the exe embeds: module count, file count and the files' bytes. */
export function embeddedCounts(embedded: { modules: readonly string[]; files: readonly { bytes: number }[] } | undefined): { modules: number; files: number; fileBytes: number } {
  return {
    modules: embedded?.modules.length ?? 0,
    files: embedded?.files.length ?? 0,
    fileBytes: embedded?.files.reduce((s, f) => s + f.bytes, 0) ?? 0,
  };
}

/**
 * Per embedded module, rep by rep: (app − reference) / modules for paired samples (same round).
 * Throws on unpaired samples or no modules.
 */
export function perModule(app: readonly number[], reference: readonly number[], modules: number): number[] {
  if (modules <= 0) throw new Error('no embedded modules to divide by');
  if (app.length !== reference.length) throw new Error(`unpaired samples: ${app.length} against ${reference.length}`);
  return app.map((a, i) => (a - reference[i]!) / modules);
}

/** `a ÷ b` of two measurements' medians as a table cell ("1.02×"), or '–' when either is missing. */
export function ratioCell(a: Measurement | undefined, b: Measurement | undefined): string {
  return a && b ? formatValue(a.stats.median / b.stats.median, 'ratio') : '–';
}

/**
 * The median of the round-by-round ratios a[i] ÷ b[i] of two contenders timed in the same
 * interleaved rounds: steadier than the ratio of medians when the machine's load drifts between
 * rounds. Throws on unpaired or empty samples.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) throw new Error(`unpaired samples: ${a.length} against ${b.length}`);
  return summarize(a.map((x, i) => x / b[i]!)).median;
}

/** {@link pairedRatio} of two measurements as a table cell ("1.10×"), or '–' when either is missing. */
export function pairedRatioCell(a: Measurement | undefined, b: Measurement | undefined): string {
  return a && b ? formatValue(pairedRatio(a.samples, b.samples), 'ratio') : '–';
}

/** A measurement's median as a table cell, or '–'. */
export function medianCell(m: Measurement | undefined): string {
  return m ? formatValue(m.stats.median, m.unit) : '–';
}

/** µs with three significant digits ("13.6 µs", "1420 µs"). */
export function formatMicros(us: number): string {
  return `${us.toFixed(us >= 100 ? 0 : us >= 10 ? 1 : 2)} µs`;
}

// ---------------------------------------------------------------------------------------------
// The "before" svcpack: a git worktree of BEFORE_COMMIT

interface BeforeSvcpack {
  bin: string;
  remove(): Promise<void>;
}

/**
 * `git worktree add --detach <dir> BEFORE_COMMIT` in this checkout, this checkout's node_modules
 * symlinked into it (checked to hold every non-optional package of the commit's lock at its version), its lib/ compiled
 * (`node scripts/build-lib.js`). `remove()` takes the worktree away again (`git worktree remove --force`).
 */
async function prepareBefore(dir: string, log: BenchContext['log']): Promise<BeforeSvcpack> {
  log(`embedded: git worktree of ${BEFORE_COMMIT} in ${dir}, compiling its lib/`);
  await runTool('git', ['-C', REPO_ROOT, 'worktree', 'add', '--detach', dir, BEFORE_COMMIT], { what: `git worktree add ${BEFORE_COMMIT}` });
  const remove = async () => {
    await runTool('git', ['-C', REPO_ROOT, 'worktree', 'remove', '--force', dir], { what: 'git worktree remove' }).catch((err: unknown) => {
      log(`embedded: ${(err as Error).message}; removing the folder and pruning`);
      fs.rmSync(dir, { recursive: true, force: true });
      return runTool('git', ['-C', REPO_ROOT, 'worktree', 'prune'], { what: 'git worktree prune' });
    });
  };
  try {
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    // This checkout's node_modules must hold every package of the commit's lock at its version (more
    // is fine; optional ones npm may have skipped here, as it did for this checkout's own lock).
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { optional?: boolean }> };
    const missing = (await stalePackages(dir)).filter((name) => !lock.packages[`node_modules/${name}`]?.optional);
    if (missing.length > 0) throw new Error(`this checkout's node_modules does not fit ${BEFORE_COMMIT}'s package-lock.json: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    await runTool(process.execPath, [path.join(dir, 'scripts', 'build-lib.js')], { what: `build-lib at ${BEFORE_COMMIT}`, cwd: dir });
  } catch (err) {
    await remove();
    throw err;
  }
  return { bin: path.join(dir, 'bin', 'svcpack.js'), remove };
}

// ---------------------------------------------------------------------------------------------
// The suite

export const embeddedSuite: Suite = {
  name: 'embedded',
  title: 'Embedded modules and files: build, exe size, start, per-worker and per-read cost, before and after',
  run: runEmbeddedSuite,
};

const MiB = 1024 * 1024;

async function runEmbeddedSuite(ctx: BenchContext): Promise<SuiteResult> {
  const root = path.join(ctx.workDir, 'embedded');
  fs.mkdirSync(path.join(root, 'build'), { recursive: true });
  ctx.log('embedded: installing fixtures/multi-module’s dependencies (npm ci, when stale)');
  await ensureFixtureDeps(MULTI_APP_DIR);
  await ensureSvcpackLib(ctx.log);

  // ---- the "before" svcpack (not in quick mode)
  let before: BeforeSvcpack | null = null;
  let beforeProblem: string | null = ctx.quick ? 'skipped in quick mode' : null;
  if (!ctx.quick) {
    try {
      await ensureLargeApp(ctx.log);
      before = await prepareBefore(path.join(root, `svcpack-${BEFORE_COMMIT}`), ctx.log);
    } catch (err) {
      beforeProblem = (err as Error).message.split('\n')[0]!;
      ctx.log(`embedded: no before/after comparison — ${beforeProblem}`);
    }
  }

  try {
    return await measure(ctx, root, before, beforeProblem);
  } finally {
    await before?.remove();
  }
}

async function measure(ctx: BenchContext, root: string, before: BeforeSvcpack | null, beforeProblem: string | null): Promise<SuiteResult> {
  const loadAtStart = os.loadavg()[0]!;
  // ---- build time and exe size, interleaved; each build into a new folder
  const apps: AppKey[] = before ? ['hello', 'multi', 'helloBefore', 'large', 'largeBefore'] : ['hello', 'multi'];
  const builds: Record<AppKey, { entry: string; flags?: string[]; bin?: string }> = {
    hello: { entry: HELLO_APP_ENTRY },
    multi: { entry: MULTI_APP_ENTRY, flags: MULTI_ASSETS.flatMap((a) => ['--asset', a]) },
    helloBefore: { entry: HELLO_APP_ENTRY, bin: before?.bin },
    large: { entry: LARGE_APP_ENTRY },
    largeBefore: { entry: LARGE_APP_ENTRY, bin: before?.bin },
  };
  const records = Object.fromEntries(apps.map((k) => [k, [] as SvcpackRecord[]])) as Record<AppKey, SvcpackRecord[]>;
  const latest: Partial<Record<AppKey, string>> = {};
  let n = 0;
  const warmup = ctx.quick ? 0 : 1;
  ctx.log(`embedded: warm builds of ${apps.map((k) => EMBEDDED_APPS[k]).join(', ')} (Node ${DEFAULT_NODE_VERSION}) × ${ctx.reps}${warmup ? ` (+${warmup} warm-up)` : ''}`);
  const buildDir = path.join(root, 'build');
  const buildSamples = await interleave(
    ctx.reps,
    Object.fromEntries(
      apps.map((k) => [
        k,
        async () => {
          const outDir = path.join(buildDir, `${k}-${++n}`);
          const { exe, record } = await runSvcpackBuild({ entry: builds[k].entry, outDir, node: DEFAULT_NODE_VERSION, name: NAMES[k], flags: builds[k].flags, bin: builds[k].bin });
          records[k].push(record);
          latest[k] = exe;
        },
      ]),
    ),
    {
      warmup,
      between: async () => {
        // Older outputs go (untimed); the newest exe of each app is the one the service runs.
        const keep = new Set(Object.values(latest).map((exe) => path.dirname(exe!)));
        for (const d of fs.readdirSync(buildDir)) if (!keep.has(path.join(buildDir, d))) fs.rmSync(path.join(buildDir, d), { recursive: true, force: true });
        await runTool('sync', [], { what: 'sync' });
      },
    },
  );
  const embeddedOf = (k: AppKey) => (records[k].at(-1) as SvcpackRecord & { embedded?: { modules: string[]; files: { path: string; bytes: number }[] } }).embedded;
  const helloEmbeds = embeddedCounts(embeddedOf('hello'));
  if (helloEmbeds.modules + helloEmbeds.files > 0) throw new Error(`embedded: hello-http was built with ${helloEmbeds.modules} embedded module(s) and ${helloEmbeds.files} file(s)`);
  const multiEmbedded = embeddedOf('multi');
  const multi = embeddedCounts(multiEmbedded);
  if (multi.modules === 0) throw new Error('embedded: the multi-module build recorded no embedded modules');
  if (!multiEmbedded?.files.some((f) => f.path.startsWith('templates/'))) throw new Error('embedded: the multi-module build did not embed templates/** (the --asset flag)');

  // ---- the probe app (untimed build)
  ctx.log('embedded: building bench/apps/worker-start.ts');
  const probeDir = path.join(root, 'probe');
  const probe = await runSvcpackBuild({ entry: WORKER_START_ENTRY, outDir: probeDir, node: DEFAULT_NODE_VERSION, name: PROBE_NAME });
  const probeEmbedded = (probe.record as { embedded?: { modules: string[]; files: { path: string }[] } }).embedded;
  if (!probeEmbedded?.modules.includes(WORKER_START_EMBEDS.module) || !probeEmbedded.files.some((f) => f.path === WORKER_START_EMBEDS.file)) {
    throw new Error(`embedded: the probe build did not embed ${WORKER_START_EMBEDS.module} and ${WORKER_START_EMBEDS.file}: ${JSON.stringify(probeEmbedded)}`);
  }

  // ---- under Wine: the service lives (not in quick mode), then the probe
  const starts: StartKey[] = ctx.quick ? [] : before ? ['hello', 'helloBefore', 'multi'] : ['hello', 'multi'];
  const lives = Object.fromEntries(starts.map((k) => [k, [] as RepSample[]])) as Record<StartKey, RepSample[]>;
  const settings = probeSettings(ctx.quick);
  const workerRuns: Record<WorkerKind, { first: number; rest: number }[]> = { embedded: [], eval: [] };
  const readRuns: Extract<WorkerStartOutput, { mode: 'read' }>[] = [];
  const q = (p: string) => `"${winPath(p)}"`;
  const contenders = Object.fromEntries(
    starts.map((k): [StartKey, ServiceContender] => {
      const exe = latest[k]!;
      const port = k === 'multi' ? EMBEDDED_PORTS.multi : EMBEDDED_PORTS.hello;
      return [k, { label: EMBEDDED_STARTS[k], service: NAMES[k], commandLine: `${q(exe)} --service${k === 'multi' ? ` port=${port}` : ''}`, needles: [winPath(exe)], port, memoryRoute: false }];
    }),
  ) as Record<StartKey, ServiceContender>;
  // A previous run's data folders (logs, pino's files) would only grow.
  for (const name of [...Object.values(NAMES), PROBE_NAME]) fs.rmSync(dataDirOf(name), { recursive: true, force: true });
  const tools = starts.length > 0 ? await buildNativeTools(ctx.toolsDir, ctx.log) : null;

  await withWine(async () => {
    if (tools) {
      let rep = 0;
      try {
        await interleave(
          ctx.reps,
          Object.fromEntries(
            starts.map((k, i) => [
              k,
              async () => {
                if (i === 0) rep++;
                const s = await runServiceLife(tools, contenders[k]);
                if (rep > warmup) lives[k].push(s);
                ctx.log(
                  `embedded: ${rep > warmup ? `rep ${rep - warmup}/${ctx.reps}` : 'warm-up'} ${contenders[k].label}: start ${s.startMs.toFixed(1)} ms, ready ${s.readyMs?.toFixed(1) ?? '?'} ms, ` +
                    `stop ${s.stopMs.toFixed(1)} ms, RSS ${s.rssMiB.toFixed(1)} MB in ${s.processes.length} process(es)`,
                );
              },
            ]),
          ),
          // The first start after Wine's SCM comes up is slower than the rest (seen: +400–800 ms), whichever contender it is.
          { warmup },
        );
      } finally {
        for (const c of Object.values(contenders)) await removeService(c.service);
      }
    }

    // The probe: one exe run per mode (a cold first worker in each), modes interleaved.
    let run = 0;
    const probeRun = async (mode: WorkerStartOutput['mode']) => {
      const env = { WORKER_START_MODE: mode, WORKER_START_N: String(settings.workers), WORKER_START_BLOCKS: String(settings.blocks), WORKER_START_READS: String(settings.reads) };
      const r = await runExe(probe.exe, ['run'], { env, dir: probeDir, tag: `${mode}-${++run}`, timeoutMs: 180_000 });
      if (r.code !== 0) throw new Error(`embedded: worker-start (${mode}) exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return parseWorkerStartOutput(r.stdout, mode);
    };
    ctx.log(`embedded: worker-start probe × ${ctx.reps}${warmup ? ` (+${warmup} warm-up)` : ''}: ${settings.workers} workers per kind, ${settings.blocks} × ${settings.reads} reads`);
    let round = 0;
    await interleave(
      ctx.reps + warmup,
      {
        embedded: async () => {
          const out = await probeRun('embedded');
          if (round >= warmup && out.mode === 'embedded') workerRuns.embedded.push(firstAndRest(out.ms));
        },
        eval: async () => {
          const out = await probeRun('eval');
          if (round >= warmup && out.mode === 'eval') workerRuns.eval.push(firstAndRest(out.ms));
        },
        read: async () => {
          const out = await probeRun('read');
          if (round >= warmup && out.mode === 'read') readRuns.push(out);
          const last = workerRuns.embedded.at(-1);
          ctx.log(
            `embedded: probe round ${round + 1}: embedded worker ${last ? `${last.first.toFixed(1)} / ${last.rest.toFixed(1)}` : '(warm-up)'} ms (first / later), ` +
              (out.mode === 'read' ? `read 64 KiB embedded ${formatMicros(summarize(out.embeddedUs).median)}, real ${formatMicros(summarize(out.realUs).median)}` : ''),
          );
          round++;
        },
      },
    );
  });

  // ---- measurements
  const buildM = {} as Partial<Record<AppKey, Measurement>>;
  const exeM = {} as Partial<Record<AppKey, Measurement>>;
  for (const k of apps) {
    const rs = records[k].slice(-ctx.reps);
    const stage = (name: string) => Math.round(summarize(rs.map((r) => r.timings[name] ?? 0)).median);
    const counts: Record<string, number> = k === 'multi' ? { 'embedded modules': multi.modules, 'embedded files': multi.files, 'embedded file bytes': multi.fileBytes } : {};
    buildM[k] = measurement('embedded.build', 'warm build (default Node)', EMBEDDED_APPS[k], 's', buildSamples[k]!.map((ms) => ms / 1000), {
      'record total ms': stage('total'),
      'bundle ms': stage('bundle'),
      'blob ms': stage('blob'),
      'resources ms': stage('resources'),
      'bundled inputs': Object.keys(rs.at(-1)!.inputs).length,
      ...counts,
    });
    exeM[k] = measurement('embedded.exe', 'exe size', EMBEDDED_APPS[k], 'MB', rs.map((r) => (r.size?.exeBytes ?? 0) / MiB), {
      bytes: rs.at(-1)?.size?.exeBytes ?? 0,
      'payload MB': round1((rs.at(-1)?.size?.payloadBytes ?? 0) / MiB),
    });
  }
  // × against the reference: hello-http for multi-module and hello-http before; large-app for its before.
  const refOf = (k: AppKey): AppKey | null => (k === 'multi' || k === 'helloBefore' ? 'hello' : k === 'largeBefore' ? 'large' : null);
  const withRatio = (group: Partial<Record<string, Measurement>>, k: string, ref: string | null, label: string) => {
    const m = group[k];
    const r = ref ? group[ref] : undefined;
    if (m && r) m.details = { ...m.details, [label]: Number((m.stats.median / r.stats.median).toFixed(3)) };
  };
  for (const k of apps) {
    const ref = refOf(k);
    const label = ref === 'large' ? '÷ large-app (HEAD)' : '÷ hello-http (HEAD)';
    withRatio(buildM, k, ref, label);
    withRatio(exeM, k, ref, label);
  }
  const helloBuilds = buildSamples.hello!;
  const perModuleBuild = measurement('embedded.per-module.build', 'build time per embedded module: (multi-module − hello-http) ÷ modules', EMBEDDED_APPS.multi, 'ms', perModule(buildSamples.multi!, helloBuilds, multi.modules), { modules: multi.modules });
  const exeBytes = (k: AppKey) => records[k].slice(-ctx.reps).map((r) => r.size?.exeBytes ?? 0);
  const perModuleExe = measurement('embedded.per-module.exe', 'exe bytes per embedded module: (multi-module − hello-http) ÷ modules', EMBEDDED_APPS.multi, 'bytes', perModule(exeBytes('multi'), exeBytes('hello'), multi.modules), { modules: multi.modules });

  const startM = {} as Partial<Record<StartKey, Measurement>>;
  const readyM = {} as Partial<Record<StartKey, Measurement>>;
  const stopM = {} as Partial<Record<StartKey, Measurement>>;
  const rssM = {} as Partial<Record<StartKey, Measurement>>;
  for (const k of starts) {
    const ss = lives[k];
    const label = EMBEDDED_STARTS[k];
    startM[k] = measurement('embedded.start', 'StartService → RUNNING', label, 'ms', ss.map((s) => s.startMs), { method: [...new Set(ss.map((s) => s.startMethod))].join('/') });
    readyM[k] = measurement('embedded.ready', 'StartService → HTTP answering', label, 'ms', ss.map((s) => s.readyMs!));
    stopM[k] = measurement('embedded.stop', 'STOP → STOPPED', label, 'ms', ss.map((s) => s.stopMs));
    rssM[k] = measurement('embedded.rss', 'idle memory, RSS (all processes)', label, 'MB', ss.map((s) => s.rssMiB), { processes: ss.at(-1)!.processes.map(processLabel).join(', ') });
  }
  for (const group of [startM, readyM, stopM, rssM]) for (const k of starts) withRatio(group, k, k === 'hello' ? null : 'hello', '÷ hello-http (HEAD)');

  const workerFirst = {} as Record<WorkerKind, Measurement>;
  const workerWarm = {} as Record<WorkerKind, Measurement>;
  for (const k of Object.keys(WORKER_KINDS) as WorkerKind[]) {
    workerFirst[k] = measurement('embedded.worker.first', 'new Worker → first message, first worker of the process (cold)', WORKER_KINDS[k], 'ms', workerRuns[k].map((r) => r.first));
    workerWarm[k] = measurement('embedded.worker.later', `new Worker → first message, later workers (median of ${settings.workers - 1} per run)`, WORKER_KINDS[k], 'ms', workerRuns[k].map((r) => r.rest));
  }
  for (const group of [workerFirst, workerWarm]) group.embedded.details = { '÷ eval worker': Number((group.embedded.stats.median / group.eval.stats.median).toFixed(3)) };

  const bytes = readRuns[0]!.bytes;
  const readUs = { embedded: readRuns.map((r) => summarize(r.embeddedUs).median), real: readRuns.map((r) => summarize(r.realUs).median) };
  const firstUs = { embedded: readRuns.map((r) => r.embeddedFirstUs), real: readRuns.map((r) => r.realFirstUs) };
  const readM = Object.fromEntries(
    (['embedded', 'real'] as const).map((k) => [
      k,
      measurement('embedded.read', `readFileSync of a ${Math.round(bytes / 1024)} KiB file (median of ${settings.blocks} blocks of ${settings.reads})`, READ_KINDS[k], 'MB/s', readUs[k].map((us) => mbPerSecond(bytes, us)), {
        'µs per read': round1(summarize(readUs[k]).median),
        'first read µs': round1(summarize(firstUs[k]).median),
      }),
    ]),
  ) as Record<'embedded' | 'real', Measurement>;

  const measurements = [
    ...apps.map((k) => buildM[k]!),
    ...apps.map((k) => exeM[k]!),
    perModuleBuild,
    perModuleExe,
    ...starts.map((k) => startM[k]!),
    ...starts.map((k) => readyM[k]!),
    ...starts.map((k) => stopM[k]!),
    ...starts.map((k) => rssM[k]!),
    workerFirst.embedded,
    workerFirst.eval,
    workerWarm.embedded,
    workerWarm.eval,
    readM.embedded,
    readM.real,
  ];

  // ---- the tables
  const tables: ReportTable[] = [];
  if (before) {
    const row = (what: string, a: Measurement | undefined, b: Measurement | undefined): string[] => [what, medianCell(b), medianCell(a), ratioCell(a, b), pairedRatioCell(a, b)];
    tables.push({
      title: `Before and after embedded modules and files (medians; × = HEAD ÷ ${BEFORE_COMMIT} in this run: of the medians, and the median of the round-by-round ratios)`,
      header: ['', BEFORE_COMMIT, 'HEAD', '× (medians)', '× (paired by round)'],
      align: 'lrrrr',
      rows: [
        row('hello-http: warm build', buildM.hello, buildM.helloBefore),
        row('hello-http: exe size', exeM.hello, exeM.helloBefore),
        row('hello-http: StartService → RUNNING', startM.hello, startM.helloBefore),
        row('hello-http: StartService → HTTP answering', readyM.hello, readyM.helloBefore),
        row('hello-http: idle RSS', rssM.hello, rssM.helloBefore),
        row('large-app: warm build', buildM.large, buildM.largeBefore),
        row('large-app: exe size', exeM.large, exeM.largeBefore),
      ],
    });
  }
  const appRow = (k: 'hello' | 'multi'): string[] => {
    const ref = k === 'hello';
    const x = (g: Partial<Record<string, Measurement>>) => (ref ? (g.hello ? '1 (ref)' : '–') : ratioCell(g.multi, g.hello));
    return [EMBEDDED_APPS[k], medianCell(buildM[k]), x(buildM), medianCell(exeM[k]), x(exeM), medianCell(startM[k]), x(startM), medianCell(readyM[k]), x(readyM), medianCell(rssM[k]), x(rssM)];
  };
  tables.push({
    title: `An app with embedded modules and files against hello-http (medians; × = ratio to hello-http in this run). multi-module embeds ${multi.modules} modules and ${multi.files} files (${(multi.fileBytes / 1024).toFixed(1)} KiB)`,
    header: ['', 'warm build', '×', 'exe', '×', 'StartService → RUNNING', '×', 'HTTP answering', '×', 'idle RSS', '×'],
    align: 'lrrrrrrrrrr',
    rows: [appRow('hello'), appRow('multi')],
  });
  const us = (m: Measurement) => formatMicros(Number(m.details!['µs per read']));
  const firstReadUs = (m: Measurement) => formatMicros(Number(m.details!['first read µs']));
  tables.push({
    title: 'Cost per embedded worker and per embedded file read, inside the exe (medians over runs)',
    header: ['', 'first in the process (cold)', 'later (warm)', 'embedded − eval: cold', 'embedded − eval: warm'],
    align: 'lrrrr',
    rows: [
      [
        WORKER_KINDS.embedded,
        medianCell(workerFirst.embedded),
        medianCell(workerWarm.embedded),
        formatValue(workerFirst.embedded.stats.median - workerFirst.eval.stats.median, 'ms'),
        formatValue(workerWarm.embedded.stats.median - workerWarm.eval.stats.median, 'ms'),
      ],
      [WORKER_KINDS.eval, medianCell(workerFirst.eval), medianCell(workerWarm.eval), '', ''],
      [`readFileSync ${Math.round(bytes / 1024)} KiB, ${READ_KINDS.embedded}`, firstReadUs(readM.embedded), us(readM.embedded), '', ''],
      [`readFileSync ${Math.round(bytes / 1024)} KiB, ${READ_KINDS.real}`, firstReadUs(readM.real), us(readM.real), '', ''],
    ],
  });

  const notes = [
    `Apps: fixtures/hello-http (embeds nothing: its build record lists no modules and no files) and fixtures/multi-module (dependencies installed by npm ci; built with ${MULTI_ASSETS.map((a) => `--asset ${a}`).join(' ')}): embedded modules ${multiEmbedded!.modules.join(', ')}; files ${multiEmbedded!.files.map((f) => `${f.path} (${f.bytes} B)`).join(', ')}. Both built by \`node bin/svcpack.js build <app> --node ${DEFAULT_NODE_VERSION} --json\` (svcpack’s default Node); wall time of the CLI, ${ctx.reps} repetition(s)${warmup ? ` after ${warmup} warm-up round` : ''}, all builds interleaved, older outputs removed and \`sync\` run between builds (untimed).`,
    `Per embedded module: (multi-module − hello-http) ÷ ${multi.modules}, round by round. An upper bound: multi-module is also a bigger app (pino, piscina and their dependencies in its main bundle: ${buildM.multi!.details!['bundled inputs']} bundled inputs against hello-http’s ${buildM.hello!.details!['bundled inputs']}), so this charges all of that to its embedded modules.`,
    before
      ? `Before/after: svcpack at ${BEFORE_COMMIT} (the commit before embedded modules and files) from a git worktree (this checkout’s node_modules symlinked in, checked to hold every non-optional package of that commit’s package-lock.json at its version; its lib/ compiled by its own scripts/build-lib.js), building the same fixtures/hello-http/app.ts and fixtures/large-app/app.ts (large-app embeds nothing either; build only) with the same Node, interleaved with HEAD’s builds; hello-http’s service starts interleaved with HEAD’s too. What HEAD adds to an app that uses none of it: the locations plugin (esbuild onLoad: every JS/TS input read and scanned) at build time; at start, one failed SEA asset lookup for the manifest.`
      : `Before/after (svcpack ${BEFORE_COMMIT} from a git worktree): not measured — ${beforeProblem}.`,
    ctx.quick
      ? 'Service lives: skipped in quick mode.'
      : 'Starts: after one warm-up round (the first start after Wine’s SCM comes up is slower, whichever app it is), each repetition runs every service contender once, in turn, with the service suite’s service life: sc create → StartService → RUNNING (scm-timer, SCM API) → HTTP answering (polled from Linux) → 2 s idle → RSS from /proc → stop → sc delete. RUNNING comes once the app module has been evaluated: multi-module’s module also starts its two pino transport workers (pino/file + pino-pretty in one, pino-roll in the other: worker threads on embedded modules) before it listens. hello-http listens on its default 8080 (services under Wine get no custom environment), multi-module on 18351 (port=18351). Neither has a /memory route, so no V8 heap figure.',
    `Per worker and per read: bench/apps/worker-start.ts, built by svcpack (it embeds ${WORKER_START_EMBEDS.module} and ${WORKER_START_EMBEDS.file}) and run as \`<exe> run\` under Wine, one process per mode, modes interleaved, ${ctx.reps} run(s) each${warmup ? ` after ${warmup} warm-up round` : ''}. Worker: ${settings.workers} workers one after the other, each timed inside the exe from \`new Worker(…)\` to its first message (it posts one at once), then terminated (untimed); the embedded-module worker is \`new Worker(new URL('./worker-start-worker.ts', import.meta.url))\` (bundled on its own, started by svcpack’s thread loader), the eval worker \`new Worker("require('node:worker_threads').parentPort.postMessage('ready')", { eval: true })\`. “First” is the process’s first worker of that kind (nothing of the worker machinery loaded yet), “later” the median of the others. Read: \`fs.readFileSync(new URL('./bench-data.txt', import.meta.url))\` (${bytes} bytes, served by the fs layer from the exe’s SEA assets) against readFileSync of the same bytes written to a file in the temp folder (Wine’s file system), ${settings.blocks} alternating blocks of ${settings.reads} reads each, µs per read = the median block’s; “first” is the process’s first read of each.`,
  ];

  notes.push(
    `Machine load (1-minute load average on ${os.cpus().length} cores) when the measurements began: ${loadAtStart.toFixed(1)}, when they ended: ${os.loadavg()[0]!.toFixed(1)}. Other work on the machine spreads the figures (see p25–p75); the interleaved rounds hit every contender alike, which the paired ratios use.`,
  );
  return { suite: 'embedded', title: embeddedSuite.title, measurements, checks: [], tables, notes };
}
