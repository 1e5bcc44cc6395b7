import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogsCommand } from '../../../runtime-shim/commands/command-line';
import type { LogReadFs } from '../../../runtime-shim/logging/log-files';
import { RotatingLogFile } from '../../../runtime-shim/logging/rotating-file';
import { ManageError } from '../../../runtime-shim/commands/context';
import { parseSince } from '../../../runtime-shim/commands/log-since';
import { DEFAULT_LINES, logs, type LogsIo } from '../../../runtime-shim/commands/logs';

const NAME = 'MySvc';
const T0 = Date.parse('2026-12-02T10:00:00.000Z');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-logs-'));
  dirs.push(dir);
  return dir;
}

/** The service's log writer with a clock that moves one second per record. */
function service(dir: string, opts: { maxBytes?: number; keep?: number; compress?: boolean } = {}) {
  let now = T0;
  const log = new RotatingLogFile({
    dir,
    name: NAME,
    settings: { logLevel: 'info', logRotate: { maxBytes: opts.maxBytes ?? 400, daily: false }, logKeep: opts.keep ?? 50, logCompress: opts.compress ?? false },
    now: () => new Date(now),
  });
  let seq = 0;
  return {
    /** Writes `n` records `line <seq>`, one second apart. */
    write(n: number) {
      for (let i = 0; i < n; i++, seq++, now += 1000) log.write('info', 'stdout', `line ${seq}`);
    },
    record(message: string) {
      log.write('error', 'app', message);
      now += 1000;
    },
    get now() {
      return now;
    },
  };
}

/** Every record in `dir`, oldest first, as stored (rotated files gunzipped). */
function allText(dir: string): string {
  const rotated = fs
    .readdirSync(dir)
    .map((file) => ({ file, n: Number(/^MySvc\.(\d+)\.log(\.gz)?$/.exec(file)?.[1] ?? 0) }))
    .filter((f) => f.n > 0)
    .sort((a, b) => b.n - a.n);
  const read = (file: string) => (file.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(path.join(dir, file))) : fs.readFileSync(path.join(dir, file)));
  return [...rotated.map((f) => read(f.file).toString()), fs.existsSync(path.join(dir, 'MySvc.log')) ? read('MySvc.log').toString() : ''].join('');
}

const lastLines = (text: string, n: number) => text.split(/(?<=\n)/).slice(-n).join('');
const seqs = (text: string) => [...text.matchAll(/\[stdout\] line (\d+)$/gm)].map((m) => Number(m[1]));

/** A console for `logs`: output collected; each sleep (a --follow poll) runs `between` first; aborted after `polls`. */
function console_(opts: { now?: number; fs?: LogReadFs; between?: (poll: number) => void; polls?: number } = {}) {
  const controller = new AbortController();
  const chunks: Buffer[] = [];
  const warnings: string[] = [];
  let poll = 0;
  const io: LogsIo = {
    write: async (bytes) => void chunks.push(Buffer.from(bytes)),
    signal: controller.signal,
    now: () => opts.now ?? Date.now(),
    sleep: async () => {
      poll++;
      if (poll > (opts.polls ?? 0)) controller.abort();
      else opts.between?.(poll);
    },
    fs: opts.fs ?? fs,
  };
  return {
    io,
    warnings,
    ctx: (dir: string) => ({ name: NAME, logDir: dir, warn: (line: string) => warnings.push(line) }),
    out: () => Buffer.concat(chunks).toString(),
  };
}

const cmd = (over: Partial<LogsCommand> = {}): LogsCommand => ({ kind: 'logs', follow: false, ...over });

