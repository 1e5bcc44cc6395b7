/**
 * Finding the tsconfig esbuild uses for the entry and reading its compilerOptions the way tsc
 * merges them (`extends`: paths, packages, arrays; JSONC), without loading TypeScript.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTsconfig, parseJsonc, resolveExtends, tsconfigFor, wantsDecoratorMetadata } from '../../../src/bundle/decorators/tsconfig';
import { tempProjects } from '../../support/temp-project';

/** A temp project from `files` (path → contents); returns its folder. */
const project = tempProjects('svcpack-tsconfig-');

const DECO = { experimentalDecorators: true, emitDecoratorMetadata: true };

describe('parseJsonc', () => {
  it('reads comments, trailing commas and a BOM as tsc does', () => {
    const text = '\uFEFF{\n  // line\n  "compilerOptions": { /* block */ "a": 1, "b": [1, 2,], },\n}\n';
    expect(parseJsonc(text)).toEqual({ compilerOptions: { a: 1, b: [1, 2] } });
  });

  it('leaves comment-like text and commas inside strings alone', () => {
    expect(parseJsonc('{ "p": "http://x/*y*/", "q": "a, }", "r": "\\"//" }')).toEqual({ p: 'http://x/*y*/', q: 'a, }', r: '"//' });
  });

  it('throws on what is not JSON even then', () => {
    expect(() => parseJsonc('{ a: 1 }')).toThrow();
  });
});

describe('findTsconfig', () => {
  it('is the nearest tsconfig.json from the folder up', async () => {
    const dir = project({ 'tsconfig.json': '{}', 'src/deep/app.ts': '', 'pkg/tsconfig.json': '{}', 'pkg/src/x.ts': '' });
    expect(await findTsconfig(path.join(dir, 'src', 'deep'))).toBe(path.join(dir, 'tsconfig.json'));
    expect(await findTsconfig(path.join(dir, 'pkg', 'src'))).toBe(path.join(dir, 'pkg', 'tsconfig.json'));
  });

  it('a folder named tsconfig.json does not count', async () => {
    const dir = project({ 'tsconfig.json': '{}', 'src/tsconfig.json/keep': '', 'src/app.ts': '' });
    expect(await findTsconfig(path.join(dir, 'src'))).toBe(path.join(dir, 'tsconfig.json'));
  });
});

describe('tsconfigFor', () => {
  it("the entry's own options", async () => {
    const dir = project({ 'tsconfig.json': JSON.stringify({ compilerOptions: DECO }), 'src/app.ts': '' });
    const s = await tsconfigFor(path.join(dir, 'src', 'app.ts'));
    expect(s?.file).toBe(path.join(dir, 'tsconfig.json'));
    expect(wantsDecoratorMetadata(s)).toBe(true);
  });

  it('follows extends (a relative path, with or without .json), the file\'s own options winning', async () => {
    const dir = project({
      'configs/base.json': JSON.stringify({ compilerOptions: { ...DECO, target: 'ES2020' } }),
      'configs/mid.json': JSON.stringify({ extends: './base', compilerOptions: { target: 'ES2021', strict: true } }),
      'tsconfig.json': '{ "extends": "./configs/mid.json", "compilerOptions": { "strict": false, }, }',
      'src/app.ts': '',
    });
    const s = await tsconfigFor(path.join(dir, 'src', 'app.ts'));
    expect(s?.compilerOptions).toEqual({ ...DECO, target: 'ES2021', strict: false });
    expect(wantsDecoratorMetadata(s)).toBe(true);
  });

  it('a derived file can turn metadata off', async () => {
    const dir = project({
      'base.json': JSON.stringify({ compilerOptions: DECO }),
      'tsconfig.json': JSON.stringify({ extends: './base.json', compilerOptions: { emitDecoratorMetadata: false } }),
      'app.ts': '',
    });
    expect(wantsDecoratorMetadata(await tsconfigFor(path.join(dir, 'app.ts')))).toBe(false);
  });

  it('extends an array (later entries override earlier ones) and packages from node_modules', async () => {
    const dir = project({
      'node_modules/@tsconfig/deco/tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: false } }),
      'node_modules/@tsconfig/deco/package.json': '{"name":"@tsconfig/deco","version":"1.0.0"}',
      'node_modules/meta-on/meta.json': JSON.stringify({ compilerOptions: { emitDecoratorMetadata: true } }),
      'node_modules/meta-on/package.json': '{"name":"meta-on","version":"1.0.0"}',
      'tsconfig.json': JSON.stringify({ extends: ['@tsconfig/deco', 'meta-on/meta'] }),
      'src/app.ts': '',
    });
    const s = await tsconfigFor(path.join(dir, 'src', 'app.ts'));
    expect(s?.compilerOptions).toEqual(DECO);
    expect(await resolveExtends('@tsconfig/deco/tsconfig.json', dir)).toBe(path.join(dir, 'node_modules/@tsconfig/deco/tsconfig.json'));
    expect(await resolveExtends('not-installed', dir)).toBeUndefined();
  });

  it('an extends cycle or a missing base does not hang or throw', async () => {
    const dir = project({
      'a.json': JSON.stringify({ extends: './tsconfig.json', compilerOptions: { emitDecoratorMetadata: true } }),
      'tsconfig.json': JSON.stringify({ extends: ['./a.json', './missing.json'], compilerOptions: { experimentalDecorators: true } }),
      'app.ts': '',
    });
    expect(wantsDecoratorMetadata(await tsconfigFor(path.join(dir, 'app.ts')))).toBe(true);
  });

  it('needs both experimentalDecorators and emitDecoratorMetadata (TC39 decorators have no metadata)', async () => {
    const only = project({ 'tsconfig.json': JSON.stringify({ compilerOptions: { emitDecoratorMetadata: true } }), 'app.ts': '' });
    expect(wantsDecoratorMetadata(await tsconfigFor(path.join(only, 'app.ts')))).toBe(false);
    expect(wantsDecoratorMetadata(undefined)).toBe(false);
  });

  it('an unreadable tsconfig counts as none (esbuild ignores it too)', async () => {
    const dir = project({ 'tsconfig.json': '{ not json', 'app.ts': '' });
    expect(await tsconfigFor(path.join(dir, 'app.ts'))).toBeUndefined();
  });
});
