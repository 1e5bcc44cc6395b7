/**
 * The service benchmark suites (bench/suites/service.ts, bench/suites/supervision.ts): their pure
 * helpers (/proc parsing, service process matching, log reading, loss/duplication counting). The
 * suites themselves run once, in quick mode, in test/bench/quick-run.test.ts.
 */
import { describe, expect, test } from 'vitest';
import {
  isExited,
  parseCmdline,
  parseSmapsRollup,
  parseStat,
  processesMatching,
  processLabel,
  serviceProcesses,
  type ProcEntry,
} from '../../bench/suites/service';
import {
  analyzeFlood,
  countSequence,
  logFilesOldestFirst,
  parseLogRecords,
} from '../../bench/suites/supervision';

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