describe('logs: the last records', () => {
  it('--lines N across the current file and rotated ones, plain and gzipped, byte for byte', async () => {
    for (const compress of [false, true]) {
      const dir = tempDir();
      const svc = service(dir, { compress });
      svc.write(60); // ~9 records a file: 6 rotated files
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(compress ? '.log.gz' : '.log')).length).toBeGreaterThan(5);
      const c = console_();
      expect(await logs(c.ctx(dir), cmd({ lines: 30 }), c.io)).toBe(0);
      expect(c.out()).toBe(lastLines(allText(dir), 30));
      expect(seqs(c.out())).toEqual(Array.from({ length: 30 }, (_, i) => 30 + i));
      expect(c.warnings).toEqual([]);
    }
  });

  it(`without --lines the last ${DEFAULT_LINES}; more than there are gives all; 0 none`, async () => {
    const dir = tempDir();
    service(dir, { compress: true }).write(80);
    let c = console_();
    await logs(c.ctx(dir), cmd(), c.io);
    expect(seqs(c.out())).toEqual(Array.from({ length: 50 }, (_, i) => 30 + i));
    c = console_();
    await logs(c.ctx(dir), cmd({ lines: 1000 }), c.io);
    expect(c.out()).toBe(allText(dir));
    expect(seqs(c.out())).toHaveLength(80);
    c = console_();
    await logs(c.ctx(dir), cmd({ lines: 0 }), c.io);
    expect(c.out()).toBe('');
  });

  it('only reads the rotated files it needs', async () => {
    const dir = tempDir();
    service(dir, { compress: true }).write(60);
    const names = new Map<number, string>();
    const read = new Set<string>();
    const spy = {
      ...fs,
      openSync: (...args: unknown[]) => {
        const fd = (fs.openSync as (...a: unknown[]) => number)(...args);
        names.set(fd, path.basename(String(args[0])));
        return fd;
      },
      readSync: (...args: unknown[]) => {
        read.add(names.get(args[0] as number)!);
        return (fs.readSync as (...a: unknown[]) => number)(...args);
      },
    } as unknown as LogReadFs;
    const inCurrent = seqs(fs.readFileSync(path.join(dir, 'MySvc.log'), 'utf8')).length;
    let c = console_({ fs: spy });
    await logs(c.ctx(dir), cmd({ lines: inCurrent - 1 }), c.io);
    expect(seqs(c.out())).toEqual(Array.from({ length: inCurrent - 1 }, (_, i) => 61 - inCurrent + i));
    expect([...read]).toEqual(['MySvc.log']);
    read.clear();
    c = console_({ fs: spy });
    await logs(c.ctx(dir), cmd({ lines: inCurrent + 2 }), c.io);
    expect(seqs(c.out())).toEqual(Array.from({ length: inCurrent + 2 }, (_, i) => 58 - inCurrent + i));
    expect([...read]).toEqual(['MySvc.log', 'MySvc.1.log.gz']);
  });

  it('rotations while the files are opened and read: opened again, nothing lost or repeated', async () => {
    for (const when of ['openSync', 'readSync'] as const) {
      const dir = tempDir();
      const svc = service(dir, { compress: true });
      svc.write(60);
      let calls = 0;
      const racing = {
        ...fs,
        [when]: (...args: unknown[]) => {
          // Rotations under the reader, twice: after a few files were opened / while reading them.
          if (++calls === 3 || calls === 9) svc.write(12);
          return (fs[when] as (...a: unknown[]) => unknown)(...args);
        },
      } as unknown as LogReadFs;
      const c = console_({ fs: racing });
      await logs(c.ctx(dir), cmd({ lines: 40 }), c.io);
      const last = seqs(allText(dir)).at(-1)!;
      const printed = seqs(c.out());
      expect(printed, when).toHaveLength(40);
      expect(printed.every((n, i) => i === 0 || n === printed[i - 1]! + 1), when).toBe(true);
      expect(printed.at(-1)! >= 59 && printed.at(-1)! <= last, when).toBe(true);
    }
  });

  it('a multi-line record (a stack trace) counts once and is printed whole', async () => {
    const dir = tempDir();
    const svc = service(dir, { maxBytes: 10_000 });
    svc.write(3);
    svc.record('Error: boom\n    at f (app.js:1:1)\n    at g (app.js:2:1)');
    svc.write(1);
    const c = console_();
    await logs(c.ctx(dir), cmd({ lines: 2 }), c.io);
    expect(c.out().split('\n').map((l) => l.replace(/^\S+ \S+ +/, ''))).toEqual([
      '[app] Error: boom',
      '[app]     at f (app.js:1:1)',
      '[app]     at g (app.js:2:1)',
      '[stdout] line 3',
      '',
    ]);
  });
});

