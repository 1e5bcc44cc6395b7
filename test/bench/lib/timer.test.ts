import { describe, expect, it } from 'vitest';
import { interleave, repeat, timeAsync } from '../../../bench/lib/timer';

/** A fake clock, and work that takes the next of `durations` on it. */
function fakeWork(durations: number[]) {
  let t = 1_000;
  const log: string[] = [];
  return {
    now: () => t,
    log,
    task: (name: string) => async () => {
      log.push(name);
      t += durations.shift() ?? 0;
      return name;
    },
    between: async () => {
      log.push('|');
      t += 1_000; // never part of a sample
    },
  };
}

describe('timeAsync', () => {
  it('returns the elapsed time on the clock and the value', async () => {
    const w = fakeWork([42]);
    expect(await timeAsync(w.task('x'), { now: w.now })).toEqual({ ms: 42, value: 'x' });
  });

  it('lets a rejection through', async () => {
    await expect(timeAsync(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('measures real time by default', async () => {
    const { ms } = await timeAsync(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(ms).toBeGreaterThanOrEqual(15);
  });
});

describe('repeat', () => {
  it('drops the warm-up runs and records the rest in order', async () => {
    const w = fakeWork([100, 90, 5, 6, 7]);
    expect(await repeat(3, w.task('x'), { warmup: 2, now: w.now })).toEqual([5, 6, 7]);
  });

  it('calls `between` untimed between consecutive runs only', async () => {
    const w = fakeWork([1, 2, 3]);
    expect(await repeat(2, w.task('x'), { warmup: 1, between: w.between, now: w.now })).toEqual([2, 3]);
    expect(w.log).toEqual(['x', '|', 'x', '|', 'x']);
  });

  it('refuses a count of repetitions or warm-ups that is not a whole number', async () => {
    const w = fakeWork([]);
    await expect(repeat(0, w.task('x'))).rejects.toThrow('repetitions must be a whole number ≥ 1, not 0');
    await expect(repeat(1.5, w.task('x'))).rejects.toThrow('not 1.5');
    await expect(repeat(1, w.task('x'), { warmup: -1 })).rejects.toThrow('warm-up runs must be a whole number ≥ 0, not -1');
  });
});

describe('interleave', () => {
  it('runs rep 1 of each contender, then rep 2 of each, …, after the warm-up rounds', async () => {
    const w = fakeWork([50, 60, 1, 10, 2, 20, 3, 30]);
    const samples = await interleave(3, { svcpack: w.task('a'), bun: w.task('b') }, { warmup: 1, between: w.between, now: w.now });
    expect(w.log).toEqual(['a', '|', 'b', '|', 'a', '|', 'b', '|', 'a', '|', 'b', '|', 'a', '|', 'b']);
    expect(samples).toEqual({ svcpack: [1, 2, 3], bun: [10, 20, 30] });
    expect(Object.keys(samples)).toEqual(['svcpack', 'bun']);
  });

  it('stops at the first rejection', async () => {
    const w = fakeWork([]);
    const failing = async () => {
      throw new Error('bun crashed');
    };
    await expect(interleave(2, { a: w.task('a'), b: failing, c: w.task('c') })).rejects.toThrow('bun crashed');
    expect(w.log).toEqual(['a']);
  });

  it('needs a contender', async () => {
    await expect(interleave(1, {})).rejects.toThrow('nothing to time: no contenders');
  });
});
