/**
 * Sample statistics and the headline checks built from them. Pure: suites call these with the
 * samples they timed; the report and the chart read the results.
 */

import type { Check, Measurement, Stats, Unit } from './types';

/**
 * Median, quartiles (linear interpolation between closest ranks), extremes and mean of `samples`.
 * Throws on an empty sample or a value that is not a finite number.
 */
export function summarize(samples: number[]): Stats {
  if (samples.length === 0) throw new Error('cannot summarize an empty sample');
  const bad = samples.find((s) => !Number.isFinite(s));
  if (bad !== undefined) throw new Error(`cannot summarize a sample holding ${bad}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const p25 = quantile(sorted, 0.25);
  const p75 = quantile(sorted, 0.75);
  return {
    n: sorted.length,
    median,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p25,
    p75,
    mean: sorted.reduce((sum, s) => sum + s, 0) / sorted.length,
    // A spread around a zero median has no relative size: infinite unless there is no spread.
    relSpread: p75 === p25 ? 0 : (p75 - p25) / Math.abs(median),
  };
}

/** The `q` quantile (0..1) of an ascending, non-empty sample, interpolating between ranks. */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lower = Math.floor(pos);
  const a = sorted[lower]!;
  const b = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  return a + (pos - lower) * (b - a);
}

/** A {@link Measurement} of `samples` (one per repetition, in `unit`) with their statistics. Throws as {@link summarize}. */
export function measurement(
  metric: string,
  label: string,
  contender: string,
  unit: Unit,
  samples: number[],
  details?: Record<string, number | string>,
): Measurement {
  return { metric, label, contender, unit, samples: [...samples], stats: summarize(samples), ...(details && { details }) };
}

export type Target = Check['target'];

interface CheckInput {
  id: string;
  label: string;
  target: Target;
  /** Kept on the check only when the target is missed (see {@link Check.explanation}). */
  explanation?: string;
}

/**
 * How much faster/smaller `numerator` is than `denominator`: the ratio of their medians, ranging
 * from p25/p75 to p75/p25. Both must share a unit; throws when they do not or the denominator's
 * quartiles reach zero.
 */
export function ratioCheck(input: CheckInput & { numerator: Measurement; denominator: Measurement }): Check {
  const { numerator: a, denominator: b } = input;
  sameUnit(input.id, a, b);
  if (b.stats.p25 <= 0) throw new Error(`check ${input.id}: the denominator (${b.contender}, ${b.metric}) must be positive, its p25 is ${b.stats.p25}`);
  return check(input, 'ratio', 'ratio', a.stats.median / b.stats.median, a.stats.p25 / b.stats.p75, a.stats.p75 / b.stats.p25);
}

/**
 * What `subject` adds over `baseline`: the difference of their medians, in their shared unit,
 * ranging from p25 − p75 to p75 − p25. Throws when the units differ.
 */
export function differenceCheck(input: CheckInput & { subject: Measurement; baseline: Measurement }): Check {
  const { subject: a, baseline: b } = input;
  sameUnit(input.id, a, b);
  return check(input, 'difference', a.unit, a.stats.median - b.stats.median, a.stats.p25 - b.stats.p75, a.stats.p75 - b.stats.p25);
}

/** One measurement's median against a target, ranging over its quartiles. */
export function absoluteCheck(input: CheckInput & { measurement: Measurement }): Check {
  const { stats, unit } = input.measurement;
  return check(input, 'absolute', unit, stats.median, stats.p25, stats.p75);
}

/** Whether `value` meets `target`. */
function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '<=':
      return value <= target.value;
    case '<':
      return value < target.value;
    case '>=':
      return value >= target.value;
  }
}

function check(input: CheckInput, kind: Check['kind'], unit: Unit, value: number, low: number, high: number): Check {
  const met = meets(value, input.target);
  return {
    id: input.id,
    label: input.label,
    kind,
    value,
    unit,
    low,
    high,
    target: input.target,
    met,
    ...(!met && input.explanation !== undefined && { explanation: input.explanation }),
  };
}

function sameUnit(id: string, a: Measurement, b: Measurement): void {
  if (a.unit !== b.unit) throw new Error(`check ${id}: cannot compare ${a.metric} in ${a.unit} with ${b.metric} in ${b.unit}`);
}

/** `n` rounded to one decimal, for report tables. */
export const round1 = (n: number): number => Math.round(n * 10) / 10;
