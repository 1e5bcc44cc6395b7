/**
 * Suite 'tree': what carrying the app's production dependency tree costs, per compatibility app
 * (test/e2e/compat-apps.ts: both suites, the apps as their e2e tests build them), on svcpack's
 * default Node. Each app is built with the tree (the default) and without it
 * (`--no-embed-dependencies`, the bundle alone: the "before"), and the two compared in the same
 * run:
 *
 * - exe size, and the tree's packages, files and bytes (build record);
 * - warm build time of both (the CLI, as the build suite times it), and a cold build with the
 *   tree: a fresh svcpack cache seeded with the Node runtime only, so the tree's Windows packages
 *   that node_modules lacks are fetched from the registry (and arborist's metadata cache is empty);
 * - StartService → RUNNING and idle RSS under Wine's SCM (the service suite's service life), the
 *   two builds interleaved rep by rep; the budget is RUNNING with the tree ÷ without ≤ 1.05, as the
 *   median over the apps of each app's paired ratio (one app's ratio alone is within Wine's noise).
 *
 * Quick mode (CI's smoke run): two apps, builds only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { acquireRuntime } from '../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import { COMPAT, COMPAT_RUNTIME } from '../../test/e2e/compat-apps';
import { startHostCompanion, type CompatApp, type CompatSuite } from '../../test/support/compat';
import { ensureFixtureDeps } from '../../test/support/fixture-deps';
import { dataDirOf, winPath } from '../../test/support/wine';
import { buildNativeTools } from '../native/build';
import { formatValue } from '../lib/report';
import { absoluteCheck, measurement, round1, summarize } from '../lib/stats';
import type { BenchContext, Check, Measurement, ReportTable, Suite, SuiteResult } from '../lib/types';
import { ensureSvcpackLib, runSvcpackBuild, seedSvcpackCache, type SvcpackRecord } from './build';
import { deleteService, runServiceLife, withWine, type RepSample } from './service';
import { pairedRatio } from './embedded';

const MiB = 1024 * 1024;
/** Ports for the services: clear of the other suites (18311–18351) and the e2e tests' 18500–18699. */
const FIRST_PORT = 18700;
/** The apps of quick mode: one bundle-reached framework and one run-time native package. */
const QUICK_APPS = ['express', 'libsql'];
/** Service lives and warm builds per app and variant (fewer than the other suites' 5: 30 apps × 2 variants). */
const START_REPS = 3;
const WARM_BUILDS = 3;

export const TREE_VARIANTS = { tree: 'with the tree (default)', bundle: 'bundle only (--no-embed-dependencies)' } as const;
type Variant = keyof typeof TREE_VARIANTS;

export const treeSuite: Suite = {
  name: 'tree',
  title: 'The dependency tree in the exe: size, build time, start and memory per compatibility app',
  run: runTreeSuite,
};

export interface AppRun {
  suite: CompatSuite;
  app: CompatApp;
  label: string;
  entry: string;
  /** The name its services run as (one per variant). */
  names: Record<Variant, string>;
}

/** The apps measured: every app of `suites` (both compatibility suites of the tree), or {@link QUICK_APPS} in quick mode. */
export function treeApps(quick: boolean, suites: readonly CompatSuite[] = [COMPAT, COMPAT_RUNTIME]): AppRun[] {
  const out: AppRun[] = [];
  for (const suite of suites) {
    for (const app of suite.apps) {
      if (quick && !QUICK_APPS.includes(app.app)) continue;
      const pascal = app.app.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase());
      out.push({
        suite,
        app,
        label: app.app,
        entry: path.join(suite.fixtureDir, app.entry ?? path.join('apps', `${app.app}.ts`)),
        names: { tree: `SvcpackBenchTree${pascal}`, bundle: `SvcpackBenchBundle${pascal}` },
      });
    }
  }
  return out;
}

/** The tree's size from a build record: packages, files, bytes. */
export function treeSize(record: SvcpackRecord): { packages: number; files: number; bytes: number } {
  const packages = ((record as { embedded?: { packages?: Array<{ files: number; bytes: number }> } }).embedded?.packages ?? []);
  return { packages: packages.length, files: packages.reduce((s, p) => s + p.files, 0), bytes: packages.reduce((s, p) => s + p.bytes, 0) };
}

