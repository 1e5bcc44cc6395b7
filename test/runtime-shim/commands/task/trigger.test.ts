import { describe, expect, it } from 'vitest';
import { formatTrigger, parseTrigger, parseTriggers, TriggerError } from '../../../../runtime-shim/commands/task/trigger';
import { thrown } from '../../../support/thrown';

describe('parseTrigger', () => {
  it('reads each kind', () => {
    expect(parseTrigger('boot')).toEqual({ kind: 'boot' });
    expect(parseTrigger('LOGON')).toEqual({ kind: 'logon' });
    expect(parseTrigger('daily 03:00')).toEqual({ kind: 'daily', hour: 3, minute: 0 });
    expect(parseTrigger('  daily   7:05 ')).toEqual({ kind: 'daily', hour: 7, minute: 5 });
    expect(parseTrigger('daily 23:59')).toEqual({ kind: 'daily', hour: 23, minute: 59 });
    expect(parseTrigger('every 15m')).toEqual({ kind: 'every', intervalMs: 900_000 });
    expect(parseTrigger('every 2h')).toEqual({ kind: 'every', intervalMs: 7_200_000 });
    expect(parseTrigger('every 1d')).toEqual({ kind: 'every', intervalMs: 86_400_000 });
    expect(parseTrigger('every 31d')).toEqual({ kind: 'every', intervalMs: 31 * 86_400_000 });
  });

  it.each([
    ['', /is not a trigger/],
    ['hourly', /"hourly" is not a trigger/],
    ['boot now', /boot takes no value/],
    ['daily', /daily needs a time/],
    ['daily 24:00', /is not a time of day/],
    ['daily 3:60', /is not a time of day/],
    ['daily 3pm', /is not a time of day/],
    ['every', /every needs an interval/],
    ['every soon', /is not a duration/],
    ['every 30s', /whole number of minutes from 1m to 31d/],
    ['every 90s', /whole number of minutes/],
    ['every 32d', /whole number of minutes/],
  ])('refuses %j', (text, message) => {
    const err = thrown(TriggerError, () => parseTrigger(text));
    expect(err.message).toMatch(message);
    expect(err.hint).not.toBe('');
  });

  it('formats back to what parses', () => {
    for (const text of ['boot', 'logon', 'daily 03:00', 'daily 17:45', 'every 15m', 'every 2h', 'every 1d', 'every 90m']) {
      expect(formatTrigger(parseTrigger(text))).toBe(text);
    }
  });
});

describe('parseTriggers', () => {
  it('needs one and refuses duplicates', () => {
    expect(thrown(TriggerError, () => parseTriggers([])).message).toBe('a task needs a trigger');
    expect(thrown(TriggerError, () => parseTriggers(['every 60m', 'every 1h'])).message).toMatch(/"every 1h" is given twice/);
    expect(parseTriggers(['boot', 'every 1h'])).toEqual([{ kind: 'boot' }, { kind: 'every', intervalMs: 3_600_000 }]);
  });
});
