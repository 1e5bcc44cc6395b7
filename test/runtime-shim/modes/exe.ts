/**
 * The exe a mode test runs as: a plain build's configuration (working folder: the data folder, so
 * nothing is entered or written outside the fake platform's temporary folder) and a FakePlatform.
 * The baked runtime settings are handed to effective-settings.ts as boot's dispatch does
 * (`setBakedSettings`), with the same configuration.
 */
import type { ExeConfig } from '../../../runtime-shim/exe-config';
import type { ExeContext } from '../../../runtime-shim/exe-context';
import { setBakedSettings } from '../../../runtime-shim/settings/effective-settings';
import { runtimeOf } from '../../../runtime-shim/settings/runtime-settings';
import { DEFAULT_LOGGING } from '../../../runtime-shim/settings/logging-settings';
import { DEFAULT_OPERATION } from '../../../runtime-shim/settings/operation-settings';
import { defaultSettings } from '../../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../../runtime-shim/settings/supervision-settings';
import { FakePlatform, type FakePlatformOptions } from '../platform/fake-platform';

export const NAME = 'MySvc';

export const CONFIG: ExeConfig = {
  name: NAME,
  displayName: 'My Service',
  description: 'does things',
  version: '1.4.0',
  svcpackVersion: '0.1.0',
  stopTimeoutMs: 20_000,
  koffiSha256: 'ab'.repeat(32),
  settings: { ...defaultSettings(NAME, 'My Service', 'does things'), workingDir: 'data' },
  logging: DEFAULT_LOGGING,
  supervision: DEFAULT_SUPERVISION,
  operation: DEFAULT_OPERATION,
};

setBakedSettings(runtimeOf(CONFIG));

export interface TestExe extends ExeContext {
  platform: FakePlatform;
}

export function testExe(opts: FakePlatformOptions = {}, config: Partial<ExeConfig> = {}): TestExe {
  return { config: { ...CONFIG, ...config }, platform: new FakePlatform(opts) };
}
