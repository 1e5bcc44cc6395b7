/**
 * BUILD TIME AND MEMORY: how long turning an app into a Windows exe takes and how much memory it
 * needs at its peak, svcpack against its peers, on fixtures/hello-http and fixtures/large-app, warm
 * and cold. Every time is the wall time of the whole command (or the commands a peer's recipe
 * consists of), process start and exit included; every memory figure the peak resident set of the
 * largest process of the build (GNU time's %M). See {@link NOTES} for what warm, cold and the
 * memory figure mean here.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { cachedBinaryPath } from '../../src/runtime/cache';
import { watchBuild, type RebuildReport } from '../../src/watch/watch-build';
import { absoluteCheck, measurement, ratioCheck, summarize } from '../lib/stats';
import { interleave } from '../lib/timer';
import type { BenchContext, Check, Measurement, Suite, SuiteResult } from '../lib/types';
import { buildBunCompile } from '../peers/bun-compile';
import { buildHandmadeSea, handmadeSeaFormat, type SeaBundleFormat } from '../peers/handmade-sea';
import { ensureLargeApp, HELLO_APP_ENTRY, LARGE_APP_ENTRY, REPO_ROOT } from '../peers/large-app';
import { buildPkgSea, seedPkgHome } from '../peers/pkg-sea';
import { acquirePeerTools, PEER_VERSIONS, requireGnuTime, runTool, type NodeRuntime, type PeerTools } from '../peers/tools';

export interface BenchFixture {
  /** Used in metric ids: `build.warm.<id>`. */
  id: 'hello' | 'large';
  label: string;
  entry: string;
}

export const FIXTURES: BenchFixture[] = [
  { id: 'hello', label: 'hello-http', entry: HELLO_APP_ENTRY },
  { id: 'large', label: 'large-app', entry: LARGE_APP_ENTRY },
];

/**
 * The fixtures a run measures: quick mode (the CI smoke run) only hello-http, since every peer's
 * large-app builds are most of a quick run's minutes and prove nothing a full run does not.
 */
export function benchFixtures(quick: boolean): BenchFixture[] {
  return quick ? FIXTURES.filter((f) => f.id === 'hello') : FIXTURES;
}

/** Contender labels, shared with the size suite. */
export const CONTENDER = {
  svcpack: 'svcpack',
  svcpackPkg: 'svcpack --packer pkg',
  handmade: 'hand-made SEA',
  pkg: 'pkg --sea',
  bun: 'bun build --compile',
} as const;

/** The service name every benchmark build uses. */
export const BENCH_NAME = 'BenchSvc';

// ---------------------------------------------------------------------------------------------
// svcpack as a subprocess (shared with the size suite)

const SVCPACK_BIN = path.join(REPO_ROOT, 'bin', 'svcpack.js');
const LIB_CLI = path.join(REPO_ROOT, 'lib', 'cli.js');

/** The parts of svcpack's `--json` build record the benchmarks read. */
export interface SvcpackRecord {
  timings: Record<string, number>;
  inputs: Record<string, number>;
  outputs: Record<string, { bytes: number }>;
  /** Present in builds that report it: the Node runtime's and the payload's share of the exe. */
  size?: { exeBytes: number; runtimeBytes: number; payloadBytes: number; compressed?: boolean };
}

/**
 * Makes sure lib/ (what bin/svcpack.js runs) is compiled from the current src/: rebuilds it
 * (`node scripts/build-lib.js`) when lib/cli.js is missing or older than a file under src/ or
 * runtime-shim/api.ts.
 */
