import { describe, expect, it } from 'vitest';
import { dropInFile, storedSettingVariable, type DropInInput } from '../../../../runtime-shim/platform/systemd/drop-in';
import { applyStored, DEFAULT_RUNTIME, RUNTIME_SETTINGS, type RuntimeKey } from '../../../../runtime-shim/settings/runtime-settings';
import { defaultSettings } from '../../../../runtime-shim/settings/service-settings';
import { directives } from './unit-text';

/** The drop-in input for stored values `stored` over the default runtime settings. */
function dropInInput(stored: Partial<Record<RuntimeKey, string>>, systemdVersion = 252): DropInInput {
  return {
    name: 'OrderSync',
    binaryPath: '/opt/order-sync/OrderSync',
    service: defaultSettings('OrderSync'),
    stored,
    effective: applyStored(DEFAULT_RUNTIME, stored).settings,
    systemdVersion,
  };
}

describe('the drop-in of stored runtime settings', () => {
  it('names each setting SVCPACK_<KEY>', () => {
    expect(storedSettingVariable('logLevel')).toBe('SVCPACK_LOG_LEVEL');
    expect(storedSettingVariable('stopTimeout')).toBe('SVCPACK_STOP_TIMEOUT');
    expect(storedSettingVariable('alertUrl')).toBe('SVCPACK_ALERT_URL');
    const names = RUNTIME_SETTINGS.map((s) => storedSettingVariable(s.key));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^SVCPACK_[A-Z_]+$/);
  });

  it('is not written when nothing is stored', () => {
    expect(dropInFile(dropInInput({}))).toBeNull();
  });

  it('carries the stored values in catalog order and restates the directives they decide', () => {
    const file = dropInFile(dropInInput({ stopTimeout: '1m', logLevel: 'debug', maxRestarts: '2' }))!;
    expect(file.fileName).toBe('svcpack.conf');
    expect(file.text).toMatch(/^# The settings stored with OrderSync/);
    expect(directives(file.text, 'Unit')).toEqual([
      ['StartLimitIntervalSec', '300s'],
      ['StartLimitBurst', '3'],
    ]);
    expect(directives(file.text, 'Service')).toEqual([
      ['Environment', 'SVCPACK_LOG_LEVEL=debug'],
      ['Environment', 'SVCPACK_STOP_TIMEOUT=1m'],
      ['Environment', 'SVCPACK_MAX_RESTARTS=2'],
      ['TimeoutStopSec', '61s'],
      ['WatchdogSec', '0'],
      ['SuccessExitStatus', ''],
      ['Restart', 'on-failure'],
      ['RestartForceExitStatus', ''],
      ['RestartSec', '100ms'],
      ['LogsDirectory', ''],
      ['LogsDirectory', 'OrderSync'],
    ]);
  });

  it('empties each list before giving its new values, so the unit\'s own do not stay', () => {
    const file = dropInFile(dropInInput({ successExitCodes: '3', restartExitCodes: '2,9' }))!;
    const service = directives(file.text, 'Service');
    expect(service).toContainEqual(['Restart', 'on-abnormal']);
    const lists = service.filter(([k]) => k === 'SuccessExitStatus' || k === 'RestartForceExitStatus');
    expect(lists).toEqual([
      ['SuccessExitStatus', ''],
      ['SuccessExitStatus', '3'],
      ['RestartForceExitStatus', ''],
      ['RestartForceExitStatus', '2 9'],
    ]);
  });

  it('quotes stored values as Environment= words; a secret goes to the environment file, which systemctl show does not print', () => {
    const file = dropInFile(dropInInput({ alertUrl: 'https://hooks.example.com/a?token=x%20y&q="$`\\', preStart: '/usr/bin/check --name "Order Sync"' }))!;
    expect(directives(file.text, 'Service').filter(([k]) => k === 'Environment' || k === 'EnvironmentFile')).toEqual([
      ['Environment', '"SVCPACK_PRE_START=/usr/bin/check --name \\"Order Sync\\""'],
      ['EnvironmentFile', '/etc/systemd/system/OrderSync.service.d/svcpack.env'],
    ]);
    expect(file.text).not.toContain('token');
    expect(file.environmentFile).toEqual({
      fileName: 'svcpack.env',
      text: '# The secret settings stored with OrderSync by svcpack\'s "config set" (read by systemd as root).\nSVCPACK_ALERT_URL="https://hooks.example.com/a?token=x%20y&q=\\"\\$\\`\\\\"\n',
    });
    expect(dropInFile(dropInInput({ logLevel: 'debug' }))!.environmentFile).toBeNull();
  });

  it('restates the restart steps from 254', () => {
    const file = dropInFile(dropInInput({ restartFactor: '1' }, 257))!;
    expect(directives(file.text, 'Service')).toContainEqual(['RestartSteps', '0']);
  });
});
