/**
 * Wall-clock timing of async work, repeated and interleaved. Suites call these; the samples go to
 * stats.ts `measurement`. The clock is injectable so tests can use a fake one.
 */

/** A monotonic clock in milliseconds. */
export type Clock = () => number;

const defaultNow: Clock = () => performance.now();

export interface RepeatOptions {
  /** Runs made first and not recorded (default 0). */
  warmup?: number;
  /** Awaited, untimed, between two consecutive runs (warm-ups included), never before the first or after the last. */
  between?: () => Promise<void>;
  /** Defaults to `performance.now`. */
  now?: Clock;
}

/** Runs `fn` once: how long it took until its promise settled (ms), and its value. A rejection propagates. */
export async function timeAsync<T>(fn: () => Promise<T>, opts: { now?: Clock } = {}): Promise<{ ms: number; value: T }> {
  const now = opts.now ?? defaultNow;
  const start = now();
  const value = await fn();
  return { ms: now() - start, value };
}

/** Runs `fn` `warmup` times unrecorded, then `reps` times: the duration of each recorded run (ms), in order. */
export async function repeat(reps: number, fn: () => Promise<unknown>, opts: RepeatOptions = {}): Promise<number[]> {
  const samples = await interleave(reps, { only: fn }, opts);
  return samples.only!;
}

/**
 * Runs several contenders turn about: warm-up round(s), then rep 1 of each in the given order, rep 2
 * of each, … so that slow drift on a noisy machine hits every contender alike. Returns each
 * contender's durations (ms) under its name. `between` is also called between two contenders of a
 * round. A rejection stops the whole run and propagates.
 */
export async function interleave(
  reps: number,
  contenders: Record<string, () => Promise<unknown>>,
  opts: RepeatOptions = {},
): Promise<Record<string, number[]>> {
  const warmup = opts.warmup ?? 0;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`repetitions must be a whole number ≥ 1, not ${reps}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`warm-up runs must be a whole number ≥ 0, not ${warmup}`);
  const entries = Object.entries(contenders);
  if (entries.length === 0) throw new Error('nothing to time: no contenders');
  const samples: Record<string, number[]> = Object.fromEntries(entries.map(([name]) => [name, []]));
  let first = true;
  for (let round = 0; round < warmup + reps; round++) {
    for (const [name, fn] of entries) {
      if (!first) await opts.between?.();
      first = false;
      const { ms } = await timeAsync(fn, opts);
      if (round >= warmup) samples[name]!.push(ms);
    }
  }
  return samples;
}
