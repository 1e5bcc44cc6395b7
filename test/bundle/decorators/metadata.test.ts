/**
 * Decorator metadata: the pre-check, the import rewrite, the transform hook, and bundleApp end to
 * end — bundles of small apps run on a Node with module.registerHooks (the bundle's runtime needs
 * it), printing the metadata their classes got.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleApp, type BundleInput } from '../../../src/bundle/bundle';
import { decoratorMetadata, hasDecorators, rewriteMetadataImports } from '../../../src/bundle/decorators/metadata';
import { SvcpackError } from '../../../src/errors';
import { acquireRuntime } from '../../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION } from '../../../src/runtime/node-lines';
import { rejected } from '../../support/thrown';
import { tempProjects } from '../../support/temp-project';
import { testExeConfig } from '../../support/exe-config';

/** A temp project from `files` (path → contents); returns its folder. */
const project = tempProjects('svcpack-deco-');

const META_TSCONFIG = JSON.stringify({ compilerOptions: { target: 'ES2022', experimentalDecorators: true, emitDecoratorMetadata: true } });

describe('hasDecorators', () => {
  it.each([
    ['a class decorator on its own line', '@Injectable()\nexport class A {}'],
    ['after export', 'export @Injectable() class A {}'],
    ['a property decorator', 'class A {\n  @IsString() name!: string;\n}'],
    ['parameter decorators after ( and ,', 'class A { constructor(@Inject(X) x: X, @Optional() y?: Y) {} }'],
    ['a second decorator on the same line', "class A { @Get() @HttpCode(204) x() {} }"],
    ['after a block comment', 'class A {\n  /** id */ @Column() id!: number;\n}'],
    ['a bare decorator name', '@sealed\nclass A {}'],
  ])('finds %s', (_, source) => {
    expect(hasDecorators(source)).toBe(true);
  });

  it.each([
    ['package names in strings', "import { x } from '@nestjs/common';\nimport y from \"@scope/pkg\";"],
    ['e-mail addresses', "const to = 'ops@example.com';"],
    ['JSDoc tags', '/**\n * @param a the thing\n * @returns it\n */\nfunction f(a) { return a; }'],
    ['@ts- comments', '// @ts-expect-error\nconst x: number = "y";'],
    ['no @ at all', 'export const x = 1;\n'],
  ])('ignores %s', (_, source) => {
    expect(hasDecorators(source)).toBe(false);
  });
});

describe('rewriteMetadataImports', () => {
  it('reads a name used only by metadata through a namespace import, on the same line', () => {
    const code = [
      "import { Db, Config as Cfg } from './types';",
      'export class S {}',
      'S = _ts_decorate([_ts_metadata("design:paramtypes", [',
      '  typeof Db === "undefined" ? Object : Db,',
      '  typeof Cfg === "undefined" ? Object : Cfg',
      '])], S);',
      'use(Db);',
    ].join('\n');
    const out = rewriteMetadataImports(code);
    expect(out.split('\n')).toEqual([
      "import { Db } from './types'; import * as __svcpack_meta_0 from './types';",
      'export class S {}',
      'S = _ts_decorate([_ts_metadata("design:paramtypes", [',
      '  typeof Db === "undefined" ? Object : Db,',
      '  typeof __svcpack_meta_0.Config === "undefined" ? Object : __svcpack_meta_0.Config',
      '])], S);',
      'use(Db);',
    ]);
  });

  it('a default import, and an import left with no names', () => {
    const code = 'import Def from "./def";\nimport { I } from "./i";\nx([typeof Def === "undefined" ? Object : Def, typeof I === "undefined" ? Object : I]);';
    expect(rewriteMetadataImports(code)).toBe(
      'import * as __svcpack_meta_0 from "./def";\nimport * as __svcpack_meta_1 from "./i";\n' +
        'x([typeof __svcpack_meta_0.default === "undefined" ? Object : __svcpack_meta_0.default, typeof __svcpack_meta_1.I === "undefined" ? Object : __svcpack_meta_1.I]);',
    );
  });

  it('leaves names used elsewhere, property names aside, and code without metadata unchanged', () => {
    const used = 'import { A } from "./a";\nx(typeof A === "undefined" ? Object : A);\nnew A();';
    expect(rewriteMetadataImports(used)).toBe(used);
    const local = 'class L {}\nx(typeof L === "undefined" ? Object : L);';
    expect(rewriteMetadataImports(local)).toBe(local);
    const none = 'import { A } from "./a";\nconsole.log(A);';
    expect(rewriteMetadataImports(none)).toBe(none);
    const prop = 'import { A } from "./a";\nx(typeof A === "undefined" ? Object : A, this.A, o.A);';
    expect(rewriteMetadataImports(prop)).toContain('import * as __svcpack_meta_0 from "./a";');
  });
});

