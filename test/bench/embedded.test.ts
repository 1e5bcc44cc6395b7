/**
 * The embedded suite's pure parts (bench/suites/embedded.ts): reading the probe app's output,
 * first/later worker times, per-module and throughput arithmetic, table cells, its ports and probe
 * settings. The suite itself runs once, in quick mode, in test/bench/quick-run.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { measurement } from '../../bench/lib/stats';
import {
  EMBEDDED_PORTS,
  embeddedCounts,
  firstAndRest,
  formatMicros,
  mbPerSecond,
  medianCell,
  pairedRatio,
  pairedRatioCell,
  parseWorkerStartOutput,
  perModule,
  probeSettings,
  ratioCell,
} from '../../bench/suites/embedded';

describe('embedded suite: the probe’s output', () => {
  test('the last WORKER-START line is the result, whatever else the exe printed', () => {
    const stdout = 'something else\nWORKER-START {"mode":"eval","node":"v1","ms":[1]}\r\nWORKER-START {"mode":"eval","node":"v26.10.0","ms":[76.2,43.6,37.8]}\r\n';
    expect(parseWorkerStartOutput(stdout, 'eval')).toEqual({ mode: 'eval', node: 'v26.10.0', ms: [76.2, 43.6, 37.8] });
  });

  test('a read result needs both first reads and both block lists', () => {
    const read = { mode: 'read', node: 'v26.10.0', bytes: 65536, reads: 50, embeddedFirstUs: 3066, realFirstUs: 1762, embeddedUs: [13.6, 14], realUs: [1200] };
    expect(parseWorkerStartOutput(`WORKER-START ${JSON.stringify(read)}\n`, 'read')).toEqual(read);
    expect(() => parseWorkerStartOutput(`WORKER-START ${JSON.stringify({ ...read, realUs: [] })}`, 'read')).toThrow(/incomplete timings/);
    expect(() => parseWorkerStartOutput(`WORKER-START ${JSON.stringify({ ...read, embeddedFirstUs: null })}`, 'read')).toThrow(/incomplete timings/);
  });

  test('no line, bad JSON, another mode, or fewer than two worker times are errors naming the mode', () => {
    expect(() => parseWorkerStartOutput('Error: boom\n', 'embedded')).toThrow('worker-start (embedded) printed no WORKER-START line: Error: boom');
    expect(() => parseWorkerStartOutput('WORKER-START {oops', 'embedded')).toThrow(/not JSON/);
    expect(() => parseWorkerStartOutput('WORKER-START {"mode":"eval","ms":[1,2]}', 'embedded')).toThrow('worker-start ran mode eval, not embedded');
    expect(() => parseWorkerStartOutput('WORKER-START {"mode":"embedded","ms":[5]}', 'embedded')).toThrow(/fewer than two/);
    expect(() => parseWorkerStartOutput('WORKER-START {"mode":"embedded","ms":[5,"x"]}', 'embedded')).toThrow(/fewer than two/);
  });
});

describe('embedded suite: arithmetic', () => {
  test('first is the first time, later the median of the rest', () => {
    expect(firstAndRest([112, 60, 55, 54, 68])).toEqual({ first: 112, rest: 57.5 });
    expect(firstAndRest([3, 1])).toEqual({ first: 3, rest: 1 });
    expect(() => firstAndRest([3])).toThrow(/at least one later/);
  });

  test('per embedded module: paired differences over the module count', () => {
    expect(perModule([3400, 3600], [2000, 2200], 14)).toEqual([100, 100]);
    expect(() => perModule([1], [1, 2], 3)).toThrow(/unpaired/);
    expect(() => perModule([1], [1], 0)).toThrow(/no embedded modules/);
  });

  test('what a build record embeds; nothing when the field is absent (an older svcpack)', () => {
    expect(embeddedCounts({ modules: ['a.ts', 'b.js'], files: [{ bytes: 41 }, { bytes: 10800 }] })).toEqual({ modules: 2, files: 2, fileBytes: 10841 });
    expect(embeddedCounts({ modules: [], files: [] })).toEqual({ modules: 0, files: 0, fileBytes: 0 });
    expect(embeddedCounts(undefined)).toEqual({ modules: 0, files: 0, fileBytes: 0 });
  });

  test('throughput in MB/s (MiB) from bytes and µs', () => {
    expect(mbPerSecond(1024 * 1024, 1e6)).toBe(1);
    expect(mbPerSecond(65536, 12.5)).toBe(5000);
  });
});

describe('embedded suite: table cells', () => {
  const a = measurement('m', 'l', 'a', 'ms', [102, 100, 104]);
  const b = measurement('m', 'l', 'b', 'ms', [50, 50, 50]);
  test('medians and ratios, a dash when a side was not measured (quick mode, no worktree)', () => {
    expect(medianCell(a)).toBe('102 ms');
    expect(ratioCell(a, b)).toBe('2.04×');
    expect(medianCell(undefined)).toBe('–');
    expect(ratioCell(a, undefined)).toBe('–');
    expect(ratioCell(undefined, b)).toBe('–');
  });

  test('paired ratios: the median of the round-by-round ratios, not the ratio of the medians', () => {
    // Round 2 ran while the machine was busy: both slow; paired, HEAD is 1.1× in every round.
    expect(pairedRatio([1.1, 3.3, 2.2], [1, 3, 2])).toBeCloseTo(1.1, 10);
    expect(pairedRatioCell(measurement('m', 'l', 'a', 's', [1.1, 3.3, 2.2]), measurement('m', 'l', 'b', 's', [1, 3, 2]))).toBe('1.10×');
    expect(pairedRatioCell(a, undefined)).toBe('–');
    expect(() => pairedRatio([1, 2], [1])).toThrow(/unpaired/);
    expect(() => pairedRatio([], [])).toThrow(/unpaired/);
  });

  test('µs with three significant digits', () => {
    expect(formatMicros(13.654)).toBe('13.7 µs');
    expect(formatMicros(1420.09)).toBe('1420 µs');
    expect(formatMicros(3.066)).toBe('3.07 µs');
  });
});

describe('embedded suite: settings', () => {
  test('its multi-module port clashes with no other suite’s nor an e2e test’s (hello-http keeps its fixed 8080)', () => {
    const others = [18082, 18083, 18085, 18090, 18310, 18311, 18312, 18313, 18314, 18321, 18322, 18323, 18324, 18325, 18326, 18327, 18341, 18400, 18522, 18532];
    expect(others).not.toContain(EMBEDDED_PORTS.multi);
    expect(EMBEDDED_PORTS.hello).toBe(8080);
  });

  test('quick mode keeps the probe small but still has a first and later workers', () => {
    expect(probeSettings(true).workers).toBeGreaterThanOrEqual(2);
    expect(probeSettings(false)).toEqual({ workers: 10, blocks: 10, reads: 100 });
    expect(probeSettings(true).blocks * probeSettings(true).reads).toBeLessThan(probeSettings(false).blocks * probeSettings(false).reads);
  });
});
