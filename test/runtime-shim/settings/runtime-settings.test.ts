import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGGING } from '../../../runtime-shim/settings/logging-settings';
import { DEFAULT_OPERATION } from '../../../runtime-shim/settings/operation-settings';
import {
  applyStored,
  DEFAULT_RUNTIME,
  redactRuntime,
  resolveRuntime,
  runtimeDefaultValues,
  RUNTIME_SETTINGS,
  runtimeSetting,
  runtimeValues,
  shownValue,
  type RuntimeKey,
  type RuntimeSettings,
} from '../../../runtime-shim/settings/runtime-settings';
import { DEFAULT_SUPERVISION } from '../../../runtime-shim/settings/supervision-settings';

const BAKED: RuntimeSettings = { stopTimeoutMs: 20_000, logging: DEFAULT_LOGGING, supervision: DEFAULT_SUPERVISION, operation: DEFAULT_OPERATION };

describe('the runtime settings catalog', () => {
  it('names every setting by key and by flag, once', () => {
    const keys = RUNTIME_SETTINGS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(runtimeSetting('logLevel')?.flag).toBe('--log-level');
    expect(runtimeSetting('log-level')?.key).toBe('logLevel');
    expect(runtimeSetting('--STOP-TIMEOUT')?.key).toBe('stopTimeout');
    expect(runtimeSetting('start-type')).toBeNull();
  });

  it('marks what a running service cannot change in place', () => {
    const restart = RUNTIME_SETTINGS.filter((s) => s.appliesOn === 'restart').map((s) => s.key);
    expect(restart.sort()).toEqual(['eventLog', 'logDir', 'supervise']);
    expect(RUNTIME_SETTINGS.filter((s) => s.secret).map((s) => s.key)).toEqual(['alertUrl']);
  });

  it('gives each value as its flag takes it, and resolving that text gives the settings back', () => {
    const s = resolveRuntime(
      { logLevel: 'debug', logRotate: '5MB,daily', stopTimeout: '45s', supervise: 'true', healthUrl: 'http://127.0.0.1:8080/h', healthFailures: '2', heartbeatTimeout: '30s', successExitCodes: '0', preStop: 'cmd /c echo bye' },
      BAKED,
    );
    const values = runtimeValues(s);
    expect(values).toMatchObject({ logLevel: 'debug', logRotate: '5MB,daily', stopTimeout: '45s', supervise: 'true', healthFailures: '2', heartbeatTimeout: '30s', successExitCodes: '0', restartExitCodes: 'all', preStop: 'cmd /c echo bye' });
    const input = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null)) as Record<RuntimeKey, string>;
    expect(resolveRuntime(input, BAKED)).toEqual(s);
    expect(runtimeValues(BAKED)).toMatchObject({ logDir: null, healthUrl: 'none', healthInterval: null, heartbeatTimeout: 'none' });
  });

  it('an empty restart-code list is written as none and read back', () => {
    const s = resolveRuntime({ restartExitCodes: '' }, BAKED);
    expect(runtimeValues(s).restartExitCodes).toBe('none');
    expect(applyStored(BAKED, { restartExitCodes: 'none' })).toMatchObject({ problems: [], settings: { operation: { exitCodes: { restart: [] } } } });
  });

  it('checks the stop timeout as the build does', () => {
    expect(resolveRuntime({ stopTimeout: '2m' }, BAKED).stopTimeoutMs).toBe(120_000);
    expect(() => resolveRuntime({ stopTimeout: 'later' }, BAKED)).toThrow(/not a duration/);
    expect(() => resolveRuntime({ stopTimeout: '30d' }, BAKED)).toThrow(/too long/);
  });

  it('applies stored values one by one over the baked ones, skipping an invalid one with a problem line', () => {
    const r = applyStored(BAKED, { logLevel: 'warn', stopTimeout: 'soon', supervise: 'true', healthUrl: 'http://127.0.0.1:1/h', healthInterval: '2s' });
    expect(r.settings.logging.logLevel).toBe('warn');
    expect(r.settings.stopTimeoutMs).toBe(20_000);
    expect(r.settings.supervision.health).toMatchObject({ url: 'http://127.0.0.1:1/h', intervalMs: 2_000 });
    expect(r.stored).toEqual(['logLevel', 'supervise', 'healthUrl', 'healthInterval']);
    expect(r.problems).toEqual([expect.stringMatching(/^the stored --stop-timeout value "soon" is not valid .*; using 20s$/)]);
  });

  it('skips a stored value that does not fit the others (health checks without supervised mode)', () => {
    const r = applyStored(BAKED, { healthUrl: 'http://127.0.0.1:1/h' });
    expect(r.settings.supervision.health).toBeNull();
    expect(r.problems[0]).toMatch(/--health-url .*supervised mode/);
  });

  it("DEFAULT_RUNTIME holds each group's defaults; runtimeDefaultValues shows them as flags take them", () => {
    expect(DEFAULT_RUNTIME).toEqual(BAKED);
    const d = runtimeDefaultValues();
    expect(d).toMatchObject({ stopTimeout: '20s', logLevel: 'info', logDir: null, restartDelay: '100ms', healthUrl: 'none', healthInterval: '10s', healthFailures: '3', hookTimeout: '30s', alertUrl: 'none' });
    // Each default text, given to its flag, is the default itself (the probe details once a health URL is given).
    const withHealth = resolveRuntime({ supervise: 'true', healthUrl: 'http://127.0.0.1/health' }, BAKED);
    for (const { key } of RUNTIME_SETTINGS) {
      const base = /^health(Interval|Timeout|Failures)$/.test(key) ? withHealth : BAKED;
      if (d[key] !== null) expect(resolveRuntime({ [key]: d[key]! }, base), key).toEqual(base);
    }
  });

  it('redactRuntime redacts the settings the catalog marks secret, and only those', () => {
    const s = resolveRuntime({ alertUrl: 'https://u:p@hooks.example.com/services/T1/B2?sig=x', preStart: 'check.cmd --token abc' }, BAKED);
    const shown = redactRuntime(s);
    expect(shown.operation.alertUrl).toBe('https://***@hooks.example.com/services/***?***');
    expect({ ...shown, operation: { ...shown.operation, alertUrl: s.operation.alertUrl } }).toEqual(s);
    expect(redactRuntime(BAKED)).toEqual(BAKED);
  });

  it('never shows an alert URL secret', () => {
    expect(shownValue('alertUrl', 'https://h.example.com/x?key=s3cret')).toBe('https://h.example.com/x?***');
    expect(shownValue('alertUrl', 'none')).toBe('none');
    const r = applyStored(BAKED, { alertUrl: 'ftp://user:s3cret@x' });
    expect(r.problems.join('\n')).not.toContain('s3cret');
  });
});
