/** The packages the app bundle inlined code from (src/deps/bundled-packages.ts), found from its input paths. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bundledPackages, packageLocationOf } from '../../src/deps/bundled-packages';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-bundled-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('the innermost package folder of an input path; null outside node_modules', () => {
  expect(packageLocationOf('node_modules/express/lib/router/index.js')).toBe('node_modules/express');
  expect(packageLocationOf('node_modules/@babel/core/lib/index.js')).toBe('node_modules/@babel/core');
  expect(packageLocationOf('node_modules/a/node_modules/@s/b/dist/x.js')).toBe('node_modules/a/node_modules/@s/b');
  expect(packageLocationOf('node_modules\\a\\index.js')).toBe('node_modules/a');
  expect(packageLocationOf('../../node_modules/hoisted/index.js')).toBe('../../node_modules/hoisted');
  expect(packageLocationOf('src/node_modules/x/y.js')).toBeNull();
  expect(packageLocationOf('app.ts')).toBeNull();
  expect(packageLocationOf('svcpack:runtime-shim/boot.ts')).toBeNull();
  expect(packageLocationOf('node_modules/.pnpm')).toBeNull();
});

it('name, version and license from the installed package.json, integrity from the lockfile; tree locations skipped', async () => {
  const write = (rel: string, value: unknown) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), JSON.stringify(value));
  };
  write('node_modules/a/package.json', { name: 'a', version: '1.0.0', license: { type: 'ISC' }, dependencies: { '@s/b': '^2' } });
  write('node_modules/a/node_modules/@s/b/package.json', { name: '@s/b', version: '2.0.0', license: 'MIT' });
  write('node_modules/in-tree/package.json', { name: 'in-tree', version: '1.0.0' });
  write('node_modules/broken/package.json', { name: 'broken' });
  write('package-lock.json', { packages: { 'node_modules/a': { integrity: 'sha512-AAAA' } } });
  const { packages, manifests } = await bundledPackages(
    dir,
    {
      'app.ts': 10,
      'node_modules/a/index.js': 1,
      'node_modules/a/lib/x.js': 1,
      'node_modules/a/node_modules/@s/b/index.js': 1,
      'node_modules/in-tree/index.js': 1,
      'node_modules/broken/index.js': 1,
      'node_modules/missing/index.js': 1,
    },
    new Set(['node_modules/in-tree']),
  );
  expect(packages).toEqual([
    { name: 'a', version: '1.0.0', license: 'ISC', integrity: 'sha512-AAAA', location: 'node_modules/a' },
    { name: '@s/b', version: '2.0.0', license: 'MIT', integrity: null, location: 'node_modules/a/node_modules/@s/b' },
  ]);
  expect([...manifests.keys()]).toEqual(['node_modules/a', 'node_modules/a/node_modules/@s/b']);
});