export async function ensureSvcpackLib(log: BenchContext['log']): Promise<void> {
  const built = await fs.stat(LIB_CLI).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = [path.join(REPO_ROOT, 'runtime-shim', 'api.ts')];
  for (const entry of await fs.readdir(path.join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) sources.push(path.join(entry.parentPath, entry.name));
  }
  let newest = 0;
  for (const file of sources) newest = Math.max(newest, (await fs.stat(file)).mtimeMs);
  if (built >= newest) return;
  log(built === 0 ? 'compiling svcpack (lib/ is missing)' : 'recompiling svcpack (lib/ is older than src/)');
  await runTool(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-lib.js')], { what: 'npm run build:lib', cwd: REPO_ROOT });
}

/**
 * `node bin/svcpack.js build <entry> --name BenchSvc|<name> --node <v> --out-dir <outDir> --json [flags]`
 * under this machine's Node (as a user runs it); the exe's path and the parsed record. `node`
 * defaults to the peers' Node; null passes no --node (for flags that name the runtime otherwise).
 */
export async function runSvcpackBuild(input: {
  entry: string;
  outDir: string;
  flags?: string[];
  env?: NodeJS.ProcessEnv;
  node?: string | null;
  /** The service name (default {@link BENCH_NAME}): an exe run as a service is built under the name it is registered as. */
  name?: string;
  /** The svcpack program to run (default this checkout's bin/svcpack.js; the embedded suite passes an older commit's). */
  bin?: string;
  /** Report the build's peak resident set (`peakRssKiB`; runs it under GNU time, see tools.ts `runTool`). */
  peakMemory?: boolean;
}): Promise<{ exe: string; record: SvcpackRecord; peakRssKiB?: number }> {
  const flags = input.flags ?? [];
  const node = input.node === undefined ? PEER_VERSIONS.node : input.node;
  const name = input.name ?? BENCH_NAME;
  const { stdout, peakRssKiB } = await runTool(
    process.execPath,
    [input.bin ?? SVCPACK_BIN, 'build', input.entry, '--name', name, ...(node === null ? [] : ['--node', node]), '--out-dir', input.outDir, '--json', ...flags],
    { what: ['svcpack build', ...flags].join(' '), cwd: REPO_ROOT, env: input.env, peakMemory: input.peakMemory },
  );
  let record: SvcpackRecord;
  try {
    record = JSON.parse(stdout) as SvcpackRecord;
  } catch {
    throw new Error(`svcpack build ${flags.join(' ')} printed no JSON record: ${stdout.trim().split('\n')[0] ?? ''}`);
  }
  return { exe: path.join(input.outDir, `${name}.exe`), record, ...(peakRssKiB !== undefined && { peakRssKiB }) };
}

/**
 * A fresh svcpack cache holding only copies of the already-downloaded runtime files and their
 * download records (`node/<v>/<platform-arch>/node(.exe)` + `.json`, see src/runtime/cache.ts):
 * nothing svcpack derived from them.
 */
export async function seedSvcpackCache(dir: string, node: NodeRuntime): Promise<void> {
  const keys = [
    { file: node.nodeExe, key: { version: node.version, platform: 'win', arch: 'x64' } as const },
    { file: node.hostNode, key: { version: node.version, platform: 'linux', arch: 'x64' } as const },
  ];
  for (const { file, key } of keys) {
    const dest = cachedBinaryPath(dir, key);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.copyFile(file, dest);
    await fs.chmod(dest, 0o755);
    await fs.copyFile(`${file}.json`, `${dest}.json`).catch(() => {
      throw new Error(`${file}.json is missing: the runtime was not downloaded into svcpack's cache`);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The suite

type Mode = 'warm' | 'cold';

interface RunResult {
  exe: string;
  /** Step durations (ms) reported by the tool or timed by the peer's recipe. */
  stages: Record<string, number>;
  /** svcpack only: its record's total (ms) and number of bundled input files. */
  recordTotal?: number;
  inputs?: number;
  /** Peak resident set of the build's largest process (KiB; GNU time's %M, the largest over a recipe's commands). */
  peakRssKiB: number;
}

/** One build to time: its scratch folder and the timed work (everything else is prepared before). */
interface PreparedRun {
  dir: string;
  run: () => Promise<RunResult>;
}

interface Contender {
  label: string;
  prepare(mode: Mode, dir: string): Promise<PreparedRun>;
}

/** What a warm svcpack build still does (the explanation of a missed warm target; docs/performance.md). */
export const BUN_GAP =
  'A warm build reuses the cached bundle, dependency tree, SEA blob and exe base (docs/building.md, What a rebuild reuses): what is left is Node\'s start, module loading and exit (≈ 0.15 s; bun is one native binary), checking the caches\' stamps, and copying the ≈ 90 MB base into the output (copy_file_range). ' +
  'A large app also reads its cached dependency tree and bundle (tens of MB) and hashes the tree for the bundle cache and the assets for the blob cache.';

/** Why svcpack's cold build stays further behind bun's than its warm one (the explanation of a missed cold target). */
export const COLD_GAP =
  'With fresh caches svcpack does everything a warm build skips: it re-verifies both copied runtime files (node.exe and the host Node) by hashing them against their download records (the `runtime` step, on worker threads while it bundles), bundles with esbuild and its JavaScript plugins (the `bundle` step; bun\'s bundler is native), runs the host Node for the SEA blob, makes the exe base with one resource pass over node.exe and writes it to the cache (`resources`) before copying it into the output.';

/** Why svcpack's build peaks above bun's (the explanation of a missed memory target). */
export const MEMORY_GAP =
  'A warm svcpack build holds neither node.exe nor the exe in memory (the base is copied by the kernel, the blob appended); its peak is Node\'s own heap with the bundle, and for a large app the cached tree and bundle (tens of MB) read back.';

export const NOTES = {
  watch: (edits: number) =>
    `Watch mode (build.watch.hello): svcpack only, in-process through the watch API (watchBuild), on a copy of hello-http; ${edits} edits of app.ts, each sample the rebuild's own time as the API reports it (build() called to the new exe in place; the ≈ 40 ms debounce and the file watcher's latency are not in it, the edit-to-report median is in the details; nor is freeing the replaced exe, which the session does after the report). The first edit also creates the session's esbuild context; the later ones rebuild it.`,
  method: (reps: number, warmup: number, hostNode: string) =>
    `Wall time of the whole build per repetition, process start and exit included for every contender (svcpack: one \`node bin/svcpack.js build … --json\` under this machine's Node ${hostNode}; hand-made SEA: the documented steps, each command a fresh process; pkg --sea: esbuild then pkg, both under the host Node ${PEER_VERSIONS.node} pkg needs; bun: one \`bun build --compile\`). ${reps} repetition(s) per figure${warmup ? ` after ${warmup} untimed warm-up round` : ''}, contenders interleaved round by round; outputs removed and \`sync\` run between builds, untimed.`,
  warm: 'Warm: what a second build finds — the runtimes downloaded, svcpack\'s and pkg\'s caches populated, every tool binary and the sources in the OS page cache.',
  cold:
    'Cold: the Node runtime download is not part of it (done once, network-bound, the same bytes for svcpack and pkg). Each cold build is a fresh process whose tool caches of derived data are empty: ' +
    'svcpack gets a fresh SVCPACK_CACHE_DIR holding only copies of the two downloaded runtime files and their download records (node/<v>/win-x64/node.exe + .json, node/<v>/linux-x64/node + .json), so it re-verifies them and, with --packer pkg, seeds pkg\'s cache itself; ' +
    'pkg --sea gets a fresh HOME whose ~/.pkg-cache/sea holds only a copy of the node.exe it would have downloaded, with pkg\'s .ok markers (pkg\'s SEA mode looks there and ignores PKG_CACHE_PATH; the nodejs.org zip it normally extracts node.exe from cannot be had here, so that extraction is not exercised: cold pkg is, if anything, favoured); ' +
    'the hand-made SEA (esbuild, node --experimental-sea-config, postject) has no caches of its own; bun build --compile has none for this either (it is given empty BUN_INSTALL_CACHE_DIR and BUN_RUNTIME_TRANSPILER_CACHE_PATH all the same). ' +
    'No cache here can make the OS page cache cold: tool binaries, node.exe and the sources stay in memory between builds (dropping it needs root and disturbs the machine), so cold measures the tools\' own work, not the disk.',
  memory:
    'Peak memory (build.memory.<mode>.<fixture>, MiB): every command of a build runs under GNU time (/usr/bin/time -f %M), which reports ru_maxrss from wait4: the peak resident set of the command\'s largest process — of the process itself and of the descendants it waited for, each on its own, never a sum. For a recipe of several commands (hand-made SEA: esbuild, node --experimental-sea-config, postject; pkg --sea: esbuild, pkg) the figure is the largest of its commands\' peaks. ' +
    'What it covers, checked with a subreaper that reaps every process of the build: svcpack is one Node process (the figure), the host Node it runs for the SEA blob (waited for: covered) and its esbuild service, which is still running when svcpack exits and so is reaped by init, not counted (hello-http: node 333 MiB, esbuild 44 MiB; large-app: node 524 MiB, esbuild 189 MiB — smaller, so the maximum is the same); bun build --compile is one process; pkg --sea\'s pkg runs ldd and the host Node for its blob and waits for them, leaving nothing behind (covered); the hand-made SEA\'s commands are one process each. ' +
    'Limits: RSS counts every resident page, shared libraries and mapped files included (not PSS, not a sum of the processes alive at once); the hand-made SEA\'s copy of node.exe runs in the benchmark\'s own process and is not counted (a `cp` would take a few MiB). ' +
    'Wall time includes GNU time\'s own start, ≈ 1–2 ms per command (measured: 200 runs of `true` alone and under it): paid once by svcpack and by bun, so their ratio is not skewed, twice by pkg --sea and three times by the hand-made SEA.',
  stages:
    'Details: median step times in ms — svcpack\'s from its --json record (`process` = wall − record total: Node start, module loading, exit), the peers\' timed around each of their commands.',
  handmade: (formats: Record<string, SeaBundleFormat>) =>
    `Hand-made SEA follows nodejs.org/api/single-executable-applications.html (esbuild → CommonJS bundle, sea-config.json, node --experimental-sea-config, copy node.exe, postject --sentinel-fuse … --overwrite); Node 22's SEA main must be CommonJS and esbuild cannot emit top-level await as CommonJS, so apps using it are embedded as an ES-module asset with a small CommonJS main that imports it (${Object.entries(formats)
      .map(([f, fmt]) => `${f}: ${fmt}`)
      .join(', ')}). Like the recipe, it does not remove node.exe's stale signature nor set version resources (svcpack does both).`,
  pkg: `pkg --sea: @yao-pkg/pkg (svcpack's own dependency) in its enhanced SEA mode (a package.json whose bin is the esbuild ES-module bundle), which runs ES modules with top-level await; target node${PEER_VERSIONS.node}-win-x64.`,
  bun: `bun build --compile --target=bun-windows-x64 with the Linux bun ${PEER_VERSIONS.bun}, offline: the Windows runtime is passed with --compile-executable-path. It cannot set Windows version resources when cross-compiling.`,
};

/** The target of a watch-mode rebuild of hello-http, in seconds. */
export const WATCH_REBUILD_TARGET_S = 0.25;

/** Why a watch-mode rebuild may miss its target (kept on the check only when it does). */
export const WATCH_GAP =
  'An edited app misses the bundle and blob caches: each rebuild runs esbuild (an incremental context kept by the watch session, ≈ 0.08 s; the first rebuild makes it and takes as long as a plain build), runs the host Node for the SEA blob (≈ 0.04 s), and copies the ≈ 90 MB base into the output while hashing the new exe (≈ 0.08 s); on a loaded machine each of these grows. A SEA blob written by svcpack instead of a Node process would take the second off.';

/** Edits timed in watch mode: a few in quick mode, else at least 7 (and at least the run's repetitions). */
export function watchEdits(ctx: Pick<BenchContext, 'quick' | 'reps'>): number {
  return ctx.quick ? 3 : Math.max(7, ctx.reps);
}

/**
 * `build.watch.hello`: a copy of fixtures/hello-http in `dir` is watched (watchBuild, the API of
 * `svcpack build --watch`); `edits` times its app.ts is changed (a new response text each time,
 * 150 ms after the previous rebuild was reported), and each rebuild's own time (the watch API's
 * per-rebuild `ms`: build() call to outputs in place) is a sample, in seconds. The first build
 * (before watching) is not one. Throws when a rebuild fails or does not come within 60 s.
 */
export async function measureWatchRebuilds(dir: string, edits: number): Promise<Measurement> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  for (const f of ['app.ts', 'package.json']) await fs.copyFile(path.join(path.dirname(HELLO_APP_ENTRY), f), path.join(dir, f));
  const entry = path.join(dir, 'app.ts');
  const source = await fs.readFile(entry, 'utf8');
  const reports: RebuildReport[] = [];
  const watcher = await watchBuild({ entry, name: BENCH_NAME, outDir: path.join(dir, 'dist'), cwd: dir }, { onRebuild: (r) => reports.push(r) });
  const samples: number[] = [];
  const latency: number[] = [];
  try {
    if (!reports[0]?.ok) throw new Error(`watch bench: the first build failed: ${reports[0]?.error?.line}`);
    for (let i = 0; i < edits; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const before = reports.length;
      const t = performance.now();
      await fs.writeFile(entry, source.replace("res.end('ok')", `res.end('edit ${i}')`));
      const deadline = t + 60_000;
      while (reports.length === before) {
        if (performance.now() > deadline) throw new Error(`watch bench: no rebuild within 60 s of edit ${i + 1}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const r = reports[reports.length - 1]!;
      if (!r.ok) throw new Error(`watch bench: rebuild ${i + 1} failed: ${r.error?.line}`);
      samples.push(r.ms / 1000);
      latency.push(performance.now() - t);
    }
  } finally {
    await watcher.stop();
  }
  return measurement('build.watch.hello', 'rebuild after a source edit, hello-http', CONTENDER.svcpack, 's', samples, {
    edits,
    'edit to reported, median ms': Math.round(summarize(latency).median),
  });
}

export const buildSuite: Suite = {
  name: 'build',
  title: 'Build time and memory',
  run: runBuildSuite,
};

async function runBuildSuite(ctx: BenchContext): Promise<SuiteResult> {
  await requireGnuTime();
  await ensureSvcpackLib(ctx.log);
  const fixtures = benchFixtures(ctx.quick);
  if (fixtures.some((f) => f.id === 'large')) await ensureLargeApp(ctx.log);
  const tools = await acquirePeerTools(ctx);
  const warmPkgHome = await seedPkgHome(path.join(ctx.toolsDir, 'pkg-sea'), tools.node);

  const measurements: Measurement[] = [];
  const checks: Check[] = [];
  const formats: Record<string, SeaBundleFormat> = {};
  const moduleNotes: string[] = [];
  const warmup = ctx.quick ? 0 : 1;

  for (const fixture of fixtures) {
    formats[fixture.label] = await handmadeSeaFormat(fixture.entry);
    moduleNotes.push(`${fixture.label}: ${await bundledInputCount(fixture.entry)} input files in its esbuild bundle`);
    const contenders = buildContenders(fixture, tools, warmPkgHome, formats[fixture.label]!);
    for (const mode of ['warm', 'cold'] as const) {
      ctx.log(`build: ${mode} ${fixture.label} × ${ctx.reps}${mode === 'warm' && warmup ? ` (+${warmup} warm-up)` : ''}, ${contenders.length} contenders`);
      const runs = await timeContenders(ctx, contenders, mode, path.join(ctx.workDir, 'build', `${mode}-${fixture.id}`), mode === 'warm' ? warmup : 0);
      for (const c of contenders) {
        const r = runs[c.label]!;
        measurements.push(
          measurement(
            `build.${mode}.${fixture.id}`,
            `${mode} build, ${fixture.label}`,
            c.label,
            's',
            r.wallMs.map((ms) => ms / 1000),
            stageDetails(r),
          ),
        );
      }
      for (const c of contenders) {
        const peaks = runs[c.label]!.results.map((x) => x.peakRssKiB / 1024);
        measurements.push(measurement(`build.memory.${mode}.${fixture.id}`, `peak memory of the ${mode} build (max RSS, MiB), ${fixture.label}`, c.label, 'MB', peaks));
      }
    }
    checks.push(...fixtureChecks(fixture, measurements));
  }

  const edits = watchEdits(ctx);
  ctx.log(`build: watch-mode rebuilds of hello-http × ${edits}`);
  const watch = await measureWatchRebuilds(path.join(ctx.workDir, 'build', 'watch-hello'), edits);
  measurements.push(watch);
  checks.push(
    absoluteCheck({
      id: 'build.watch.hello',
      label: 'rebuild after a source edit, hello-http (svcpack build --watch)',
      measurement: watch,
      target: { op: '<=', value: WATCH_REBUILD_TARGET_S },
      explanation: WATCH_GAP,
    }),
  );

  return {
    suite: 'build',
    title: 'Build time and memory',
    measurements,
    checks,
    notes: [
      NOTES.watch(edits),
      NOTES.method(ctx.reps, warmup, process.version),
      NOTES.warm,
      NOTES.cold,
      NOTES.memory,
      NOTES.stages,
      NOTES.handmade(formats),
      NOTES.pkg,
      NOTES.bun,
      `Fixtures: ${moduleNotes.join('; ')}.`,
    ],
  };
}

/**
 * The targets of one fixture, from its measurements (every metric of it for svcpack, bun and
 * pkg --sea must be there): warm build ≤ 1.0× bun's on hello-http and ≤ 1.2× on large-app, cold
 * build ≤ 1.5× bun's, the warm build's peak memory ≤ bun's, and the warm build against pkg --sea
 * (≤ 0.15×; informational for large-app, whose issue set it for hello-http only). Pure.
 */
export function fixtureChecks(fixture: Pick<BenchFixture, 'id' | 'label'>, measurements: Measurement[]): Check[] {
  const of = (metric: string, label: string) => {
    const found = measurements.find((m) => m.metric === `${metric}.${fixture.id}` && m.contender === label);
    if (!found) throw new Error(`build: no ${metric}.${fixture.id} measurement for ${label}`);
    return found;
  };
  const vsBun = (metric: string, what: string, target: Check['target'], explanation?: string) =>
    ratioCheck({
      id: `${metric}.${fixture.id}.svcpack-vs-bun`,
      label: `${what} ${fixture.label}: svcpack / bun build --compile`,
      numerator: of(metric, CONTENDER.svcpack),
      denominator: of(metric, CONTENDER.bun),
      target,
      explanation,
    });
  const large = fixture.id !== 'hello';
  return [
    vsBun('build.warm', 'warm build', { op: '<=', value: large ? 1.2 : 1.0 }, BUN_GAP),
    ratioCheck({
      id: `build.warm.${fixture.id}.svcpack-vs-pkg`,
      label: `warm build ${fixture.label}: svcpack / pkg --sea${large ? ' (informational)' : ''}`,
      numerator: of('build.warm', CONTENDER.svcpack),
      denominator: of('build.warm', CONTENDER.pkg),
      target: { op: '<=', value: 0.15 },
      explanation: large ? 'informational: the issue sets this target for hello-http only' : undefined,
    }),
    vsBun('build.cold', 'cold build', { op: '<=', value: 1.5 }, COLD_GAP),
    vsBun('build.memory.warm', 'peak memory of the warm build', { op: '<=', value: 1.0 }, MEMORY_GAP),
  ];
}

/** The five contenders for one fixture. */
function buildContenders(fixture: BenchFixture, tools: PeerTools, warmPkgHome: string, format: SeaBundleFormat): Contender[] {
  const { entry } = fixture;
  const svcpack = (label: string, flags: string[]): Contender => ({
    label,
    async prepare(mode, dir) {
      let env: NodeJS.ProcessEnv | undefined;
      if (mode === 'cold') {
        const cache = path.join(dir, 'svcpack-cache');
        await seedSvcpackCache(cache, tools.node);
        env = { SVCPACK_CACHE_DIR: cache };
      }
      return {
        dir,
        run: async () => {
          const { exe, record, peakRssKiB } = await runSvcpackBuild({ entry, outDir: path.join(dir, 'out'), flags, env, peakMemory: true });
          const { total, ...stages } = record.timings;
          return { exe, stages, recordTotal: total, inputs: Object.keys(record.inputs).length, peakRssKiB: measuredPeak(label, peakRssKiB) };
        },
      };
    },
  });
  return [
    svcpack(CONTENDER.svcpack, []),
    svcpack(CONTENDER.svcpackPkg, ['--packer', 'pkg']),
    {
      label: CONTENDER.handmade,
      async prepare(_mode, dir) {
        return { dir, run: () => peerRun(CONTENDER.handmade, buildHandmadeSea({ entry, workDir: path.join(dir, 'work'), node: tools.node, postjectCli: tools.postjectCli, format, name: BENCH_NAME, peakMemory: true })) };
      },
    },
    {
      label: CONTENDER.pkg,
      async prepare(mode, dir) {
        let home = warmPkgHome;
        if (mode === 'cold') {
          // The node.exe pkg would have downloaded: a copy, not the shared file.
          const downloaded = path.join(dir, 'downloaded', 'node.exe');
          await fs.mkdir(path.dirname(downloaded), { recursive: true });
          await fs.copyFile(tools.node.nodeExe, downloaded);
          home = await seedPkgHome(path.join(dir, 'pkg'), { ...tools.node, nodeExe: downloaded });
        }
        return { dir, run: () => peerRun(CONTENDER.pkg, buildPkgSea({ entry, workDir: path.join(dir, 'work'), node: tools.node, pkgHome: home, name: BENCH_NAME, peakMemory: true })) };
      },
    },
    {
      label: CONTENDER.bun,
      async prepare(mode, dir) {
        let env: NodeJS.ProcessEnv | undefined;
        if (mode === 'cold') {
          env = { BUN_INSTALL_CACHE_DIR: path.join(dir, 'bun-install-cache'), BUN_RUNTIME_TRANSPILER_CACHE_PATH: path.join(dir, 'bun-transpiler-cache') };
          for (const d of Object.values(env)) await fs.mkdir(d!, { recursive: true });
        }
        return { dir, run: () => peerRun(CONTENDER.bun, buildBunCompile({ entry, workDir: path.join(dir, 'work'), bun: tools.bun, bunWindowsExe: tools.bunWindowsExe, name: BENCH_NAME, env, peakMemory: true })) };
      },
    },
  ];
}

/** A peak memory figure a build was asked to report; throws naming the contender when it is missing. */
function measuredPeak(label: string, peakRssKiB: number | undefined): number {
  if (peakRssKiB === undefined) throw new Error(`${label}: the build reported no peak memory`);
  return peakRssKiB;
}

/** A peer build as a {@link RunResult}: its exe, stages and peak memory. */
async function peerRun(label: string, build: Promise<{ exe: string; stages: Record<string, number>; peakRssKiB?: number }>): Promise<RunResult> {
  const { exe, stages, peakRssKiB } = await build;
  return { exe, stages, peakRssKiB: measuredPeak(label, peakRssKiB) };
}

interface ContenderRuns {
  wallMs: number[];
  results: RunResult[];
}

/**
 * Times every contender `reps` times (after `warmup` unrecorded rounds), interleaved round by
 * round. Each build's state is prepared before it, untimed (in the timer's `between`); its output
 * is checked and removed after it, untimed.
 */
async function timeContenders(ctx: BenchContext, contenders: Contender[], mode: Mode, root: string, warmup: number): Promise<Record<string, ContenderRuns>> {
  const ready = new Map<string, PreparedRun>();
  const finished: { label: string; prepared: PreparedRun; result?: RunResult }[] = [];
  const results: Record<string, RunResult[]> = Object.fromEntries(contenders.map((c) => [c.label, []]));
  let counter = 0;

  const settle = async () => {
    for (const f of finished.splice(0)) {
      if (f.result) await checkExe(f.label, f.result.exe);
      await fs.rm(f.prepared.dir, { recursive: true, force: true });
    }
    for (const c of contenders) {
      if (ready.has(c.label)) continue;
      const dir = path.join(root, `${String(++counter).padStart(3, '0')}-${c.label.replace(/[^a-z0-9]+/gi, '-')}`);
      await fs.mkdir(dir, { recursive: true });
      ready.set(c.label, await c.prepare(mode, dir));
    }
    await runTool('sync', [], { what: 'sync' });
  };

  await settle();
  let samples: Record<string, number[]>;
  try {
    samples = await interleave(
      ctx.reps,
      Object.fromEntries(
        contenders.map((c) => [
          c.label,
          async () => {
            const prepared = ready.get(c.label)!;
            ready.delete(c.label);
            const entry: (typeof finished)[number] = { label: c.label, prepared };
            finished.push(entry);
            entry.result = await prepared.run();
            results[c.label]!.push(entry.result);
          },
        ]),
      ),
      { warmup, between: settle },
    );
    for (const f of finished.splice(0)) if (f.result) await checkExe(f.label, f.result.exe);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  return Object.fromEntries(
    contenders.map((c) => [c.label, { wallMs: samples[c.label]!, results: results[c.label]!.slice(-ctx.reps) }]),
  );
}

/** Fails unless `exe` is a non-empty file starting with 'MZ'. */
async function checkExe(label: string, exe: string): Promise<void> {
  const fh = await fs.open(exe).catch(() => {
    throw new Error(`${label} produced no ${exe}`);
  });
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head.toString('latin1') !== 'MZ') throw new Error(`${label} produced ${exe}, which is not a Windows executable`);
  } finally {
    await fh.close();
  }
}

/** Median step times (ms) of a contender's recorded runs, for `details`. */
function stageDetails(r: ContenderRuns): Record<string, number | string> {
  const details: Record<string, number | string> = {};
  const names = new Set(r.results.flatMap((x) => Object.keys(x.stages)));
  for (const name of names) {
    const values = r.results.map((x) => x.stages[name]).filter((v): v is number => typeof v === 'number');
    if (values.length > 0) details[`${name} ms`] = Math.round(summarize(values).median);
  }
  const totals = r.results.map((x) => x.recordTotal).filter((v): v is number => typeof v === 'number');
  if (totals.length > 0) {
    const recordTotal = summarize(totals).median;
    details['record total ms'] = Math.round(recordTotal);
    details['process ms'] = Math.round(summarize(r.wallMs).median - recordTotal);
  }
  const inputs = r.results.find((x) => x.inputs !== undefined)?.inputs;
  if (inputs !== undefined) details['bundled inputs'] = inputs;
  return details;
}

/** Input files in a plain esbuild bundle of `entry` (its metafile), untimed. */
export async function bundledInputCount(entry: string): Promise<number> {
  const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node22', write: false, metafile: true, logLevel: 'silent' });
  return Object.keys(result.metafile.inputs).length;
}