describe('logs --since', () => {
  it('a duration back from now: every record since then, across files; with --lines at most N of them', async () => {
    const dir = tempDir();
    const svc = service(dir, { compress: true });
    svc.write(60); // record i at T0 + i s; now T0 + 60 s
    let c = console_({ now: svc.now });
    await logs(c.ctx(dir), cmd({ since: parseSince('25s')! }), c.io);
    expect(seqs(c.out())).toEqual(Array.from({ length: 25 }, (_, i) => 35 + i));
    c = console_({ now: svc.now });
    await logs(c.ctx(dir), cmd({ since: parseSince('25s')!, lines: 5 }), c.io);
    expect(seqs(c.out())).toEqual([55, 56, 57, 58, 59]);
    c = console_({ now: svc.now });
    await logs(c.ctx(dir), cmd({ since: parseSince('1d')! }), c.io);
    expect(c.out()).toBe(allText(dir));
  });

  it('a date/time: with a zone, or local', async () => {
    const dir = tempDir();
    service(dir).write(20);
    let c = console_();
    await logs(c.ctx(dir), cmd({ since: parseSince('2026-12-02T10:00:17Z')! }), c.io);
    expect(seqs(c.out())).toEqual([17, 18, 19]);
    const local = new Date(T0 + 15_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const text = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}`;
    c = console_();
    await logs(c.ctx(dir), cmd({ since: parseSince(text)! }), c.io);
    expect(seqs(c.out())).toEqual([15, 16, 17, 18, 19]);
    c = console_();
    await logs(c.ctx(dir), cmd({ since: parseSince('2026-12-03')! }), c.io);
    expect(c.out()).toBe('');
  });
});

describe('parseSince', () => {
  it('durations, ISO dates and times (local unless zoned); null for anything else', () => {
    expect(parseSince('10m')).toEqual({ agoMs: 600_000 });
    expect(parseSince('2h')).toEqual({ agoMs: 7_200_000 });
    expect(parseSince('2026-12-01T14:30:00Z')).toEqual({ atMs: Date.parse('2026-12-01T14:30:00Z') });
    expect(parseSince('2026-12-01T14:30:00.5+01:00')).toEqual({ atMs: Date.parse('2026-12-01T13:30:00.500Z') });
    expect(parseSince('2026-12-01T14:30-0530')).toEqual({ atMs: Date.parse('2026-12-01T20:00:00Z') });
    expect(parseSince('2026-12-01')).toEqual({ atMs: new Date(2026, 11, 1).getTime() });
    expect(parseSince('2026-12-01 14:30')).toEqual({ atMs: new Date(2026, 11, 1, 14, 30).getTime() });
    for (const bad of ['yesterday', '10 min', '2026-13-01', '2026-02-30', '2026-12-01T25:00', '2026-12-01T14', '-5m', '']) expect(parseSince(bad), bad).toBeNull();
  });
});

describe('logs: nothing to read', () => {
  it('no log yet (no folder, or no file in it): one line on stderr naming the folder, exit 0, nothing on stdout', async () => {
    for (const dir of [path.join(tempDir(), 'logs'), tempDir()]) {
      const c = console_();
      expect(await logs(c.ctx(dir), cmd(), c.io)).toBe(0);
      expect(c.out()).toBe('');
      expect(c.warnings).toEqual([`MySvc: the service has not written a log yet in ${dir} — start it with "MySvc.exe start" and try again`]);
    }
  });

  it('a folder or file the caller may not read: one ManageError saying how to get access (exit 1)', async () => {
    const dir = tempDir();
    service(dir).write(3);
    const denied = (code: string) => Object.assign(new Error(`${code}: operation not permitted`), { code });
    for (const [call, code] of [['openSync', 'EPERM'], ['readdirSync', 'EACCES'], ['openSync', 'EACCES']] as const) {
      const c = console_({ fs: { ...fs, [call]: () => { throw denied(code); } } as LogReadFs });
      const err = await logs(c.ctx(dir), cmd(), c.io).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ManageError);
      expect(err).toMatchObject({
        message: `cannot read the log in ${dir}: access denied`,
        hint: 'run "MySvc.exe logs" from a command prompt opened with "Run as administrator" (the log folder is readable by administrators and the service only)',
        exitCode: 1,
      });
    }
  });
});

describe('logs --follow', () => {
  it('prints the last records, then new ones across rotations (plain and gzipped), none lost or repeated, until aborted', async () => {
    for (const compress of [false, true]) {
      const dir = tempDir();
      const svc = service(dir, { compress, keep: 100 });
      svc.write(20);
      // Between polls: 1, 3, 9, 27 records — none, one and several rotations between two reads.
      const c = console_({ polls: 8, between: (poll) => svc.write(3 ** (poll % 4)) });
      expect(await logs(c.ctx(dir), cmd({ lines: 5, follow: true }), c.io)).toBe(0);
      const total = 20 + 2 * (1 + 3 + 9 + 27);
      expect(seqs(c.out())).toEqual(Array.from({ length: total - 15 }, (_, i) => 15 + i));
      expect(c.out()).toBe(lastLines(allText(dir), total - 15));
      expect(c.warnings).toEqual([]);
    }
  });

  it('where the file system gives no file ids: a current file shorter than what was read means a rotation', async () => {
    const dir = tempDir();
    const svc = service(dir, { compress: true, keep: 100 });
    svc.write(20);
    const noIds = <T extends object>(stat: T) => Object.assign(Object.create(Object.getPrototypeOf(stat)), stat, { ino: 0n, birthtimeNs: 0n }) as T;
    const idless = {
      ...fs,
      statSync: (...args: unknown[]) => noIds((fs.statSync as (...a: unknown[]) => fs.BigIntStats)(...args)),
      fstatSync: (...args: unknown[]) => noIds((fs.fstatSync as (...a: unknown[]) => fs.BigIntStats)(...args)),
    } as unknown as LogReadFs;
    const c = console_({ fs: idless, polls: 12, between: () => svc.write(3) });
    await logs(c.ctx(dir), cmd({ lines: 2, follow: true }), c.io);
    expect(seqs(c.out())).toEqual(Array.from({ length: 2 + 36 }, (_, i) => 18 + i));
    expect(c.warnings).toEqual([]);
  });

  it('a log emptied in place (by hand) is followed from its new start', async () => {
    const dir = tempDir();
    const svc = service(dir, { maxBytes: 100_000 });
    svc.write(5);
    const c = console_({
      polls: 3,
      between: (poll) => {
        if (poll === 2) fs.truncateSync(path.join(dir, 'MySvc.log'));
        svc.write(2);
      },
    });
    await logs(c.ctx(dir), cmd({ lines: 1, follow: true }), c.io);
    expect(seqs(c.out())).toEqual([4, 5, 6, 7, 8, 9, 10]); // 7 and 8: written after the file was emptied
  });

  it('with no log yet: says so once, then prints the log from its start when it appears', async () => {
    const dir = path.join(tempDir(), 'logs');
    let svc: ReturnType<typeof service> | null = null;
    const c = console_({
      polls: 4,
      between: (poll) => {
        if (poll === 2) svc = service(dir);
        if (poll >= 2) svc!.write(10);
      },
    });
    expect(await logs(c.ctx(dir), cmd({ follow: true }), c.io)).toBe(0);
    expect(seqs(c.out())).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(c.warnings).toEqual([`MySvc: the service has not written a log yet in ${dir}; waiting for it (Ctrl+C to stop)`]);
  });

  it('rotated away faster than followed (more rotations than kept files): a warning, then it goes on', async () => {
    const dir = tempDir();
    const svc = service(dir, { keep: 2 });
    svc.write(5);
    const c = console_({ polls: 2, between: (poll) => svc.write(poll === 1 ? 60 : 1) });
    expect(await logs(c.ctx(dir), cmd({ lines: 1, follow: true }), c.io)).toBe(0);
    expect(c.warnings).toEqual([
      expect.stringMatching(/^MySvc: the log rotated more than once between two reads and the file being followed is no longer in .*; records written meanwhile may be missing$/),
    ]);
    const got = seqs(c.out());
    const held = seqs(fs.readFileSync(path.join(dir, 'MySvc.log'), 'utf8'));
    expect(got[0]).toBe(4);
    expect(got.at(-1)).toBe(65);
    expect(got.slice(-held.length)).toEqual(held); // the new current file, whole
    expect([...got].sort((a, b) => a - b)).toEqual(got);
    expect(new Set(got).size).toBe(got.length);
  });
});
