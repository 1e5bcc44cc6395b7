import { describe, expect, it } from 'vitest';
import {
  formatRotation,
  formatSize,
  LOGGING_FLAGS,
  loggingToFlagPairs,
  parseSize,
  resolveLogging,
  type LoggingInput,
} from '../../../runtime-shim/settings/logging-resolve';
import { flagName } from '../../../runtime-shim/settings/flag-name';
import { DEFAULT_LOGGING, type LoggingSettings } from '../../../runtime-shim/settings/logging-settings';
import { SettingError } from '../../../runtime-shim/settings/resolve';
import { thrown } from '../../support/thrown';

const settingError = (input: LoggingInput): SettingError => thrown(SettingError, () => resolveLogging(input, DEFAULT_LOGGING));

describe('sizes', () => {
  it('parseSize reads B, KB, MB, GB (1024-based, any case) and bare integers (bytes)', () => {
    expect(parseSize('100B')).toBe(100);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('10MB')).toBe(10 * 1024 * 1024);
    expect(parseSize('10 mb')).toBe(10 * 1024 * 1024);
    expect(parseSize('2GB')).toBe(2 * 1024 ** 3);
    expect(parseSize('4096')).toBe(4096);
    for (const bad of ['', 'MB', '1.5MB', '-1KB', '10TB', '10M', 'ten']) expect(parseSize(bad), bad).toBeNull();
  });

  it('formatSize writes the largest exact unit, and round-trips', () => {
    expect(formatSize(10 * 1024 * 1024)).toBe('10MB');
    expect(formatSize(1536)).toBe('1536B');
    expect(formatSize(1024 ** 3)).toBe('1GB');
    expect(formatSize(0)).toBe('0B');
    for (const bytes of [1, 1024, 1536, 3 * 1024 ** 2, 5 * 1024 ** 3]) expect(parseSize(formatSize(bytes))).toBe(bytes);
  });

  it('formatRotation', () => {
    expect(formatRotation({ maxBytes: 10 * 1024 * 1024, daily: false })).toBe('10MB');
    expect(formatRotation({ maxBytes: 1024, daily: true })).toBe('1KB,daily');
    expect(formatRotation({ maxBytes: null, daily: true })).toBe('daily');
    expect(formatRotation({ maxBytes: null, daily: false })).toBe('none');
  });
});