describe('decoratorMetadata', () => {
  const noSwc = (): never => {
    throw new Error("Cannot find module '@swc/core'\nRequire stack:\n- /x");
  };

  it('nothing, and swc never loaded, when the tsconfig does not ask for metadata', async () => {
    const plain = project({ 'tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }), 'src/app.ts': '' });
    expect(await decoratorMetadata(path.join(plain, 'src/app.ts'), noSwc)).toBeUndefined();
    const none = project({ 'src/app.ts': '' });
    expect(await decoratorMetadata(path.join(none, 'src/app.ts'), noSwc)).toBeUndefined();
  });

  it('swc missing: one line saying what and how to fix it', async () => {
    const dir = project({ 'tsconfig.json': META_TSCONFIG, 'src/app.ts': '' });
    const err = await rejected(SvcpackError, decoratorMetadata(path.join(dir, 'src/app.ts'), noSwc));
    expect(err.code).toBe('BUNDLE_FAILED');
    expect(err.toLine()).not.toContain('\n');
    expect(err.toLine()).toBe(
      "svcpack: tsconfig.json sets emitDecoratorMetadata, but @swc/core, which emits the metadata, cannot be loaded (Cannot find module '@swc/core') — reinstall svcpack with its optional dependencies (npm install svcpack --include=optional)",
    );
  });

  it('compiles only TypeScript files with decorators, to ES module code with metadata and an inline source map', async () => {
    const dir = project({ 'tsconfig.json': META_TSCONFIG, 'src/app.ts': '' });
    const meta = (await decoratorMetadata(path.join(dir, 'src/app.ts')))!;
    expect(meta.tsconfig).toBe(path.join(dir, 'tsconfig.json'));
    const decorated = "import { Db } from './db';\n@Dec()\nexport class S { constructor(db: Db, n: number) {} }\n";
    const out = await meta.transform(path.join(dir, 'src/s.ts'), decorated);
    expect(out?.loader).toBe('ts');
    expect(out?.contents).toContain('_ts_metadata("design:paramtypes"');
    // Db is only in the metadata: read through a namespace import (Object if ./db has no such export)
    expect(out?.contents).toContain('typeof __svcpack_meta_0.Db === "undefined" ? Object : __svcpack_meta_0.Db');
    expect(out?.contents).toMatch(/^import \* as __svcpack_meta_0 from '\.\/db';$/m);
    expect(out?.contents).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,\S+\s*$/);
    expect(meta.files).toEqual(new Set([path.join(dir, 'src/s.ts')]));

    expect(await meta.transform(path.join(dir, 'src/plain.ts'), 'export const x: number = 1;\n')).toBeUndefined();
    expect(await meta.transform(path.join(dir, 'src/s.js'), decorated)).toBeUndefined();
    expect(await meta.transform(path.join(dir, 'src/s.tsx'), decorated)).toBeUndefined();
    expect(await meta.transform(path.join(dir, 'src/s.d.ts'), decorated)).toBeUndefined();
    // a syntax error is left to esbuild, which reports it on the file's own lines
    expect(await meta.transform(path.join(dir, 'src/bad.ts'), '@Dec()\nclass {')).toBeUndefined();
    expect(meta.files.size).toBe(1);
  });
});

describe('bundleApp with decorator metadata', () => {
  const exeConfig = testExeConfig('DecoSvc', 'Deco Service');
  const input = (dir: string): BundleInput => ({ entry: path.join(dir, 'src/app.ts'), projectDir: dir, nodeMajor: 22, exeConfig, packer: 'direct' });

  /** The bundle's runtime needs module.registerHooks: this Node, else the default line's host Node. */
  let node = process.execPath;
  beforeAll(async () => {
    if (typeof registerHooks !== 'function') node = (await acquireRuntime({ version: DEFAULT_NODE_VERSION })).hostNode;
  }, 180_000);

  /** Runs the bundle like `MySvc.exe run` and returns the JSON line the app printed. */
  function run(dir: string, code: string): Record<string, unknown> {
    const file = path.join(dir, 'bundle.mjs');
    fs.writeFileSync(file, code);
    const r = spawnSync(node, ['--enable-source-maps', file, 'run'], { encoding: 'utf8', timeout: 30_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`no output (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(line) as Record<string, unknown>;
  }

  /** A minimal reflect-metadata: what `_ts_metadata` and the app's checks call. */
  const REFLECT_LITE = [
    'const store = new WeakMap<object, Map<string, unknown>>();',
    "const slot = (prop: unknown, key: string) => `${String(prop ?? '')}|${key}`;",
    'Object.assign(Reflect, {',
    '  metadata: (key: string, value: unknown) => (target: object, prop?: string) => {',
    '    let m = store.get(target);',
    '    if (!m) store.set(target, (m = new Map()));',
    '    m.set(slot(prop, key), value);',
    '  },',
    '  getMetadata: (key: string, target: object, prop?: string) => store.get(target)?.get(slot(prop, key)),',
    '});',
    '',
  ].join('\n');
  const DECO = 'export const Injectable = (): ClassDecorator => () => {};\nexport const Prop = (): PropertyDecorator => () => {};\nexport const Method = (): MethodDecorator => () => {};\n';

  const APP_FILES: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'deco-app', version: '1.0.0', type: 'module' }),
    'base.tsconfig.json': META_TSCONFIG,
    'tsconfig.json': '{\n  // the settings come from the base\n  "extends": "./base.tsconfig.json",\n}\n',
    'src/reflect-lite.ts': REFLECT_LITE,
    'src/deco.ts': DECO,
    'src/db.ts': "import { Injectable } from './deco';\n@Injectable()\nexport class Db {}\n",
    'src/clock.ts': "import { Injectable } from './deco';\n@Injectable()\nexport class Clock {}\n",
    'src/token.ts': 'export class Token {}\n',
    'src/config.ts': 'export interface Config {\n  url: string;\n}\n',
    'src/service.ts': [
      "import { Injectable, Method, Prop } from './deco';",
      "import { Db } from './db';",
      "import { Clock } from './clock';",
      "import type { Token } from './token';",
      "import { Config } from './config';",
      '',
      '@Injectable()',
      'export class Service {',
      '  @Prop() db!: Db;',
      '  constructor(db: Db, clock: Clock, token: Token, config: Config) {}',
      '  @Method() find(id: number, name: string): Db {',
      "    throw new Error('find failed');",
      '  }',
      '}',
      '',
    ].join('\n'),
    // circular: app imports a, a imports b, b imports a — b's decorators run before A exists
    'src/a.ts': "import { Injectable } from './deco';\nimport { B } from './b';\n@Injectable()\nexport class A {\n  constructor(b: B) {}\n}\n",
    'src/b.ts': "import { Injectable } from './deco';\nimport { A } from './a';\n@Injectable()\nexport class B {\n  constructor(a: A) {}\n  make(): A {\n    return new A(this);\n  }\n}\n",
    'src/x/thing.ts': "import { Injectable } from '../deco';\n@Injectable()\nexport class Thing {}\n",
    'src/y/thing.ts': "import { Injectable } from '../deco';\n@Injectable()\nexport class Thing {}\n",
    'src/app.ts': [
      "import './reflect-lite';",
      "import { A } from './a';",
      "import { B } from './b';",
      "import { Service } from './service';",
      "import { Thing as ThingX } from './x/thing';",
      "import { Thing as ThingY } from './y/thing';",
      '',
      'const get = (Reflect as unknown as { getMetadata(k: string, t: object, p?: string): unknown }).getMetadata;',
      'const names = (v: unknown) => (Array.isArray(v) ? v.map((t: { name: string }) => t.name) : (v as { name?: string } | undefined)?.name ?? null);',
      'let stack = "";',
      'try {',
      "  new Service().find(1, 'x');",
      '} catch (e) {',
      '  stack = String((e as Error).stack);',
      '}',
      'console.log(JSON.stringify({',
      "  service: names(get('design:paramtypes', Service)),",
      "  dbType: names(get('design:type', Service.prototype, 'db')),",
      "  findParams: names(get('design:paramtypes', Service.prototype, 'find')),",
      "  findReturns: names(get('design:returntype', Service.prototype, 'find')),",
      "  a: names(get('design:paramtypes', A)),",
      "  b: names(get('design:paramtypes', B)),",
      '  things: [ThingX.name, ThingY.name],',
      '  stack,',
      '}));',
      '',
    ].join('\n'),
  };

  it('carries design:paramtypes, design:type and design:returntype as tsc emits them, keeps class names, maps stacks to the .ts lines', { timeout: 120_000 }, async () => {
    const dir = project(APP_FILES);
    const out = await bundleApp(input(dir));
    const result = run(dir, out.code);
    expect(result).toMatchObject({
      // two injected classes; `import type` and an interface are Object, as in tsc's isolated-module transpile
      service: ['Db', 'Clock', 'Object', 'Object'],
      dbType: 'Db',
      findParams: ['Number', 'String'],
      findReturns: 'Db',
      // the circular import: B's decorators ran before A was defined, and nothing threw
      a: ['B'],
      b: ['Object'],
      // keepNames: esbuild renamed one Thing apart, the class keeps its name
      things: ['Thing', 'Thing'],
    });
    // the inline source map of swc's output is followed: the throw is line 12 of service.ts
    expect(result.stack).toMatch(/src\/service\.ts:12:11/);

    // the build record has the files' own sizes; no absolute path in the bundle
    expect(out.inputs['src/service.ts']).toBe(fs.statSync(path.join(dir, 'src/service.ts')).size);
    expect(out.code.includes(dir)).toBe(false);
  });

  it('without emitDecoratorMetadata: no transform, no metadata, no keepNames (esbuild as before)', { timeout: 120_000 }, async () => {
    const dir = project({ ...APP_FILES, 'base.tsconfig.json': JSON.stringify({ compilerOptions: { experimentalDecorators: true } }) });
    const out = await bundleApp(input(dir));
    expect(out.code.includes('_ts_metadata')).toBe(false);
    const result = run(dir, out.code);
    expect(result).toMatchObject({ service: null, a: null, b: null });
    // esbuild renames one Thing apart and, without keepNames, its name changes
    expect(result.things).toEqual(['Thing', 'Thing2']);
    expect(result.stack).toMatch(/src\/service\.ts:12:11/);
  });
});
