/**
 * The benchmark runner: runs the suites in order, one at a time (they would disturb each other's
 * timings), and writes `<outDir>/<date>.json` (the {@link BenchReport}), `<date>.md` (the tables)
 * and `<date>.png` (the headline checks as a chart). `npm run bench` calls it through bench/cli.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderChecksChart } from './lib/chart';
import { describeMachine, toolVersion } from './lib/machine';
import { markdownReport } from './lib/report';
import type { BenchContext, BenchReport, Suite, SuiteResult } from './lib/types';
import { benchToolsDir, toolVersions } from './peers/tools';
import { addonsSuite } from './suites/addons';
import { buildSuite } from './suites/build';
import { embeddedSuite } from './suites/embedded';
import { treeSuite } from './suites/tree';
import { packagesSuite } from './suites/packages';
import { linesSuite } from './suites/lines';
import { serviceSuite } from './suites/service';
import { sizeSuite } from './suites/size';
import { supervisionSuite } from './suites/supervision';
import { linuxSuite } from './suites/linux';
import { packageRoot, svcpackVersion } from '../src/package-root';
import { findWine } from '../test/support/wine';

/** Every suite, in the order they run. */
export const SUITES: Suite[] = [buildSuite, sizeSuite, serviceSuite, supervisionSuite, linesSuite, addonsSuite, embeddedSuite, treeSuite, packagesSuite, linuxSuite];

export interface RunOptions {
  /** One repetition per figure: the CI smoke run, figures not meaningful. */
  quick?: boolean;
  /** Repetitions per figure (default 5; at least 5 unless quick). */
  reps?: number;
  /** Suite names to run (default all). */
  only?: string[];
  /** Where the report files go (default bench/results). */
  outDir?: string;
  /** Peer tools cache (default benchToolsDir()). */
  toolsDir?: string;
  log?: (message: string) => void;
}

export interface RunResult {
  report: BenchReport;
  files: { json: string; markdown: string; chart: string };
  /** Suites that threw, with the error; their results are missing from the report. */
  failures: { suite: string; error: string }[];
}

export const DEFAULT_REPS = 5;

/** What is wrong with `options` (one line naming the option and what to pass), or null. Pure. */
export function runOptionsProblem(options: RunOptions): string | null {
  if (options.reps !== undefined && !options.quick) {
    if (!Number.isInteger(options.reps) || options.reps < 1) return `--reps ${options.reps} is not a positive whole number`;
    if (options.reps < DEFAULT_REPS) return `--reps ${options.reps} is too few: use at least ${DEFAULT_REPS} (or --quick for a smoke run)`;
  }
  const unknown = (options.only ?? []).filter((name) => !SUITES.some((s) => s.name === name));
  if (unknown.length > 0) return `unknown suite ${unknown.join(', ')}: choose from ${SUITES.map((s) => s.name).join(', ')}`;
  return null;
}

/** Runs the suites; throws on invalid options (see {@link runOptionsProblem}). */
export async function runBench(options: RunOptions = {}): Promise<RunResult> {
  const problem = runOptionsProblem(options);
  if (problem) throw new Error(problem);
  const quick = options.quick ?? false;
  const reps = quick ? 1 : (options.reps ?? DEFAULT_REPS);
  const suites = options.only ? SUITES.filter((s) => options.only!.includes(s.name)) : SUITES;

  const log = options.log ?? ((message: string) => process.stderr.write(`[bench] ${message}\n`));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-bench-'));
  const ctx: BenchContext = { reps, quick, workDir, toolsDir: options.toolsDir ?? benchToolsDir(), log };
  const startedAt = new Date();
  const results: SuiteResult[] = [];
  const failures: RunResult['failures'] = [];
  try {
    for (const suite of suites) {
      const t = performance.now();
      log(`suite ${suite.name}: ${suite.title} (${reps} repetition${reps === 1 ? '' : 's'})`);
      try {
        results.push(await suite.run(ctx));
        log(`suite ${suite.name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ suite: suite.name, error });
        log(`suite ${suite.name} FAILED: ${error}`);
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    quick,
    reps,
    machine: describeMachine(),
    versions: await versions(),
    suites: results,
  };
  const outDir = options.outDir ?? path.join(packageRoot, 'bench', 'results');
  return { report, files: writeReport(report, outDir), failures };
}

/** Writes the three report files for `report`, named by its date, atomically each. */
export function writeReport(report: BenchReport, outDir: string): RunResult['files'] {
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, report.startedAt.slice(0, 10));
  const files = { json: `${base}.json`, markdown: `${base}.md`, chart: `${base}.png` };
  const checks = report.suites.flatMap((s) => s.checks);
  const subtitle = `${report.startedAt.slice(0, 16).replace('T', ' ')} UTC · ${report.machine.cpu}, ${report.machine.cores} cores · ${report.reps} repetition${report.reps === 1 ? '' : 's'}${report.quick ? ' (quick)' : ''}`;
  writeAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomic(files.markdown, markdownReport(report));
  writeAtomic(files.chart, renderChecksChart(checks, { title: 'svcpack benchmarks: targets', subtitle }));
  return files;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

async function versions(): Promise<Record<string, string>> {
  const [wine, mingw] = await Promise.all([
    // The Wine the service suites run (the Wine 10 root's launcher when set up; test/support/wine.ts).
    toolVersion(findWine() ?? 'wine', ['--version']),
    toolVersion('x86_64-w64-mingw32-gcc', ['--version']),
  ]);
  return { svcpack: svcpackVersion, 'node (host)': process.version.slice(1), ...toolVersions(), wine, 'mingw-w64 gcc': mingw };
}
