import { describe, it, expect } from 'vitest';
import { flagName } from '../../../runtime-shim/settings/flag-name';
import { SettingError } from '../../../runtime-shim/settings/resolve';
import { DEFAULT_SUPERVISION, resolveSupervision, supervisionFlag, SUPERVISION_FLAGS } from '../../../runtime-shim/settings/supervision-settings';
import { thrown } from '../../support/thrown';

const error = (fn: () => unknown): SettingError => thrown(SettingError, fn);

describe('resolveSupervision', () => {
  it('is off, with the documented restart policy, when nothing is given', () => {
    expect(resolveSupervision({})).toEqual(DEFAULT_SUPERVISION);
    expect(DEFAULT_SUPERVISION.policy).toEqual({ initialDelayMs: 100, factor: 2, maxDelayMs: 60_000, healthyAfterMs: 60_000, maxRestarts: 5, windowMs: 300_000 });
  });

  it('reads durations, counts, the factor and the health probe from flag strings', () => {
    const s = resolveSupervision({
      supervise: 'true',
      restartDelay: '500ms',
      restartFactor: '1.5',
      restartMaxDelay: '30s',
      healthyAfter: '2m',
      maxRestarts: '3',
      restartWindow: '1h',
      healthUrl: 'http://127.0.0.1:8080/health',
      healthInterval: '2s',
      healthFailures: '4',
      heartbeatTimeout: '30s',
    });
    expect(s).toEqual({
      supervise: true,
      policy: { initialDelayMs: 500, factor: 1.5, maxDelayMs: 30_000, healthyAfterMs: 120_000, maxRestarts: 3, windowMs: 3_600_000 },
      health: { url: 'http://127.0.0.1:8080/health', intervalMs: 2_000, timeoutMs: 5_000, failures: 4 },
      heartbeatTimeoutMs: 30_000,
    });
  });

  it('refuses bad values, naming the setting', () => {
    expect(error(() => resolveSupervision({ restartDelay: 'soon' })).setting).toBe('restartDelay');
    expect(error(() => resolveSupervision({ restartFactor: '0.5' })).message).toMatch(/not a factor of at least 1/);
    expect(error(() => resolveSupervision({ restartDelay: '10s', restartMaxDelay: '5s' })).setting).toBe('restartMaxDelay');
    expect(error(() => resolveSupervision({ supervise: 'true', healthUrl: 'ftp://x/' })).message).toMatch(/not an http\(s\) URL/);
    expect(error(() => resolveSupervision({ supervise: 'true', healthInterval: '5s' })).hint).toBe('also pass --health-url');
    expect(error(() => resolveSupervision({ healthUrl: 'http://127.0.0.1/health' })).hint).toBe('also pass --supervise true');
    expect(error(() => resolveSupervision({ supervise: 'sometimes' })).setting).toBe('supervise');
  });

  it('every flag maps back to its key', () => {
    for (const f of SUPERVISION_FLAGS) {
      expect(supervisionFlag(f.key)).toBe(f.flag);
      expect(f.flag).toBe(flagName(f.key));
    }
  });
});
