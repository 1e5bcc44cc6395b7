/**
 * A rebuild through svcpack's caches (docs/building.md, "What a rebuild reuses") gives the exe a
 * build without them gives: an unchanged app's exe is the same, byte for byte, and an edited
 * source reaches the exe. That a cache entry is used, and when it is not, is proven by the caches'
 * own tests (test/bundle/bundle-cache.test.ts, test/deps/tree-cache.test.ts,
 * test/pack/assembled-exe.test.ts, test/pack/direct.test.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { build } from '../src/build';

const fixturesDir = path.resolve(import.meta.dirname, '..', 'fixtures');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-rebuild-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('a rebuild', () => {
  test('of an unchanged app writes the same exe and record hash; an edited source reaches the exe', async () => {
    const project = path.join(root, 'app');
    fs.cpSync(path.join(fixturesDir, 'hello-http'), project, { recursive: true });
    const outDir = path.join(root, 'out');
    const once = async () => {
      const result = await build({ entry: path.join(project, 'app.ts'), name: 'RebuildSvc', outDir });
      return { result, sha: sha256(result.files[0]!) };
    };
    const first = await once();
    const second = await once();
    expect(second.sha).toBe(first.sha);
    expect(second.result.record.outputs['RebuildSvc.exe']).toEqual(first.result.record.outputs['RebuildSvc.exe']);
    expect(second.result.record.inputs).toEqual(first.result.record.inputs);

    fs.appendFileSync(path.join(project, 'app.ts'), '\nconsole.log("edited");\n');
    const third = await once();
    expect(third.sha).not.toBe(first.sha);
    expect(fs.readFileSync(third.result.files[0]!).includes('console.log("edited")')).toBe(true);
    expect(third.result.record.outputs['RebuildSvc.exe']!.sha256).toBe(third.sha);
  }, 120_000);
});
