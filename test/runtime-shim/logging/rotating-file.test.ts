import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  localDay,
  rotatedLogFiles,
  rotationPlan,
  RotatingLogFile,
  shouldRotate,
  type LogFs,
  type RotatingLogFileOptions,
} from '../../../runtime-shim/logging/rotating-file';

const NAME = 'MySvc';
type Settings = RotatingLogFileOptions['settings'];

function settings(over: Partial<Settings> = {}): Settings {
  return { logLevel: 'info', logRotate: { maxBytes: null, daily: false }, logKeep: 5, logCompress: false, ...over };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-rotate-'));
  dirs.push(dir);
  return dir;
}

/** The log files in `dir`, oldest first: `<Name>.N.log[.gz]` from the highest N, then `<Name>.log`. */
function logFilesOldestFirst(dir: string): string[] {
  const rotated = fs
    .readdirSync(dir)
    .map((file) => ({ file, match: /^MySvc\.(\d+)\.log(\.gz)?$/.exec(file) }))
    .filter((f) => f.match !== null)
    .sort((a, b) => Number(b.match![1]) - Number(a.match![1]))
    .map((f) => f.file);
  return [...rotated, `${NAME}.log`].filter((file) => fs.existsSync(path.join(dir, file)));
}

function readLog(dir: string, file: string): string {
  const data = fs.readFileSync(path.join(dir, file));
  return (file.endsWith('.gz') ? zlib.gunzipSync(data) : data).toString('utf8');
}

/** Every message in the log files, oldest first (the part after `[source] `). */
function allMessages(dir: string): string[] {
  return logFilesOldestFirst(dir)
    .flatMap((file) => readLog(dir, file).split('\n'))
    .filter(Boolean)
    .map((line) => line.replace(/^\S+ \S+\s+\[\w+\] /, ''));
}

const busy = (file: unknown): Error => Object.assign(new Error(`EBUSY: resource busy or locked, rename '${String(file)}'`), { code: 'EBUSY' });

describe('shouldRotate', () => {
  const now = new Date(2026, 10, 22, 12, 0, 0);
  const today = localDay(now);
  const size = { maxBytes: 1000, daily: false };

  it('rotates when the record would take the file over maxBytes', () => {
    expect(shouldRotate({ bytes: 900, sizeBase: 0, day: today }, 100, now, size)).toBe(false);
    expect(shouldRotate({ bytes: 901, sizeBase: 0, day: today }, 100, now, size)).toBe(true);
  });

  it('never rotates when nothing was written since sizeBase (a huge record goes whole into a fresh file)', () => {
    expect(shouldRotate({ bytes: 0, sizeBase: 0, day: today }, 5000, now, size)).toBe(false);
    expect(shouldRotate({ bytes: 0, sizeBase: 0, day: '2026-11-21' }, 10, now, { maxBytes: null, daily: true })).toBe(false);
  });

  it('counts from sizeBase after a failed rotation: the next try is another maxBytes later', () => {
    expect(shouldRotate({ bytes: 1500, sizeBase: 1200, day: today }, 100, now, size)).toBe(false);
    expect(shouldRotate({ bytes: 2150, sizeBase: 1200, day: today }, 100, now, size)).toBe(true);
  });

  it('daily: at the first write on a new local day only', () => {
    const daily = { maxBytes: null, daily: true };
    expect(shouldRotate({ bytes: 10, sizeBase: 0, day: today }, 10, now, daily)).toBe(false);
    expect(shouldRotate({ bytes: 10, sizeBase: 0, day: '2026-11-21' }, 10, now, daily)).toBe(true);
    expect(shouldRotate({ bytes: 10, sizeBase: 0, day: '2026-11-21' }, 10, now, size)).toBe(false);
  });

  it('localDay is the local calendar day', () => {
    expect(localDay(new Date(2026, 0, 5, 0, 0, 0))).toBe('2026-01-05');
    expect(localDay(new Date(2026, 11, 31, 23, 59, 59))).toBe('2026-12-31');
  });
});

