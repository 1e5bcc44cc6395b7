import { describe, expect, it } from 'vitest';
import { absoluteCheck, differenceCheck, measurement, ratioCheck, summarize } from '../../../bench/lib/stats';

describe('summarize', () => {
  it('interpolates the median and quartiles of an even sample', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4, p25: 1.75, p75: 3.25, mean: 2.5, relSpread: 0.6 });
  });

  it('interpolates the quartiles of an odd sample and hits ranks exactly when they fall on one', () => {
    expect(summarize([5, 1, 3])).toMatchObject({ median: 3, p25: 2, p75: 4, mean: 3, relSpread: 2 / 3 });
    expect(summarize([50, 10, 40, 20, 30])).toMatchObject({ median: 30, p25: 20, p75: 40, min: 10, max: 50 });
  });

  it('a single sample is its own median and quartiles, with no spread', () => {
    expect(summarize([7])).toEqual({ n: 1, median: 7, min: 7, max: 7, p25: 7, p75: 7, mean: 7, relSpread: 0 });
  });

  it('leaves the samples in their order', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('throws on an empty sample or a non-finite value', () => {
    expect(() => summarize([])).toThrow('cannot summarize an empty sample');
    expect(() => summarize([1, Number.NaN])).toThrow('cannot summarize a sample holding NaN');
    expect(() => summarize([Infinity])).toThrow('holding Infinity');
  });
});

describe('measurement', () => {
  it('carries the samples, their statistics and the details', () => {
    const m = measurement('build.warm.hello', 'warm build, hello-http', 'svcpack', 'ms', [3, 1, 2], { method: 'cache kept' });
    expect(m).toEqual({
      metric: 'build.warm.hello',
      label: 'warm build, hello-http',
      contender: 'svcpack',
      unit: 'ms',
      samples: [3, 1, 2],
      stats: summarize([1, 2, 3]),
      details: { method: 'cache kept' },
    });
    expect('details' in measurement('m', 'l', 'c', 'ms', [1])).toBe(false);
  });
});

describe('checks', () => {
  // median 10, p25 9, p75 11 / median 20, p25 19, p75 21
  const fast = measurement('build', 'build', 'svcpack', 'ms', [8, 10, 12]);
  const slow = measurement('build', 'build', 'bun', 'ms', [18, 20, 22]);

  it('ratio: median over median, ranging from p25/p75 to p75/p25', () => {
    const c = ratioCheck({ id: 'r', label: 'svcpack / bun', numerator: fast, denominator: slow, target: { op: '<=', value: 0.6 } });
    expect(c).toEqual({
      id: 'r',
      label: 'svcpack / bun',
      kind: 'ratio',
      value: 0.5,
      unit: 'ratio',
      low: 9 / 21,
      high: 11 / 19,
      target: { op: '<=', value: 0.6 },
      met: true,
    });
  });

  it('met follows the target operator, and the explanation is kept only when the target is missed', () => {
    const ratio = (op: '<=' | '<' | '>=', value: number) =>
      ratioCheck({ id: 'r', label: 'l', numerator: fast, denominator: slow, target: { op, value }, explanation: 'why' });
    expect(ratio('<=', 0.5)).toMatchObject({ met: true });
    expect(ratio('<=', 0.5)).not.toHaveProperty('explanation');
    expect(ratio('<', 0.5)).toMatchObject({ met: false, explanation: 'why' });
    expect(ratio('>=', 0.5).met).toBe(true);
    expect(ratio('>=', 0.51).met).toBe(false);
  });

  it('difference: median minus median in the shared unit, ranging from p25-p75 to p75-p25', () => {
    const c = differenceCheck({ id: 'd', label: 'overhead', subject: fast, baseline: slow, target: { op: '<=', value: -15 } });
    expect(c).toMatchObject({ kind: 'difference', unit: 'ms', value: -10, low: -12, high: -8, met: false });
  });

  it('absolute: the median, ranging over the quartiles', () => {
    const size = measurement('size', 'exe size', 'svcpack', 'MB', [50, 40, 45, 55]);
    const c = absoluteCheck({ id: 'a', label: 'exe size', measurement: size, target: { op: '<=', value: 50 } });
    expect(c).toMatchObject({ kind: 'absolute', unit: 'MB', value: 47.5, low: 43.75, high: 51.25, met: true });
  });

  it('refuses to compare different units or to divide by a non-positive denominator', () => {
    const size = measurement('size', 'exe size', 'svcpack', 'MB', [50]);
    expect(() => ratioCheck({ id: 'x', label: 'l', numerator: fast, denominator: size, target: { op: '<=', value: 1 } })).toThrow(
      'check x: cannot compare build in ms with size in MB',
    );
    expect(() => differenceCheck({ id: 'x', label: 'l', subject: size, baseline: fast, target: { op: '<=', value: 1 } })).toThrow('cannot compare');
    const zero = measurement('build', 'build', 'noop', 'ms', [0, 0, 1]);
    expect(() => ratioCheck({ id: 'x', label: 'l', numerator: fast, denominator: zero, target: { op: '<=', value: 1 } })).toThrow(
      'check x: the denominator (noop, build) must be positive, its p25 is 0',
    );
  });
});
