/**
 * The benchmark suite's data model: what every suite produces and what `bench/results/<date>.json`
 * holds. The Markdown table and the PNG chart are rendered from a {@link BenchReport} alone.
 */

/** Summary statistics of a sample (see stats.ts `summarize`). */
export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
  /** 25th and 75th percentiles (linear interpolation); equal to the median when n = 1. */
  p25: number;
  p75: number;
  mean: number;
  /** Interquartile range relative to the median, (p75 - p25) / median; 0 when n = 1. */
  relSpread: number;
}

export type Unit = 'ms' | 's' | 'MB' | 'bytes' | 'lines/s' | 'MB/s' | 'count' | 'ratio';

/** One quantity measured for one contender: raw samples (one per repetition) and their statistics. */
export interface Measurement {
  /** Stable id of what is measured, shared by every contender: `build.warm.hello`, `service.start`. */
  metric: string;
  /** Human label of the metric: "warm build, hello-http". */
  label: string;
  /** Who was measured: `svcpack`, `svcpack --packer pkg`, `bun build --compile`, `native C service`. */
  contender: string;
  unit: Unit;
  samples: number[];
  stats: Stats;
  /** Extras worth reporting beside the figure (a stage breakdown, a method, a count). */
  details?: Record<string, number | string>;
}

/** A headline comparison, checked against a target from the issue. */
export interface Check {
  id: string;
  /** "warm build: svcpack / bun build --compile". */
  label: string;
  /** How the value is formed: a ratio of medians, a difference of medians, or one median. */
  kind: 'ratio' | 'difference' | 'absolute';
  value: number;
  unit: Unit;
  /** Range of the value from the samples' quartiles (see stats.ts). */
  low: number;
  high: number;
  target: { op: '<=' | '>=' | '<'; value: number };
  met: boolean;
  /** Set when the target is missed: why, and what was done about it. */
  explanation?: string;
}

/** A summary table a suite adds to its section of the Markdown report, below its measurements. */
export interface ReportTable {
  title: string;
  header: string[];
  /** 'l' or 'r' per column. */
  align: string;
  rows: string[][];
}

export interface SuiteResult {
  suite: string;
  title: string;
  measurements: Measurement[];
  checks: Check[];
  /** Summary tables built from the measurements (the lines suite's per-line table). */
  tables?: ReportTable[];
  /** Method notes printed under the suite's table (how cold was made cold, what was excluded). */
  notes: string[];
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
}

export interface BenchReport {
  /** ISO date-time the run started. */
  startedAt: string;
  /** One repetition per figure (the CI smoke run): figures are not meaningful. */
  quick: boolean;
  reps: number;
  machine: MachineInfo;
  /** Tool versions: node (host), node (target), wine, esbuild, pkg, bun, mingw, svcpack. */
  versions: Record<string, string>;
  suites: SuiteResult[];
}

/** What a suite gets from the runner. */
export interface BenchContext {
  /** Repetitions per figure (≥ 5 normally, 1 in quick mode). */
  reps: number;
  quick: boolean;
  /** A scratch folder for this run, removed afterwards. */
  workDir: string;
  /** Where downloaded peer tools and built helpers are cached between runs (outside the repo). */
  toolsDir: string;
  /** Progress line on stderr. */
  log(message: string): void;
}

export interface Suite {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<SuiteResult>;
}