describe('rotatedLogFiles', () => {
  it('the rotated files of the service, newest first, the plain one before its .gz', () => {
    const files = ['MySvc.log', 'MySvc.10.log.gz', 'MySvc.2.log.gz', 'MySvc.1.log.gz', 'MySvc.1.log', 'MySvc.1.log.gz.tmp', 'Other.1.log', 'MySvc.0.log', 'MySvcX.1.log'];
    expect(rotatedLogFiles('MySvc', files)).toEqual([
      { index: 1, file: 'MySvc.1.log', gz: false },
      { index: 1, file: 'MySvc.1.log.gz', gz: true },
      { index: 2, file: 'MySvc.2.log.gz', gz: true },
      { index: 10, file: 'MySvc.10.log.gz', gz: true },
    ]);
  });
});

describe('rotationPlan', () => {
  it('shifts the rotated files up, highest first, then renames the current file to .1', () => {
    const plan = rotationPlan(NAME, ['MySvc.log', 'MySvc.1.log', 'MySvc.2.log.gz', 'other.txt', 'MySvc.1.log.gz.tmp'], 5, false);
    expect(plan.steps).toEqual([
      { op: 'rename', from: 'MySvc.2.log.gz', to: 'MySvc.3.log.gz' },
      { op: 'rename', from: 'MySvc.1.log', to: 'MySvc.2.log' },
      { op: 'rename', from: 'MySvc.log', to: 'MySvc.1.log' },
    ]);
    expect(plan.compress).toBeNull();
  });

  it('deletes what would go beyond keep (the oldest), including files left from a larger keep', () => {
    const plan = rotationPlan(NAME, ['MySvc.1.log', 'MySvc.2.log', 'MySvc.3.log', 'MySvc.7.log.gz'], 2, true);
    expect(plan.steps).toEqual([
      { op: 'delete', file: 'MySvc.7.log.gz' },
      { op: 'delete', file: 'MySvc.3.log' },
      { op: 'delete', file: 'MySvc.2.log' },
      { op: 'rename', from: 'MySvc.1.log', to: 'MySvc.2.log' },
      { op: 'rename', from: 'MySvc.log', to: 'MySvc.1.log' },
    ]);
    expect(plan.compress).toBe('MySvc.1.log');
  });

  it('keeps gaps from an earlier failed rotation, and deletes a plain file whose .gz exists', () => {
    const plan = rotationPlan(NAME, ['MySvc.1.log', 'MySvc.3.log', 'MySvc.3.log.gz'], 5, false);
    expect(plan.steps).toEqual([
      { op: 'delete', file: 'MySvc.3.log' },
      { op: 'rename', from: 'MySvc.3.log.gz', to: 'MySvc.4.log.gz' },
      { op: 'rename', from: 'MySvc.1.log', to: 'MySvc.2.log' },
      { op: 'rename', from: 'MySvc.log', to: 'MySvc.1.log' },
    ]);
  });

  it('matches only its own name, literally', () => {
    const plan = rotationPlan('a.b', ['a.b.1.log', 'aXb.1.log', 'a.b.0.log', 'a.b.01.log', 'A.B.1.log'], 5, false);
    expect(plan.steps).toEqual([
      { op: 'rename', from: 'a.b.1.log', to: 'a.b.2.log' },
      { op: 'rename', from: 'a.b.log', to: 'a.b.1.log' },
    ]);
  });
});

