import { describe, expect, test } from 'vitest';
import { installedLockKeys, stalePackages } from './fixture-deps';
import { tempProjects } from './temp-project';

const project = tempProjects('svcpack-fixture-deps-');
const otherOs = process.platform === 'freebsd' ? 'aix' : 'freebsd';

/** A lock shaped like sharp's: per-platform optional packages, one of them for every platform, and a shared optional package only other platforms' packages need. */
const lock = {
  '': { dependencies: { img: '1.0.0' } },
  'node_modules/img': { version: '1.0.0', optionalDependencies: { 'img-here': '1.0.0', 'img-other': '1.0.0' } },
  'node_modules/img-here': { version: '1.0.0', optional: true, dependencies: { helper: '^1.0.0' } },
  'node_modules/img-other': { version: '1.0.0', optional: true, os: [otherOs], dependencies: { 'img-wasm': '1.0.0' } },
  'node_modules/img-wasm': { version: '1.0.0', optional: true, dependencies: { runtime: '^1.0.0' } },
  'node_modules/runtime': { version: '1.0.0', optional: true },
  'node_modules/helper': { version: '1.0.0', optional: true },
  'node_modules/img-here/node_modules/helper': { version: '2.0.0', optional: true },
};

describe('installedLockKeys', () => {
  test('an optional package is installed only when an installed package depends on it', () => {
    expect([...installedLockKeys(lock)].sort()).toEqual(['node_modules/img', 'node_modules/img-here', 'node_modules/img-here/node_modules/helper']);
  });

  test('dev dependencies and non-optional packages are installed; non-optional peers are followed', () => {
    const keys = installedLockKeys({
      '': { devDependencies: { tool: '1.0.0' } },
      'node_modules/tool': { version: '1.0.0', dev: true, peerDependencies: { peer: '1', maybe: '1' }, peerDependenciesMeta: { maybe: { optional: true } } },
      'node_modules/peer': { version: '1.0.0', dev: true, optional: true },
      'node_modules/maybe': { version: '1.0.0', dev: true, optional: true },
      'node_modules/plain': { version: '1.0.0' },
    } as Parameters<typeof installedLockKeys>[0]);
    expect([...keys].sort()).toEqual(['node_modules/peer', 'node_modules/plain', 'node_modules/tool']);
  });
});

describe('stalePackages', () => {
  test('names what is missing or at another version, not what npm skips here', async () => {
    const dir = project({
      'package-lock.json': JSON.stringify({ packages: lock }),
      'node_modules/img/package.json': JSON.stringify({ version: '1.0.0' }),
      'node_modules/img-here/package.json': JSON.stringify({ version: '0.9.0' }),
    });
    expect(await stalePackages(dir)).toEqual(['img-here', 'img-here/node_modules/helper']);
  });
});
