import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION, OPERATION_FLAGS, redactUrl, resolveOperation } from '../../../runtime-shim/settings/operation-settings';
import { runtimeValues } from '../../../runtime-shim/settings/runtime-settings';
import { DEFAULT_LOGGING } from '../../../runtime-shim/settings/logging-settings';
import { DEFAULT_SUPERVISION } from '../../../runtime-shim/settings/supervision-settings';
import { SettingError } from '../../../runtime-shim/settings/resolve';

const fails = (input: Parameters<typeof resolveOperation>[0], setting: string): void => {
  let err: unknown;
  try {
    resolveOperation(input);
  } catch (e) {
    err = e;
  }
  expect(err, JSON.stringify(input)).toBeInstanceOf(SettingError);
  expect((err as SettingError).setting).toBe(setting);
};

describe('operation settings', () => {
  it('default to today: every exit code restarts, no hooks, no webhook', () => {
    expect(resolveOperation({})).toEqual(DEFAULT_OPERATION);
    expect(DEFAULT_OPERATION.exitCodes).toEqual({ success: [], restart: 'all' });
  });

  it('read exit-code lists (sorted, deduplicated), none and all', () => {
    const s = resolveOperation({ successExitCodes: '3, 0,3', restartExitCodes: '1,2' });
    expect(s.exitCodes).toEqual({ success: [0, 3], restart: [1, 2] });
    expect(resolveOperation({ successExitCodes: 'none', restartExitCodes: 'ALL' }).exitCodes).toEqual({ success: [], restart: 'all' });
    expect(resolveOperation({ successExitCodes: [0, 4294967295] }).exitCodes.success).toEqual([0, 4294967295]);
    fails({ successExitCodes: '-1' }, 'successExitCodes');
    fails({ successExitCodes: '1.5' }, 'successExitCodes');
    fails({ successExitCodes: '4294967296' }, 'successExitCodes');
    fails({ restartExitCodes: 'none,1' }, 'restartExitCodes');
    expect(resolveOperation({ restartExitCodes: 'none' }).exitCodes.restart).toEqual([]);
    fails({ successExitCodes: 'all' }, 'successExitCodes');
  });

  it('refuse a code that is both a success and a restart code', () => {
    fails({ successExitCodes: '0,3', restartExitCodes: '3' }, 'restartExitCodes');
    const base = resolveOperation({ restartExitCodes: '3' });
    expect(() => resolveOperation({ successExitCodes: '3' }, base)).toThrow(/listed both as a success and as a restart code/);
  });

  it('read hook commands (none or empty removes one) and the hook timeout', () => {
    const s = resolveOperation({ preStart: ' C:\\tools\\check.cmd --fast ', postStop: 'none', hookTimeout: '10s' });
    expect(s.hooks).toEqual({ commands: { preStart: 'C:\\tools\\check.cmd --fast', postStart: null, preStop: null, postStop: null }, timeoutMs: 10_000 });
    expect(resolveOperation({ preStart: '' }, s).hooks.commands.preStart).toBeNull();
    fails({ preStop: 'a\nb' }, 'preStop');
    fails({ hookTimeout: '500ms' }, 'hookTimeout');
    fails({ hookTimeout: 'soon' }, 'hookTimeout');
  });

  it('read the alert URL: http(s) only, none removes it, and an error never shows a secret', () => {
    expect(resolveOperation({ alertUrl: 'https://hooks.example.com/a?token=s3cret' }).alertUrl).toBe('https://hooks.example.com/a?token=s3cret');
    expect(resolveOperation({ alertUrl: 'none' }).alertUrl).toBeNull();
    fails({ alertUrl: 'ftp://x/y' }, 'alertUrl');
    expect(() => resolveOperation({ alertUrl: 'ftp://user:s3cret@x/y' })).toThrow(/^(?!.*s3cret)/);
  });

  it('give flag values (the catalog\'s runtimeValues) that resolve back to the same settings', () => {
    const s = resolveOperation({ successExitCodes: '0', restartExitCodes: '1,2', preStop: 'cmd /c echo x', hookTimeout: '2m', alertUrl: 'http://127.0.0.1:9/a' });
    const values = runtimeValues({ stopTimeoutMs: 20_000, logging: DEFAULT_LOGGING, supervision: DEFAULT_SUPERVISION, operation: s });
    const input = Object.fromEntries(OPERATION_FLAGS.map(({ key }) => [key, values[key]!]));
    expect(resolveOperation(input)).toEqual(s);
  });

  it('redact userinfo, query and token path segments of URLs', () => {
    expect(redactUrl('https://user:pw@hooks.example.com/services/T0/B1/XYZ?token=abc')).toBe('https://***@hooks.example.com/services/***?***');
    expect(redactUrl('http://127.0.0.1:8080/alerts')).toBe('http://127.0.0.1:8080/alerts');
    expect(redactUrl('not a url s3cret')).toBe('***');
  });
});
