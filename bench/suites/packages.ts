/**
 * Suite 'packages': what loading the app's packages with Node's `require` from the embedded tree
 * (`--packages node`, what an app with an APM agent gets) costs against inlining them into the
 * bundle (`--packages bundle`), per compatibility app (test/e2e/compat-apps.ts, every suite, the
 * apps as their e2e tests build them, `--preload` included), on svcpack's default Node:
 *
 * - exe size and warm build time of both (the CLI, as the build suite times it);
 * - StartService → RUNNING and idle RSS under Wine's SCM (the service suite's service life), the
 *   two builds interleaved rep by rep, and each app's paired ratio node ÷ bundle.
 *
 * An app that does not start in one mode is reported as such (its error's first line), not as a
 * failed suite: the table is also the record of which real apps run with their packages loaded
 * by Node. Quick mode (CI's smoke run): two apps, builds only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import { COMPAT_SUITES } from '../../test/e2e/compat-apps';
import { startHostCompanion } from '../../test/support/compat';
import { ensureFixtureDeps } from '../../test/support/fixture-deps';
import { dataDirOf, winPath } from '../../test/support/wine';
import { buildNativeTools } from '../native/build';
import { formatValue } from '../lib/report';
import { measurement, summarize } from '../lib/stats';
import type { BenchContext, Measurement, ReportTable, Suite, SuiteResult } from '../lib/types';
import { ensureSvcpackLib, runSvcpackBuild, type SvcpackRecord } from './build';
import { deleteService, runServiceLife, withWine, type RepSample } from './service';
import { pairedRatio } from './embedded';
import { treeApps, type AppRun } from './tree';

const MiB = 1024 * 1024;
/** Ports for the services: clear of the tree suite's 18700–18749 and the other suites'. */
const FIRST_PORT = 18750;
const QUICK_APPS = ['express', 'otel'];
const START_REPS = 2;
const WARM_BUILDS = 2;

export const PACKAGES_VARIANTS = { node: '--packages node', bundle: '--packages bundle' } as const;
type Variant = keyof typeof PACKAGES_VARIANTS;

export const packagesSuite: Suite = {
  name: 'packages',
  title: 'Packages loaded by Node from the tree (--packages node) against the bundle: build, size, start and memory per compatibility app',
  run: runPackagesSuite,
};

/** The CLI flags of a compatibility app's own build options that change what is built (`--preload`). */
function appFlags(run: AppRun): string[] {
  const preload = run.app.build?.preload;
  const files = preload === undefined ? [] : Array.isArray(preload) ? preload : [preload];
  return files.flatMap((file) => ['--preload', path.resolve(run.suite.fixtureDir, file)]);
}