async function runTreeSuite(ctx: BenchContext): Promise<SuiteResult> {
  const root = path.join(ctx.workDir, 'tree');
  fs.mkdirSync(root, { recursive: true });
  const apps = treeApps(ctx.quick);
  ctx.log(`tree: installing the compatibility fixtures' dependencies (npm ci, when stale)`);
  for (const suite of new Set(apps.map((a) => a.suite))) await ensureFixtureDeps(suite.fixtureDir);
  await ensureSvcpackLib(ctx.log);
  const runtime = await acquireRuntime({ version: DEFAULT_NODE_VERSION });

  const measurements: Measurement[] = [];
  const exes = new Map<string, Record<Variant, string>>();
  const rows: string[][] = [];
  const startRatios: number[] = [];
  const rssDiffs: number[] = [];
  /** Apps whose bundle-only exe does not start: they load a package by a computed name at start. */
  const failsWithoutTree: string[] = [];
  let tools: Awaited<ReturnType<typeof buildNativeTools>> | undefined;

  const build = async (run: AppRun, variant: Variant, label: string, env?: NodeJS.ProcessEnv) => {
    await run.app.prepare?.();
    const outDir = path.join(root, label, run.names[variant]);
    fs.rmSync(outDir, { recursive: true, force: true });
    const t = performance.now();
    const built = await runSvcpackBuild({
      entry: run.entry,
      outDir,
      node: DEFAULT_NODE_VERSION,
      name: run.names[variant],
      flags: ['--stop-timeout', '10s', ...(variant === 'bundle' ? ['--no-embed-dependencies'] : [])],
      env,
    });
    return { ...built, ms: performance.now() - t };
  };

  for (const [i, run] of apps.entries()) {
    // ---- builds: a cold one with the tree (fresh cache, runtime only), then warm ones of both, interleaved
    const coldCache = path.join(root, 'cold-cache');
    fs.rmSync(coldCache, { recursive: true, force: true });
    await seedSvcpackCache(coldCache, { version: runtime.version, nodeExe: runtime.targetExe, hostNode: runtime.hostNode });
    const warmBuilds = Math.min(ctx.reps, WARM_BUILDS);
    ctx.log(`tree: ${run.label} (${i + 1}/${apps.length}): cold build with the tree, then ${warmBuilds} warm build(s) of each variant`);
    const cold = await build(run, 'tree', 'cold', { ...process.env, SVCPACK_CACHE_DIR: coldCache });
    const warm: Record<Variant, number[]> = { tree: [], bundle: [] };
    const records: Partial<Record<Variant, SvcpackRecord>> = {};
    const latest: Partial<Record<Variant, string>> = {};
    for (let r = 0; r < warmBuilds; r++) {
      for (const variant of ['bundle', 'tree'] as const) {
        const b = await build(run, variant, `warm-${r % 2}`);
        warm[variant].push(b.ms);
        records[variant] = b.record;
        latest[variant] = b.exe;
      }
    }
    exes.set(run.label, latest as Record<Variant, string>);
    const size = treeSize(records.tree!);
    const exeMB = (v: Variant) => (records[v]!.size?.exeBytes ?? 0) / MiB;
    const who = (v: Variant) => `${run.label}, ${TREE_VARIANTS[v]}`;
    for (const v of ['tree', 'bundle'] as const) {
      measurements.push(measurement('tree.build.warm', 'warm build', who(v), 's', warm[v].map((ms) => ms / 1000)));
      measurements.push(measurement('tree.exe', 'exe size', who(v), 'MB', [exeMB(v)], v === 'tree' ? { packages: size.packages, files: size.files, 'tree MB': round1(size.bytes / MiB) } : undefined));
    }
    measurements.push(measurement('tree.build.cold', 'cold build (fresh cache: the tree fetched and read)', who('tree'), 's', [cold.ms / 1000]));

    // ---- service lives: both variants interleaved, START_REPS each
    let start: Record<Variant, RepSample[]> = { tree: [], bundle: [] };
    let bundleFails: string | null = null;
    if (!ctx.quick) {
      tools ??= await buildNativeTools(ctx.toolsDir, ctx.log);
      start = await withWine(async () => {
        const lives: Record<Variant, RepSample[]> = { tree: [], bundle: [] };
        for (const v of ['tree', 'bundle'] as const) fs.rmSync(dataDirOf(run.names[v]), { recursive: true, force: true });
        for (let r = 0; r < START_REPS; r++) {
          for (const v of r % 2 === 0 ? (['bundle', 'tree'] as const) : (['tree', 'bundle'] as const)) {
            if (v === 'bundle' && bundleFails !== null) continue;
            const companion = await startHostCompanion(run.app.companion);
            try {
              const port = FIRST_PORT + i;
              const args = [`port=${port}`, ...(companion?.args ?? [])].join(' ');
              const exe = latest[v]!;
              lives[v].push(
                await runServiceLife(tools!, { label: who(v), service: run.names[v], commandLine: `"${winPath(exe)}" --service ${args}`, needles: [winPath(exe)], port, memoryRoute: false, anyAnswer: true }),
              );
            } catch (err) {
              // An app that loads a package by a computed name at start cannot run from the bundle
              // alone: that is what the tree is for. Its "before" has no start figures.
              if (v === 'tree') throw err;
              bundleFails = (err as Error).message.split('\n')[0]!;
              await deleteService(run.names[v]);
            } finally {
              await companion?.close();
            }
          }
        }
        return lives;
      });
      for (const v of ['tree', 'bundle'] as const) {
        if (start[v].length === 0) continue;
        measurements.push(measurement('tree.start', 'StartService → RUNNING', who(v), 'ms', start[v].map((s) => s.startMs)));
        measurements.push(measurement('tree.rss', 'idle memory, RSS (all processes)', who(v), 'MB', start[v].map((s) => s.rssMiB)));
      }
      if (bundleFails === null) {
        startRatios.push(pairedRatio(start.tree.map((s) => s.startMs), start.bundle.map((s) => s.startMs)));
        rssDiffs.push(summarize(start.tree.map((s) => s.rssMiB)).median - summarize(start.bundle.map((s) => s.rssMiB)).median);
      } else {
        failsWithoutTree.push(`${run.label} (${bundleFails})`);
      }
    }

    const median = (xs: number[]) => summarize(xs).median;
    const startCell = (v: Variant) => (start[v].length ? formatValue(median(start[v].map((s) => s.startMs)), 'ms') : v === 'bundle' && bundleFails !== null ? 'fails' : '–');
    const rssCell = (v: Variant) => (start[v].length ? formatValue(median(start[v].map((s) => s.rssMiB)), 'MB') : '–');
    rows.push([
      run.label,
      `${size.packages} / ${size.files} / ${(size.bytes / MiB).toFixed(1)} MB`,
      `${exeMB('bundle').toFixed(1)} → ${exeMB('tree').toFixed(1)} MB`,
      `${(median(warm.bundle) / 1000).toFixed(1)} → ${(median(warm.tree) / 1000).toFixed(1)} s`,
      `${(cold.ms / 1000).toFixed(1)} s`,
      `${startCell('bundle')} → ${startCell('tree')}`,
      start.tree.length && bundleFails === null ? formatValue(startRatios.at(-1)!, 'ratio') : '–',
      `${rssCell('bundle')} → ${rssCell('tree')}`,
    ]);
  }

  const checks: Check[] = [];
  if (startRatios.length > 0) {
    const ratios = measurement('tree.start.ratio', "StartService → RUNNING, with the tree ÷ without (each app's paired ratio)", 'svcpack, per app', 'ratio', startRatios);
    measurements.push(ratios);
    checks.push(
      absoluteCheck({
        id: 'tree.start',
        label: `StartService → RUNNING with the tree ÷ without, median over ${startRatios.length} apps`,
        measurement: ratios,
        target: { op: '<=', value: 1.05 },
        explanation:
          'the exe parses only the index of the tree at start (≈ 3 ms for 4,000 files); the rest is the larger exe itself: Wine reads the whole PE image into memory at start (node.exe\'s FileAlignment 0x200 < the page size, so it cannot map the sections), which costs read time and shows in RSS as ≈ the tree\'s size (docs/performance.md, "The dependency tree\'s cost")',
      }),
    );
  }
  const tables: ReportTable[] = [
    {
      title: 'Per app (before → after: bundle only → with the tree; medians)',
      header: ['app', 'tree: packages / files / bytes', 'exe', 'warm build', 'cold build (tree)', 'StartService → RUNNING', 'paired ratio', 'idle RSS'],
      align: 'llrrrrrr',
      rows,
    },
  ];
  const notes = [
    `Every app of both compatibility suites (fixtures/compat, fixtures/compat-runtime), built by the CLI on Node ${DEFAULT_NODE_VERSION} with the tree (the default) and with --no-embed-dependencies; ${Math.min(ctx.reps, WARM_BUILDS)} warm build(s) of each, interleaved; one cold build with the tree from a fresh svcpack cache holding only the Node runtime (the Windows packages node_modules lacks are fetched, with arborist's metadata).`,
    ctx.quick
      ? 'Quick mode: two apps, builds only.'
      : `${START_REPS} service lives per app and variant under Wine, interleaved; the start budget is checked on the median over the apps of each app's paired ratio (Wine's run-to-run noise on one app is larger than 5 %).${rssDiffs.length ? ` Idle RSS with the tree − without, median over the apps: ${summarize(rssDiffs).median.toFixed(1)} MB.` : ''}${failsWithoutTree.length ? ` Without the tree these do not start at all (they load a package by a computed name at start; no ratio): ${failsWithoutTree.join('; ')}.` : ''}`,
  ];
  return { suite: 'tree', title: treeSuite.title, measurements, checks, tables, notes };
}