describe('RotatingLogFile', () => {
  it('creates the folder and appends to an existing file', () => {
    const dir = path.join(tempDir(), 'logs', 'deep');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'MySvc.log'), 'existing\n');
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings() });
    expect(log.file).toBe(path.join(dir, 'MySvc.log'));
    log.write('info', 'lifecycle', 'starting');
    log.write('error', 'app', 'two\nlines');
    const lines = fs.readFileSync(log.file, 'utf8').split('\n').filter(Boolean);
    expect(lines[0]).toBe('existing');
    expect(lines.slice(1).map((l) => l.replace(/^\S+ /, ''))).toEqual(['info  [lifecycle] starting', 'error [app] two', 'error [app] lines']);
    expect(Number.isNaN(Date.parse(lines[1]!.split(' ')[0]!))).toBe(false);

    const fresh = path.join(tempDir(), 'a', 'b');
    new RotatingLogFile({ dir: fresh, name: NAME, settings: settings() }).write('info', 'app', 'hi');
    expect(fs.readFileSync(path.join(fresh, 'MySvc.log'), 'utf8')).toMatch(/info {2}\[app\] hi\n$/);
  });

  it('runs each write and a rotation through `exclusive` (the lock shared with the control thread), nothing below the level', () => {
    const dir = tempDir();
    const calls: string[] = [];
    let inside = false;
    const log = new RotatingLogFile({
      dir,
      name: NAME,
      settings: settings(),
      exclusive: (write) => {
        calls.push('lock');
        inside = true;
        try {
          write();
        } finally {
          inside = false;
        }
      },
    });
    log.write('info', 'app', 'one');
    log.write('debug', 'app', 'below the level');
    expect(log.rotateNow()).toBe(true);
    expect(calls).toEqual(['lock', 'lock']);
    expect(inside).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'MySvc.1.log'), 'utf8')).toMatch(/\[app\] one\n$/);
  });

  it('throws from the constructor when the folder cannot be created', () => {
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, '');
    expect(() => new RotatingLogFile({ dir: path.join(file, 'logs'), name: NAME, settings: settings() })).toThrow();
  });

  it('rotates by size: no file over maxBytes, records never split, newest in .1', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logRotate: { maxBytes: 1024, daily: false }, logKeep: 50 }) });
    for (let i = 0; i < 60; i++) log.write('info', 'app', `record ${i} first\nrecord ${i} second`);
    const files = logFilesOldestFirst(dir);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readLog(dir, file);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
      const lines = text.split('\n').filter(Boolean);
      expect(lines.length % 2).toBe(0);
      for (let l = 0; l < lines.length; l += 2) expect(lines[l + 1]!.replace('second', 'first')).toBe(lines[l]);
    }
    expect(readLog(dir, 'MySvc.1.log')).not.toContain('record 0 ');
    expect(allMessages(dir)).toEqual(Array.from({ length: 60 }, (_, i) => [`record ${i} first`, `record ${i} second`]).flat());
  });

  it('writes a record larger than maxBytes whole, into a file of its own', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logRotate: { maxBytes: 1024, daily: false } }) });
    log.write('info', 'app', 'small');
    log.write('info', 'app', 'x'.repeat(3000));
    log.write('info', 'app', 'after');
    expect(readLog(dir, 'MySvc.2.log')).toContain('small');
    expect(readLog(dir, 'MySvc.1.log')).toContain('x'.repeat(3000));
    expect(allMessages(dir)).toEqual(['small', 'x'.repeat(3000), 'after']);
  });

  it('rotates daily at the first write of a new local day (fake clock)', () => {
    const dir = tempDir();
    let now = new Date(2026, 10, 22, 23, 59, 0);
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logRotate: { maxBytes: null, daily: true } }), now: () => now });
    log.write('info', 'app', 'late on the 22nd');
    now = new Date(2026, 10, 22, 23, 59, 59, 999);
    log.write('info', 'app', 'still the 22nd');
    expect(fs.existsSync(path.join(dir, 'MySvc.1.log'))).toBe(false);
    now = new Date(2026, 10, 23, 0, 0, 0);
    log.write('info', 'app', 'midnight');
    now = new Date(2026, 10, 23, 18, 0, 0);
    log.write('info', 'app', 'evening of the 23rd');
    now = new Date(2026, 10, 26, 9, 0, 0);
    log.write('info', 'app', 'days later');
    expect(logFilesOldestFirst(dir)).toEqual(['MySvc.2.log', 'MySvc.1.log', 'MySvc.log']);
    expect(readLog(dir, 'MySvc.2.log')).toMatch(/late on the 22nd\n.*still the 22nd\n$/);
    expect(readLog(dir, 'MySvc.1.log')).toMatch(/midnight\n.*evening of the 23rd\n$/);
    expect(readLog(dir, 'MySvc.log')).toMatch(/days later\n$/);
  });

  it('daily: a file left from an earlier day (by its modification time) rotates at the first write', () => {
    const dir = tempDir();
    const file = path.join(dir, 'MySvc.log');
    fs.writeFileSync(file, 'from yesterday\n');
    const yesterday = new Date(2026, 10, 21, 15, 0, 0);
    fs.utimesSync(file, yesterday, yesterday);
    const log = new RotatingLogFile({
      dir,
      name: NAME,
      settings: settings({ logRotate: { maxBytes: null, daily: true } }),
      now: () => new Date(2026, 10, 22, 8, 0, 0),
    });
    log.write('info', 'app', 'today');
    expect(readLog(dir, 'MySvc.1.log')).toBe('from yesterday\n');
    expect(readLog(dir, 'MySvc.log')).toMatch(/today\n$/);
  });

  it('keeps logKeep rotated files, dropping the oldest', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logRotate: { maxBytes: 1024, daily: false }, logKeep: 3 }) });
    const big = 'y'.repeat(900);
    for (let i = 0; i < 10; i++) log.write('info', 'app', `${i} ${big}`);
    expect(logFilesOldestFirst(dir)).toEqual(['MySvc.3.log', 'MySvc.2.log', 'MySvc.1.log', 'MySvc.log']);
    expect(allMessages(dir).map((m) => m.split(' ')[0])).toEqual(['6', '7', '8', '9']);
  });

  it('gzips rotated files; they gunzip to exactly what was written', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({
      dir,
      name: NAME,
      settings: settings({ logRotate: { maxBytes: 4096, daily: false }, logKeep: 10, logCompress: true }),
    });
    for (let i = 0; i < 200; i++) log.write('info', 'stdout', `compressed line ${i}`);
    const files = fs.readdirSync(dir).sort();
    expect(files).toContain('MySvc.1.log.gz');
    expect(files.filter((f) => /\.\d+\.log$/.test(f) || f.endsWith('.tmp'))).toEqual([]);
    expect(readLog(dir, 'MySvc.1.log.gz')).toMatch(/^\S+ info  \[stdout\] compressed line \d+\n/);
    expect(allMessages(dir)).toEqual(Array.from({ length: 200 }, (_, i) => `compressed line ${i}`));
  });

  it('drops records below logLevel; lifecycle records keep their level', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings() });
    log.write('debug', 'app', 'service.log.debug');
    log.write('info', 'stdout', 'console.log');
    log.write('warn', 'lifecycle', 'slow stop');
    const errorsOnly = new RotatingLogFile({ dir: path.join(dir, 'errors'), name: NAME, settings: settings({ logLevel: 'error' }) });
    errorsOnly.write('info', 'stdout', 'console.log');
    errorsOnly.write('warn', 'lifecycle', 'slow stop');
    errorsOnly.write('error', 'lifecycle', 'crashed');
    const debug = new RotatingLogFile({ dir: path.join(dir, 'debug'), name: NAME, settings: settings({ logLevel: 'debug' }) });
    debug.write('debug', 'app', 'service.log.debug');
    const levels = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, ''));
    expect(levels(log.file)).toEqual(['info  [stdout] console.log', 'warn  [lifecycle] slow stop']);
    expect(levels(errorsOnly.file)).toEqual(['error [lifecycle] crashed']);
    expect(levels(debug.file)).toEqual(['debug [app] service.log.debug']);
  });

  it('a rotation that fails (file locked) loses nothing: it keeps writing, warns, and retries a maxBytes later', () => {
    const dir = tempDir();
    let locked = true;
    let renameAttempts = 0;
    const lockingFs: LogFs = {
      ...fs,
      renameSync: (from, to) => {
        renameAttempts++;
        if (locked) throw busy(from);
        fs.renameSync(from, to);
      },
    };
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logRotate: { maxBytes: 1024, daily: false } }), fs: lockingFs });
    const record = 'z'.repeat(60);
    for (let i = 0; i < 50; i++) log.write('info', 'app', `${i} ${record}`);
    expect(fs.readdirSync(dir)).toEqual(['MySvc.log']);
    // One attempt per maxBytes written, not one per record.
    expect(renameAttempts).toBeGreaterThanOrEqual(2);
    expect(renameAttempts).toBeLessThanOrEqual(Math.ceil(fs.statSync(log.file).size / 1024));
    const warnings = allMessages(dir).filter((m) => m.startsWith('log rotation failed'));
    expect(warnings).toHaveLength(renameAttempts);
    expect(warnings[0]).toContain('EBUSY');
    expect(warnings[0]).toContain('retrying at the next rotation point');

    locked = false;
    for (let i = 50; i < 100; i++) log.write('info', 'app', `${i} ${record}`);
    expect(fs.readdirSync(dir)).toContain('MySvc.1.log');
    const numbered = allMessages(dir).filter((m) => !m.startsWith('log rotation failed'));
    expect(numbered.map((m) => Number(m.split(' ')[0]))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('a shift that fails midway leaves a gap, and the next rotation keeps the order', () => {
    const dir = tempDir();
    let lockOne = false;
    const lockingFs: LogFs = {
      ...fs,
      renameSync: (from, to) => {
        if (lockOne && path.basename(String(from)) === 'MySvc.1.log') throw busy(from);
        fs.renameSync(from, to);
      },
    };
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logRotate: { maxBytes: 1024, daily: false }, logKeep: 100 }), fs: lockingFs });
    const record = (i: number) => `${i} ${'w'.repeat(300)}`;
    let i = 0;
    while (!fs.existsSync(path.join(dir, 'MySvc.2.log'))) log.write('info', 'app', record(i++));
    lockOne = true;
    while (!fs.existsSync(path.join(dir, 'MySvc.3.log'))) log.write('info', 'app', record(i++));
    expect(fs.existsSync(path.join(dir, 'MySvc.2.log'))).toBe(false);
    lockOne = false;
    for (const end = i + 30; i < end; ) log.write('info', 'app', record(i++));
    const numbered = allMessages(dir).filter((m) => !m.startsWith('log rotation failed'));
    expect(numbered.map((m) => Number(m.split(' ')[0]))).toEqual(Array.from({ length: i }, (_, n) => n));
    expect(allMessages(dir).some((m) => m.startsWith('log rotation failed'))).toBe(true);
  });

  it('a compression that fails leaves the rotated file plain, with a warning', () => {
    const dir = tempDir();
    const failingFs: LogFs = {
      ...fs,
      writeFileSync: (file, data, options) => {
        if (String(file).endsWith('.gz.tmp')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        fs.writeFileSync(file, data, options);
      },
    };
    const log = new RotatingLogFile({
      dir,
      name: NAME,
      settings: settings({ logRotate: { maxBytes: 1024, daily: false }, logCompress: true }),
      fs: failingFs,
    });
    for (let i = 0; i < 20; i++) log.write('info', 'app', `${i} ${'c'.repeat(100)}`);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.gz'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'MySvc.1.log'))).toBe(true);
    expect(readLog(dir, 'MySvc.log')).toMatch(/warn  \[lifecycle\] compressing .*MySvc\.1\.log failed \(ENOSPC.*\); it stays uncompressed/);
    const numbered = allMessages(dir).filter((m) => !m.startsWith('compressing'));
    expect(numbered.map((m) => Number(m.split(' ')[0]))).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('never throws from write: a failed write drops that record, the next one is written', () => {
    const dir = tempDir();
    let fail = false;
    const fullDisk: LogFs = {
      ...fs,
      writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
        if (fail) throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
        return (fs.writeSync as (...a: unknown[]) => number)(...args);
      }) as typeof fs.writeSync,
    };
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings(), fs: fullDisk });
    log.write('info', 'app', 'one');
    fail = true;
    expect(() => log.write('info', 'app', 'lost')).not.toThrow();
    fail = false;
    log.write('info', 'app', 'two');
    expect(allMessages(dir)).toEqual(['one', 'two']);
  });

  describe.each([false, true])('under load (compress %s)', (logCompress) => {
    it('100,000 lines over many rotations: every line exactly once, in order', () => {
      const dir = tempDir();
      const log = new RotatingLogFile({
        dir,
        name: NAME,
        settings: settings({ logRotate: { maxBytes: 64 * 1024, daily: false }, logKeep: 1000, logCompress }),
      });
      const count = 100_000;
      const started = performance.now();
      for (let i = 0; i < count; i++) log.write('info', 'stdout', `line ${i}`);
      const seconds = (performance.now() - started) / 1000;
      const files = logFilesOldestFirst(dir);
      console.log(
        `rotating-file load (compress ${logCompress}): ${count} lines in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} lines/s, ${files.length} files`,
      );
      expect(files.length).toBeGreaterThan(50);
      if (logCompress) expect(files.slice(0, -1).every((f) => f.endsWith('.gz'))).toBe(true);

      let expected = 0;
      for (const file of files) {
        for (const line of readLog(dir, file).split('\n')) {
          if (line === '') continue;
          const match = /^\S+ info  \[stdout\] line (\d+)$/.exec(line);
          if (match?.[1] !== String(expected)) expect.fail(`${file}: "${line}" where line ${expected} was expected`);
          expected++;
        }
      }
      expect(expected).toBe(count);
    });
  });
});

