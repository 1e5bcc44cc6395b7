/**
 * The ExeConfig the bundle tests bake into their bundles: every setting at its default, for a
 * service named `name`.
 */
import type { ExeConfig } from '../../runtime-shim/exe-config';
import { DEFAULT_LOGGING } from '../../runtime-shim/settings/logging-settings';
import { DEFAULT_OPERATION } from '../../runtime-shim/settings/operation-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../runtime-shim/settings/supervision-settings';

export function testExeConfig(name: string, displayName: string): ExeConfig {
  return {
    name,
    displayName,
    description: '',
    version: '1.0.0',
    svcpackVersion: '0.1.0',
    stopTimeoutMs: 20_000,
    koffiSha256: '00'.repeat(32),
    settings: defaultSettings(name, displayName),
    logging: DEFAULT_LOGGING,
    supervision: DEFAULT_SUPERVISION,
    operation: DEFAULT_OPERATION,
  };
}
