import { describe, expect, it } from 'vitest';
import { formatTarget, formatValue, markdownReport } from '../../../bench/lib/report';
import { absoluteCheck, differenceCheck, measurement, ratioCheck } from '../../../bench/lib/stats';
import type { BenchReport } from '../../../bench/lib/types';

describe('formatValue', () => {
  it('rounds as fits the unit', () => {
    expect(formatValue(1234.4, 'ms')).toBe('1234 ms');
    expect(formatValue(100.2, 'ms')).toBe('100 ms');
    expect(formatValue(12.345, 'ms')).toBe('12.3 ms');
    expect(formatValue(1.234, 'ms')).toBe('1.23 ms');
    expect(formatValue(-12.34, 'ms')).toBe('-12.3 ms');
    expect(formatValue(1.5, 's')).toBe('1.50 s');
    expect(formatValue(48.27, 'MB')).toBe('48.3 MB');
    expect(formatValue(312.5, 'MB/s')).toBe('313 MB/s');
    expect(formatValue(95_012.7, 'lines/s')).toBe('95013 lines/s');
    expect(formatValue(1_048_576, 'bytes')).toBe('1,048,576 bytes');
    expect(formatValue(3, 'count')).toBe('3');
    expect(formatValue(2.5, 'count')).toBe('2.5');
    expect(formatValue(0.4213, 'ratio')).toBe('0.42×');
    expect(formatValue(12.34, 'ratio')).toBe('12.3×');
  });

  it('formats a target with its operator', () => {
    expect(formatTarget({ op: '<=', value: 1.3 }, 'ratio')).toBe('≤ 1.30×');
    expect(formatTarget({ op: '>=', value: 50 }, 'MB/s')).toBe('≥ 50.0 MB/s');
    expect(formatTarget({ op: '<', value: 200 }, 'ms')).toBe('< 200 ms');
  });
});

describe('markdownReport', () => {
  const svcpack = measurement('build.warm', 'warm build, hello-http', 'svcpack', 'ms', [410, 430, 455, 470, 520], { bundle: 120.456, method: 'cache kept' });
  const bun = measurement('build.warm', 'warm build, hello-http', 'bun build --compile', 'ms', [980, 1010, 1040, 1100, 1120]);
  const size = measurement('size', 'exe size', 'svcpack', 'MB', [48.2]);
  const report: BenchReport = {
    startedAt: '2025-06-01T14:03:11.512Z',
    quick: false,
    reps: 5,
    machine: { cpu: 'AMD EPYC 7B13', cores: 8, memoryGiB: 31.3, os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-18-amd64' },
    versions: { 'node (host)': 'v20.20.2', wine: 'wine-9.0' },
    suites: [
      {
        suite: 'build',
        title: 'Build time',
        measurements: [svcpack, bun],
        checks: [
          ratioCheck({ id: 'warm', label: 'warm build: svcpack / bun', numerator: svcpack, denominator: bun, target: { op: '<=', value: 1.3 } }),
          differenceCheck({
            id: 'diff',
            label: 'warm build: svcpack − bun',
            subject: bun,
            baseline: svcpack,
            target: { op: '<=', value: 100 },
            explanation: 'bun | compiles the runtime in',
          }),
        ],
        notes: ['warm = second build with the cache kept', 'median of 5'],
      },
      {
        suite: 'size',
        title: 'Executable size',
        measurements: [size],
        checks: [absoluteCheck({ id: 'size', label: 'exe size', measurement: size, target: { op: '<=', value: 60 } })],
        notes: [],
      },
    ],
  };

  it('renders the header, the targets table and one table per suite', () => {
    expect(markdownReport(report)).toBe(
      [
        '## svcpack benchmarks',
        '',
        '2025-06-01 14:03 UTC · AMD EPYC 7B13 (8 cores, 31.3 GiB) · Debian GNU/Linux 12 (bookworm) · kernel 6.1.0-18-amd64 · 5 repetitions per figure',
        '',
        'Versions: node (host) v20.20.2 · wine wine-9.0',
        '',
        '### Targets',
        '',
        '| Check | Value | Range | Target | Met |',
        '|---|--:|--:|--:|---|',
        '| warm build: svcpack / bun | 0.44× | 0.39–0.47× | ≤ 1.30× | ✅ |',
        '| warm build: svcpack − bun | +585 ms | 540–670 ms | ≤ 100 ms | ❌ bun \\| compiles the runtime in |',
        '| exe size | 48.2 MB | — | ≤ 60.0 MB | ✅ |',
        '',
        '### Build time',
        '',
        '| Metric | Contender | Median | p25–p75 | n | Details |',
        '|---|---|--:|--:|--:|---|',
        '| warm build, hello-http | svcpack | 455 ms | 430–470 ms | 5 | bundle=120 method=cache kept |',
        '|  | bun build --compile | 1040 ms | 1010–1100 ms | 5 |  |',
        '',
        '- warm = second build with the cache kept',
        '- median of 5',
        '',
        '### Executable size',
        '',
        '| Metric | Contender | Median | p25–p75 | n | Details |',
        '|---|---|--:|--:|--:|---|',
        '| exe size | svcpack | 48.2 MB | — | 1 |  |',
        '',
      ].join('\n'),
    );
  });

  it('warns in bold when the run was quick, and says "repetition" for one', () => {
    const text = markdownReport({ ...report, quick: true, reps: 1 });
    expect(text).toContain('· 1 repetition per figure\n\n**quick mode: one repetition, figures not meaningful**\n');
    expect(markdownReport(report)).not.toContain('quick mode');
  });

  it('renders a suite’s summary tables under its measurements, before its notes', () => {
    const lines = {
      suite: 'lines',
      title: 'Node lines',
      measurements: [size],
      checks: [],
      tables: [{ title: 'Per line', header: ['Node', 'RSS'], align: 'lr', rows: [['26.10.0', '156.9 MB'], ['a|b', '1']] }],
      notes: ['a note'],
    };
    const text = markdownReport({ ...report, suites: [lines] });
    expect(text).toContain(
      ['| exe size | svcpack | 48.2 MB | — | 1 |  |', '', '**Per line**', '', '| Node | RSS |', '|---|--:|', '| 26.10.0 | 156.9 MB |', '| a\\|b | 1 |', '', '- a note', ''].join('\n'),
    );
  });

  it('leaves out what there is nothing for', () => {
    const text = markdownReport({ ...report, versions: {}, suites: [{ suite: 'x', title: 'Empty', measurements: [], checks: [], notes: [] }] });
    expect(text).not.toContain('Versions:');
    expect(text).not.toContain('### Targets');
    expect(text.endsWith('### Empty\n')).toBe(true);
  });
});