describe('RotatingLogFile.applySettings and rotateNow (reload, rotate)', () => {
  it('a new level applies to the next record', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings() });
    log.write('debug', 'app', 'dropped');
    log.applySettings(settings({ logLevel: 'debug' }));
    log.write('debug', 'app', 'kept');
    log.applySettings(settings({ logLevel: 'error' }));
    log.write('warn', 'app', 'dropped too');
    expect(allMessages(dir)).toEqual(['kept']);
  });

  it('a smaller size limit, keep count and compression apply at the next rotation', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings({ logKeep: 5 }) });
    for (let i = 0; i < 3; i++) {
      log.write('info', 'app', `file ${i}`);
      expect(log.rotateNow()).toBe(true);
    }
    log.applySettings(settings({ logKeep: 1, logCompress: true, logRotate: { maxBytes: 100, daily: false } }));
    log.write('info', 'app', 'x'.repeat(60));
    log.write('info', 'app', 'y'.repeat(60)); // over 100 bytes: rotates with the new keep count
    expect(fs.readdirSync(dir).sort()).toEqual([`${NAME}.1.log.gz`, `${NAME}.log`]);
    expect(allMessages(dir)).toEqual(['x'.repeat(60), 'y'.repeat(60)]);
  });

  it('rotateNow renames the current file to .1 and goes on in a fresh one; an empty file is not rotated', () => {
    const dir = tempDir();
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings() });
    expect(log.rotateNow()).toBe(false);
    log.write('info', 'app', 'before');
    expect(log.rotateNow()).toBe(true);
    log.write('info', 'app', 'after');
    expect(readLog(dir, `${NAME}.1.log`)).toContain('before');
    expect(readLog(dir, `${NAME}.log`)).not.toContain('before');
    expect(allMessages(dir)).toEqual(['before', 'after']);
    expect(log.rotateNow()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual([`${NAME}.1.log`, `${NAME}.2.log`, `${NAME}.log`]);
  });

  it('a rotateNow that fails says so and keeps writing to the current file', () => {
    const dir = tempDir();
    const faulty: LogFs = {
      ...fs,
      renameSync: (from: fs.PathLike) => {
        throw busy(from);
      },
    };
    const log = new RotatingLogFile({ dir, name: NAME, settings: settings(), fs: faulty });
    log.write('info', 'app', 'one');
    expect(log.rotateNow()).toBe(false);
    log.write('info', 'app', 'two');
    expect(allMessages(dir)).toEqual(['one', expect.stringMatching(/^log rotation failed \(EBUSY/), 'two']);
  });
});