describe('resolveLogging', () => {
  it('keeps base values for keys not given and does not modify base', () => {
    const base = structuredClone(DEFAULT_LOGGING);
    const resolved = resolveLogging({}, base);
    expect(resolved).toEqual(DEFAULT_LOGGING);
    expect(resolved.logRotate).not.toBe(base.logRotate);
    resolveLogging({ logRotate: 'daily', logKeep: 2 }, base);
    expect(base).toEqual(DEFAULT_LOGGING);
  });

  it('takes every key', () => {
    expect(
      resolveLogging({ logDir: '\\\\server\\share\\logs', logLevel: 'WARN', logRotate: '1GB', logKeep: 20, logCompress: true, eventLog: 'no' }, DEFAULT_LOGGING),
    ).toEqual({
      logDir: '\\\\server\\share\\logs',
      logLevel: 'warn',
      logRotate: { maxBytes: 1024 ** 3, daily: false },
      logKeep: 20,
      logCompress: true,
      eventLog: false,
    });
  });

  it('logRotate: a size, daily, both in either order, or none', () => {
    const rotate = (logRotate: string) => resolveLogging({ logRotate }, DEFAULT_LOGGING).logRotate;
    expect(rotate('10MB')).toEqual({ maxBytes: 10 * 1024 * 1024, daily: false });
    expect(rotate('daily')).toEqual({ maxBytes: null, daily: true });
    expect(rotate('10MB,daily')).toEqual({ maxBytes: 10 * 1024 * 1024, daily: true });
    expect(rotate(' Daily , 64KB ')).toEqual({ maxBytes: 64 * 1024, daily: true });
    expect(rotate('none')).toEqual({ maxBytes: null, daily: false });
    expect(rotate('NONE')).toEqual({ maxBytes: null, daily: false });
  });

  it('logRotate errors say what is wrong and how to write it', () => {
    const e = settingError({ logRotate: 'weekly' });
    expect(e.setting).toBe('logRotate');
    expect(e.message).toBe('"weekly" is not a size or daily');
    expect(e.hint).toMatch(/10MB.*daily.*10MB,daily.*none/);
    expect(settingError({ logRotate: '' }).message).toBe('"" is not a size or daily');
    expect(settingError({ logRotate: 'daily,daily' }).message).toBe('"daily,daily" says daily twice');
    expect(settingError({ logRotate: '1MB,2MB' }).message).toBe('"1MB,2MB" gives two sizes');
    expect(settingError({ logRotate: 'none,daily' }).message).toBe('none cannot be combined with a size or daily');
    const tiny = settingError({ logRotate: '10' });
    expect(tiny.message).toBe('rotation size 10B is less than 1KB');
    expect(tiny.hint).toMatch(/write the unit/);
    expect(resolveLogging({ logRotate: '1024' }, DEFAULT_LOGGING).logRotate.maxBytes).toBe(1024);
  });

  it('logLevel is one of debug, info, warn, error', () => {
    const e = settingError({ logLevel: 'verbose' });
    expect(e.setting).toBe('logLevel');
    expect(e.message).toBe('"verbose" is not a log level');
    expect(e.hint).toBe('use debug, info, warn or error');
  });

  it('logKeep is a whole number from 1 to 1000', () => {
    expect(resolveLogging({ logKeep: '1000' }, DEFAULT_LOGGING).logKeep).toBe(1000);
    expect(resolveLogging({ logKeep: ' 7 ' }, DEFAULT_LOGGING).logKeep).toBe(7);
    for (const bad of [0, 1001, 2.5, -1, '0', 'five', '', '1e3']) {
      const e = settingError({ logKeep: bad });
      expect(e.setting).toBe('logKeep');
      expect(e.message).toMatch(/is not a number of files from 1 to 1000$/);
    }
    expect(settingError({ logKeep: 'five' }).message).toBe('"five" is not a number of files from 1 to 1000');
  });

  it('logCompress and eventLog take true/false/yes/no', () => {
    expect(resolveLogging({ logCompress: 'TRUE', eventLog: 'No' }, DEFAULT_LOGGING)).toMatchObject({ logCompress: true, eventLog: false });
    const e = settingError({ logCompress: 'maybe' });
    expect(e.setting).toBe('logCompress');
    expect(e.message).toBe('"maybe" is not true or false for log compression');
    expect(settingError({ eventLog: '1' }).setting).toBe('eventLog');
  });

  it('logDir: an absolute Windows or POSIX path (one build may make both); empty means the default', () => {
    for (const dir of ['D:\\logs\\MySvc', 'c:/logs', '\\\\server\\share', '\\\\server\\share\\x', '/var/log/my-svc', '/srv/logs|x']) {
      expect(resolveLogging({ logDir: dir }, DEFAULT_LOGGING).logDir).toBe(dir);
    }
    expect(resolveLogging({ logDir: '' }, { ...DEFAULT_LOGGING, logDir: 'D:\\x' }).logDir).toBeNull();
    for (const dir of ['logs', '.\\logs', 'D:logs', '\\logs', '\\\\server', '//server']) {
      const e = settingError({ logDir: dir });
      expect(e.message, dir).toMatch(/is not an absolute path$/);
      expect(e.hint).toMatch(/relative paths would depend on the working folder/);
    }
    expect(settingError({ logDir: 'D:\\logs\\a|b' }).message).toMatch(/contains < > " \| \? \* or a control character$/);
    expect(settingError({ logDir: 'D:\\logs\nx' }).message).toMatch(/contains/);
    expect(settingError({ logDir: '/var/log\nx' }).message).toBe('log folder "/var/log\\x0ax" contains a control character');
  });
});

describe('logging flags', () => {
  it('one flag per LoggingInput key, named as its key in kebab-case', () => {
    expect(LOGGING_FLAGS.map((f) => f.key)).toEqual(['logDir', 'logLevel', 'logRotate', 'logKeep', 'logCompress', 'eventLog']);
    for (const f of LOGGING_FLAGS) {
      expect(f.flag).toBe(flagName(f.key));
    }
  });

  it('loggingToFlagPairs reproduces the settings', () => {
    expect(loggingToFlagPairs(DEFAULT_LOGGING)).toEqual([
      ['--log-level', 'info'],
      ['--log-rotate', '10MB'],
      ['--log-keep', '5'],
      ['--log-compress', 'false'],
      ['--event-log', 'true'],
    ]);
    const custom: LoggingSettings = {
      logDir: 'E:\\svc logs',
      logLevel: 'debug',
      logRotate: { maxBytes: 1536, daily: true },
      logKeep: 12,
      logCompress: true,
      eventLog: false,
    };
    for (const s of [DEFAULT_LOGGING, custom]) {
      const input = Object.fromEntries(loggingToFlagPairs(s).map(([flag, value]) => [LOGGING_FLAGS.find((f) => f.flag === flag)!.key, value]));
      expect(resolveLogging(input, DEFAULT_LOGGING)).toEqual(s);
    }
  });
});
