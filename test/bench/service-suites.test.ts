/**
 * The service benchmark suites (bench/suites/service.ts, bench/suites/supervision.ts): their pure
 * helpers (/proc parsing, service process matching, log reading, loss/duplication counting), and
 * one quick run of each suite under Wine (reps 1) that checks every metric is there with finite
 * samples and that the supervised log lost and duplicated nothing. Timings are printed, never
 * asserted (machines are noisy).
 *
 * Wine missing FAILS the Wine tests (e2eFile), as does a missing mingw-w64 (the native tools).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { BenchContext, SuiteResult } from '../../bench/lib/types';
import {
  CONTENDERS,
  createServiceSuite,
  isExited,
  parseCmdline,
  parseSmapsRollup,
  parseStat,
  processesMatching,
  processLabel,
  SERVICE_SUITE_SERVICES,
  serviceProcesses,
  type ProcEntry,
} from '../../bench/suites/service';
import {
  analyzeFlood,
  countSequence,
  createSupervisionSuite,
  logFilesOldestFirst,
  parseLogRecords,
  SUPERVISION_SUITE_SERVICES,
} from '../../bench/suites/supervision';
import { e2eFile } from '../e2e/wine';

describe('/proc helpers', () => {
  test('parseCmdline splits on NUL and drops the empty arguments Wine pads command lines with', () => {
    expect(parseCmdline('Z:\\tmp\\a\\Svc.exe\0--service\0\0\0\0')).toEqual(['Z:\\tmp\\a\\Svc.exe', '--service']);
    expect(parseCmdline('')).toEqual([]);
  });

  test('parseStat takes comm between the first ( and the last ) and the state after it', () => {
    expect(parseStat('1234 (conhost.exe) S 1 1234 1234 0 -1')).toEqual({ comm: 'conhost.exe', state: 'S' });
    expect(parseStat('77 (a (b) c) Z 1 2 3')).toEqual({ comm: 'a (b) c', state: 'Z' });
    expect(parseStat('garbage')).toEqual({ comm: '', state: '?' });
    expect(isExited({ state: 'Z' })).toBe(true);
    expect(isExited({ state: 'S' })).toBe(false);
  });

  test('parseSmapsRollup reads Rss and Pss in kB, and throws when one is missing', () => {
    const text = [
      '55b74fe53000-7ffe0a454000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:              126976 kB',
      'Pss:              116952 kB',
      'Pss_Dirty:         10240 kB',
      'Shared_Clean:      10036 kB',
    ].join('\n');
    expect(parseSmapsRollup(text)).toEqual({ rssKiB: 126976, pssKiB: 116952 });
    expect(() => parseSmapsRollup('Rss: 1 kB\n')).toThrow(/Pss/);
  });

  const proc = (pid: number, comm: string, args: string[], state = 'S'): ProcEntry => ({ pid, comm, args, state });
  const procs = [
    proc(10, 'services.exe', ['C:\\windows\\system32\\services.exe']),
    proc(11, 'conhost.exe', ['C:\\windows\\system32\\conhost.exe', '--server', '0x10', '--headless']),
    proc(20, 'SvcpackBenchSup', ['Z:\\w\\supervised\\SvcpackBenchSupervised.exe', '--service', '18312']),
    proc(21, 'SvcpackBenchSup', ['Z:\\w\\supervised\\SvcpackBenchSupervised.exe', '--svcpack-supervised-child', '18312']),
    proc(22, 'conhost.exe', ['C:\\windows\\system32\\conhost.exe', '--server', '0x38', '--headless']),
    proc(23, 'conhost.exe', [], 'Z'),
    proc(30, 'node', ['node', '/work/main/node_modules/.bin/vitest']),
    proc(31, 'sc.exe', []),
  ];

  test('serviceProcesses: command lines naming the contender’s paths (any case), plus conhost.exe started since', () => {
    const before = new Set([10, 11, 30]);
    const found = serviceProcesses(procs, ['z:\\W\\SUPERVISED\\SvcpackBenchSupervised.exe'], before);
    expect(found.map((p) => p.pid)).toEqual([20, 21, 22]);
    // Processes that existed before the start never count, even when they match.
    expect(serviceProcesses(procs, ['Z:\\w\\supervised'], new Set([10, 11, 20, 22, 30])).map((p) => p.pid)).toEqual([21]);
  });

  test('processesMatching finds live processes by path whatever existed before; processLabel names them', () => {
    expect(processesMatching(procs, ['Z:\\w\\supervised']).map((p) => p.pid)).toEqual([20, 21]);
    expect(processesMatching(procs, ['Z:\\nowhere'])).toEqual([]);
    expect(processLabel(procs[3]!)).toBe('SvcpackBenchSupervised.exe --svcpack-supervised-child');
    expect(processLabel(proc(40, 'node.exe', ['Z:\\cache\\node.exe', 'Z:\\w\\wrapper\\idle-http.js', '18314']))).toBe('node.exe idle-http.js');
    expect(processLabel(proc(41, 'sc.exe', []))).toBe('sc.exe');
  });
});

describe('supervised log reading', () => {
  test('parseLogRecords reads time, level, source and message, and each record’s bytes', () => {
    const text = [
      '2026-11-22T09:46:03.115Z info  [supervisor] app started (pid 42)',
      '2026-11-22T09:46:03.135Z info  [stdout] line 0',
      '    at a continuation line',
      '2026-11-22T09:46:03.136Z error [lifecycle] uncaught exception: Error: x',
      '',
    ].join('\n');
    const records = parseLogRecords(text);
    expect(records.map((r) => [r.level, r.source, r.message])).toEqual([
      ['info', 'supervisor', 'app started (pid 42)'],
      ['info', 'stdout', 'line 0'],
      ['error', 'lifecycle', 'uncaught exception: Error: x'],
    ]);
    expect(records[1]!.at).toBe(Date.parse('2026-11-22T09:46:03.135Z'));
    expect(records[1]!.bytes).toBe('2026-11-22T09:46:03.135Z info  [stdout] line 0\n'.length);
  });

  test('logFilesOldestFirst: the highest number first, the current file last, other files ignored', () => {
    const files = ['Flood.log', 'Flood.2.log', 'Flood.10.log', 'Flood.1.log', 'Other.1.log', 'Flood.3.log.gz', 'Flood.log.tmp'];
    expect(logFilesOldestFirst(files, 'Flood')).toEqual(['Flood.10.log', 'Flood.2.log', 'Flood.1.log', 'Flood.log']);
    expect(logFilesOldestFirst(['A.1.log'], 'A')).toEqual(['A.1.log']);
  });

  test('countSequence counts missing, duplicated, unexpected and out-of-order numbers', () => {
    expect(countSequence([0, 1, 2, 3], 4)).toEqual({ read: 4, missing: 0, duplicated: 0, unexpected: 0, outOfOrder: 0 });
    expect(countSequence([0, 2, 3], 4)).toMatchObject({ missing: 1, duplicated: 0, outOfOrder: 0 });
    expect(countSequence([0, 1, 1, 2, 3], 4)).toMatchObject({ missing: 0, duplicated: 1, outOfOrder: 1 });
    expect(countSequence([1, 0, 2, 3, 7], 4)).toMatchObject({ missing: 0, duplicated: 0, unexpected: 1, outOfOrder: 1 });
    expect(countSequence([], 3)).toMatchObject({ read: 0, missing: 3 });
  });

  test('analyzeFlood: window from the record of line 0 to that of the last line, bytes of the numbered records', () => {
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 22, 9, 0, 0, ms)).toISOString();
    const lines = [
      `${at(0)} info  [supervisor] app started (pid 1)`,
      `${at(100)} info  [stdout] line 0`,
      `${at(150)} info  [stdout] line 1`,
      `${at(300)} info  [stdout] line 2`,
      `${at(300)} info  [stdout] flood done: 3 lines in 180 ms`,
    ];
    const result = analyzeFlood(parseLogRecords(lines.join('\n') + '\n'), 3);
    expect(result).toMatchObject({ read: 3, missing: 0, duplicated: 0, windowMs: 200, appMs: 180 });
    expect(result.linesPerSecond).toBeCloseTo(15, 6);
    expect(result.bytes).toBe(lines.slice(1, 4).reduce((s, l) => s + l.length + 1, 0));
    // A missing last line leaves no window: NaN, never a made-up figure.
    expect(analyzeFlood(parseLogRecords(lines.slice(0, 3).join('\n')), 3)).toMatchObject({ missing: 1, windowMs: NaN });
  });
});

describe('service suites under Wine (reps 1)', () => {
  let toolsDir = '';
  const file = e2eFile({
    services: [...SERVICE_SUITE_SERVICES, ...SUPERVISION_SUITE_SERVICES],
    setup: async () => {
      toolsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-bench-tools-'));
      return {};
    },
  });
  afterAll(() => {
    if (toolsDir) fs.rmSync(toolsDir, { recursive: true, force: true });
  });

  function context(name: string): { ctx: BenchContext; done(): void } {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `svcpack-bench-${name}-`));
    return {
      ctx: { reps: 1, quick: true, workDir, toolsDir, log: (m) => console.log(`[bench] ${m}`) },
      done: () => fs.rmSync(workDir, { recursive: true, force: true }),
    };
  }

  function expectComplete(result: SuiteResult, expected: Record<string, string[]>): void {
    for (const [metric, contenders] of Object.entries(expected)) {
      for (const contender of contenders) {
        const m = result.measurements.find((x) => x.metric === metric && x.contender === contender);
        expect(m, `${metric} for ${contender}`).toBeDefined();
        expect(m!.samples.length, `${metric} for ${contender}`).toBe(1);
        expect(m!.samples.every(Number.isFinite), `${metric} for ${contender}: ${m!.samples.join(', ')}`).toBe(true);
      }
    }
    for (const c of result.checks) expect(Number.isFinite(c.value), `check ${c.id}`).toBe(true);
    expect(result.notes.length).toBeGreaterThan(0);
  }

  test('service: start, ready, stop and memory of every contender', { timeout: 300_000 }, async () => {
    void file.ctx;
    const { ctx, done } = context('service');
    try {
      const result = await createServiceSuite({ manageWine: false }).run(ctx);
      for (const m of result.measurements) console.log(`[bench] ${m.metric} ${m.contender}: ${m.samples[0]!.toFixed(1)} ${m.unit}`);
      const all = Object.values(CONTENDERS);
      const node = all.filter((c) => c !== CONTENDERS.native);
      expectComplete(result, {
        'service.start': all,
        'service.stop': all,
        'memory.rss': all,
        'memory.pss': all,
        'memory.processes': all,
        'service.ready': node,
        'memory.heap': node,
      });
      const processes = (c: string) => result.measurements.find((m) => m.metric === 'memory.processes' && m.contender === c)!.samples[0];
      expect(processes(CONTENDERS.svcpack)).toBe(1);
      expect(processes(CONTENDERS.supervised)).toBeGreaterThanOrEqual(2);
      expect(processes(CONTENDERS.wrapper)).toBe(2);
      expect(result.checks.map((c) => c.id)).toEqual([
        'service.start.svcpack-vs-bare',
        'service.stop.svcpack-minus-bare',
        'memory.rss.svcpack-vs-bare',
        'memory.pss.svcpack-vs-bare',
        'memory.heap.svcpack-vs-bare',
      ]);
    } finally {
      done();
    }
  });

  test('supervision: restart latency, log throughput, nothing lost or duplicated', { timeout: 300_000 }, async () => {
    void file.ctx;
    const { ctx, done } = context('supervision');
    try {
      const result = await createSupervisionSuite({ manageWine: false }).run(ctx);
      for (const m of result.measurements) console.log(`[bench] ${m.metric}: ${m.samples[0]!.toFixed(1)} ${m.unit}`);
      const supervised = [CONTENDERS.supervised];
      expectComplete(result, {
        'restart.latency': supervised,
        'restart.overhead': supervised,
        'log.lines': supervised,
        'log.bytes': supervised,
        'log.lost': supervised,
      });
      const lost = result.measurements.find((m) => m.metric === 'log.lost')!;
      expect(lost.samples).toEqual([0]);
      expect(lost.details).toMatchObject({ missing: 0, duplicated: 0, unexpected: 0, 'out of order': 0 });
      expect(result.checks.find((c) => c.id === 'log.lost')!.met).toBe(true);
    } finally {
      done();
    }
  });
});
