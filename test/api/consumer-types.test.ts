/**
 * The API's types as a consumer sees them: a project that depends on svcpack compiles
 * test/api/consumer.ts.txt with `tsc`, under `nodenext` and under `bundler` module resolution,
 * against the published declarations (lib/types, made by `npm run build:lib`, which `npm test`
 * runs first). Its @ts-expect-error lines prove the types are not `any`. The runtime exports are
 * checked in lib/index.js too.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-consumer-'));
afterAll(() => fs.rmSync(consumer, { recursive: true, force: true }));

beforeAll(() => {
  if (!fs.existsSync(path.join(repo, 'lib', 'types', 'src', 'index.d.ts'))) {
    throw new Error('lib/types is missing: run "npm run build:lib" (npm test does) before this test');
  }
  fs.mkdirSync(path.join(consumer, 'node_modules'));
  fs.symlinkSync(repo, path.join(consumer, 'node_modules', 'svcpack'), 'dir');
  fs.symlinkSync(path.join(repo, 'node_modules', '@types'), path.join(consumer, 'node_modules', '@types'), 'dir');
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  fs.copyFileSync(path.join(import.meta.dirname, 'consumer.ts.txt'), path.join(consumer, 'consumer.ts'));
});

/** Runs tsc in the consumer project with `moduleResolution`; resolves to its output ('' when clean). */
async function compile(module: 'nodenext' | 'preserve', moduleResolution: 'nodenext' | 'bundler'): Promise<string> {
  const config = {
    compilerOptions: { target: 'ES2022', module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['consumer.ts'],
  };
  const file = `tsconfig.${moduleResolution}.json`;
  fs.writeFileSync(path.join(consumer, file), JSON.stringify(config));
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', file], { cwd: consumer });
    return '';
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err);
  }
}

describe('the API as a consumer project sees it', () => {
  test('compiles under moduleResolution nodenext, with every @ts-expect-error used', { timeout: 60_000 }, async () => {
    expect(await compile('nodenext', 'nodenext')).toBe('');
  });

  test('compiles under moduleResolution bundler', { timeout: 60_000 }, async () => {
    expect(await compile('preserve', 'bundler')).toBe('');
  });

  test('lib/index.js exports build, sign, inspect, the config helpers and SvcpackError', async () => {
    const api = (await import(pathToFileURL(path.join(repo, 'lib', 'index.js')).href)) as Record<string, unknown>;
    for (const name of ['build', 'sign', 'inspect', 'inspectBytes', 'verifyAuthenticode', 'loadConfig', 'mergeConfig', 'defineConfig', 'SvcpackError']) {
      expect(typeof api[name], name).toBe('function');
    }
  });
});