async function runPackagesSuite(ctx: BenchContext): Promise<SuiteResult> {
  const root = path.join(ctx.workDir, 'packages');
  fs.mkdirSync(root, { recursive: true });
  const apps = treeApps(false, COMPAT_SUITES).filter((a) => !ctx.quick || QUICK_APPS.includes(a.label));
  ctx.log(`packages: installing the compatibility fixtures' dependencies (npm ci, when stale)`);
  for (const suite of new Set(apps.map((a) => a.suite))) await ensureFixtureDeps(suite.fixtureDir);
  await ensureSvcpackLib(ctx.log);

  const measurements: Measurement[] = [];
  const rows: string[][] = [];
  const startRatios: number[] = [];
  const rssDiffs: number[] = [];
  const failures: string[] = [];
  let tools: Awaited<ReturnType<typeof buildNativeTools>> | undefined;
  const names = (run: AppRun): Record<Variant, string> => ({ node: run.names.tree.replace('BenchTree', 'BenchPkgNode'), bundle: run.names.tree.replace('BenchTree', 'BenchPkgBundle') });

  for (const [i, run] of apps.entries()) {
    await run.app.prepare?.();
    ctx.log(`packages: ${run.label} (${i + 1}/${apps.length}): ${WARM_BUILDS} warm build(s) of each variant`);
    const warm: Record<Variant, number[]> = { node: [], bundle: [] };
    const records: Partial<Record<Variant, SvcpackRecord>> = {};
    const exes: Partial<Record<Variant, string>> = {};
    for (let r = 0; r < Math.min(ctx.reps, WARM_BUILDS); r++) {
      for (const v of ['bundle', 'node'] as const) {
        const outDir = path.join(root, `warm-${r % 2}`, names(run)[v]);
        fs.rmSync(outDir, { recursive: true, force: true });
        const t = performance.now();
        const built = await runSvcpackBuild({ entry: run.entry, outDir, node: DEFAULT_NODE_VERSION, name: names(run)[v], flags: ['--stop-timeout', '10s', '--packages', v, ...appFlags(run)] });
        warm[v].push(performance.now() - t);
        records[v] = built.record;
        exes[v] = built.exe;
      }
    }
    const exeMB = (v: Variant) => (records[v]!.size?.exeBytes ?? 0) / MiB;
    const who = (v: Variant) => `${run.label}, ${PACKAGES_VARIANTS[v]}`;
    for (const v of ['node', 'bundle'] as const) {
      measurements.push(measurement('packages.build.warm', 'warm build', who(v), 's', warm[v].map((ms) => ms / 1000)));
      measurements.push(measurement('packages.exe', 'exe size', who(v), 'MB', [exeMB(v)]));
    }

    const lives: Record<Variant, RepSample[]> = { node: [], bundle: [] };
    const failed: Partial<Record<Variant, string>> = {};
    if (!ctx.quick) {
      tools ??= await buildNativeTools(ctx.toolsDir, ctx.log);
      await withWine(async () => {
        for (const v of ['node', 'bundle'] as const) fs.rmSync(dataDirOf(names(run)[v]), { recursive: true, force: true });
        for (let r = 0; r < START_REPS; r++) {
          for (const v of r % 2 === 0 ? (['bundle', 'node'] as const) : (['node', 'bundle'] as const)) {
            if (failed[v] !== undefined) continue;
            const companion = await startHostCompanion(run.app.companion);
            try {
              const port = FIRST_PORT + i;
              const args = [`port=${port}`, ...(companion?.args ?? [])].join(' ');
              const exe = exes[v]!;
              lives[v].push(await runServiceLife(tools!, { label: who(v), service: names(run)[v], commandLine: `"${winPath(exe)}" --service ${args}`, needles: [winPath(exe)], port, memoryRoute: false, anyAnswer: true }));
            } catch (err) {
              failed[v] = (err as Error).message.split('\n')[0]!;
              await deleteService(names(run)[v]).catch(() => undefined);
            } finally {
              await companion?.close();
            }
          }
        }
      });
      for (const v of ['node', 'bundle'] as const) {
        if (failed[v] !== undefined) failures.push(`${run.label} with ${PACKAGES_VARIANTS[v]}: ${failed[v]}`);
        if (lives[v].length === 0) continue;
        measurements.push(measurement('packages.start', 'StartService → RUNNING', who(v), 'ms', lives[v].map((s) => s.startMs)));
        measurements.push(measurement('packages.rss', 'idle memory, RSS (all processes)', who(v), 'MB', lives[v].map((s) => s.rssMiB)));
      }
      if (lives.node.length > 0 && lives.node.length === lives.bundle.length) {
        startRatios.push(pairedRatio(lives.node.map((s) => s.startMs), lives.bundle.map((s) => s.startMs)));
        rssDiffs.push(summarize(lives.node.map((s) => s.rssMiB)).median - summarize(lives.bundle.map((s) => s.rssMiB)).median);
      }
    }

    const median = (xs: number[]) => summarize(xs).median;
    const cell = (v: Variant, pick: (s: RepSample) => number, unit: 'ms' | 'MB') => (lives[v].length ? formatValue(median(lives[v].map(pick)), unit) : failed[v] !== undefined ? 'fails' : '–');
    rows.push([
      run.label,
      (records.node as { packages?: { reason?: string } } | undefined)?.packages?.reason ?? '–',
      `${exeMB('bundle').toFixed(1)} → ${exeMB('node').toFixed(1)} MB`,
      `${(median(warm.bundle) / 1000).toFixed(2)} → ${(median(warm.node) / 1000).toFixed(2)} s`,
      `${cell('bundle', (s) => s.startMs, 'ms')} → ${cell('node', (s) => s.startMs, 'ms')}`,
      lives.node.length && lives.node.length === lives.bundle.length ? formatValue(startRatios.at(-1)!, 'ratio') : '–',
      `${cell('bundle', (s) => s.rssMiB, 'MB')} → ${cell('node', (s) => s.rssMiB, 'MB')}`,
    ]);
  }

  if (startRatios.length > 0) measurements.push(measurement('packages.start.ratio', 'StartService → RUNNING, node ÷ bundle (each app\'s paired ratio)', 'svcpack, per app', 'ratio', startRatios));
  const tables: ReportTable[] = [
    {
      title: 'Per app (bundle → node; medians)',
      header: ['app', 'why node (build record)', 'exe', 'warm build', 'StartService → RUNNING', 'paired ratio', 'idle RSS'],
      align: 'llrrrrr',
      rows,
    },
  ];
  const notes = [
    `Every app of the compatibility suites, built by the CLI on Node ${DEFAULT_NODE_VERSION} with --packages bundle and --packages node (and the app's own --preload); ${Math.min(ctx.reps, WARM_BUILDS)} warm build(s) of each, interleaved.`,
    ctx.quick
      ? 'Quick mode: two apps, builds only.'
      : `${START_REPS} service lives per app and variant under Wine, interleaved.${startRatios.length ? ` StartService → RUNNING node ÷ bundle, median over ${startRatios.length} apps of each app's paired ratio: ${formatValue(summarize(startRatios).median, 'ratio')}; idle RSS node − bundle, median: ${summarize(rssDiffs).median.toFixed(1)} MB.` : ''}${failures.length ? ` Did not start: ${failures.join('; ')}.` : ' Every app started in both modes.'}`,
  ];
  return { suite: 'packages', title: packagesSuite.title, measurements, checks: [], tables, notes };
}
