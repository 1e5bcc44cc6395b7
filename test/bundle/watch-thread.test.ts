/**
 * The SCM client's watch thread (runtime-shim/loaders/watch-thread.ts) reaches the exe as a string
 * baked into the app bundle: only when the app uses `services`, and as a script that compiles.
 */
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundleApp, bundleLoader, type BundleInput } from '../../src/bundle/bundle';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import { DEFAULT_LOGGING } from '../../runtime-shim/settings/logging-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../runtime-shim/settings/supervision-settings';
import { tempProjects } from '../support/temp-project';

const exeConfig: ExeConfig = {
  name: 'WatchSvc',
  displayName: 'Watch Service',
  description: '',
  version: '1.0.0',
  svcpackVersion: '0.1.0',
  stopTimeoutMs: 20_000,
  koffiSha256: '00'.repeat(32),
  settings: defaultSettings('WatchSvc', 'Watch Service'),
  logging: DEFAULT_LOGGING,
  supervision: DEFAULT_SUPERVISION,
};
const project = tempProjects('svcpack-watch-thread-');
const inputFor = (dir: string): BundleInput => ({ entry: path.join(dir, 'src/app.ts'), projectDir: dir, nodeMajor: 22, exeConfig, packer: 'direct' });
const pkg = JSON.stringify({ name: 'demo', version: '1.0.0', type: 'module' });

describe('the watch thread script', () => {
  it('is a CommonJS script that compiles and registers NotifyServiceStatusChangeW', async () => {
    const code = await bundleLoader('watch-thread', 22);
    expect(() => new vm.Script(code)).not.toThrow();
    expect(code).toContain('NotifyServiceStatusChangeW');
    expect(code).toContain('SleepEx');
  });

  it('is in the bundle of an app that watches services, and not in one that does not', async () => {
    const watching = await bundleApp(
      inputFor(project({ 'package.json': pkg, 'src/app.ts': "import { services } from 'svcpack/runtime';\nservices.watch('Web', (s) => console.log(s.state));\n" })),
    );
    const plain = await bundleApp(inputFor(project({ 'package.json': pkg, 'src/app.ts': "import { service } from 'svcpack/runtime';\nservice.log.info('hi');\n" })));
    expect(watching.code).toContain('NotifyServiceStatusChangeW');
    expect(plain.code).not.toContain('NotifyServiceStatusChangeW');
  });
});
