/**
 * RunTimeFiles.add: what a module's run-time file references ask the build to embed, on a temp
 * project — script targets become entries, other files are embedded as they are, data folders
 * give their files, code trees and oversized folders are not embedded, missing targets are ignored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileReference } from '../../../src/bundle/embedded/references';
import { FOLDER_LIMITS, RunTimeFiles, type PackageResolver } from '../../../src/bundle/embedded/run-time-files';

let proj: string;
const at = (rel: string) => path.join(proj, ...rel.split('/'));

beforeAll(() => {
  proj = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-runtime-files-'));
  const files = [
    'package.json',
    'src/app.ts',
    'src/w.ts',
    'src/job.cjs',
    'src/data/a.txt',
    'src/locales/en.json',
    'src/locales/de.json',
    'src/locales/extra/fr.json',
    'src/locales/node_modules/x/skip.json',
    'src/vendor/package.json',
    'src/vendor/index.js',
    'src/sub/mod.ts',
    'src/many/1.txt',
    'src/many/2.txt',
    'src/many/3.txt',
    'scripts/run.js',
    'node_modules/pino-pretty/index.js',
    'node_modules/some-data/data.json',
  ];
  for (const f of files) {
    fs.mkdirSync(path.dirname(at(f)), { recursive: true });
    fs.writeFileSync(at(f), f.endsWith('.json') ? '{}' : `// ${f}\n`);
  }
});
afterAll(() => fs.rmSync(proj, { recursive: true, force: true }));

const ref = (base: FileReference['base'], segments: string[], partial = false, use: FileReference['use'] = 'path'): FileReference => ({
  base,
  segments,
  partial,
  use,
  index: 0,
});
const noPackages: PackageResolver = async () => null;

/** What `refs` found in the module `from` (project-relative) add, as project-relative paths. */
async function found(from: string, refs: FileReference[], resolve: PackageResolver = noPackages) {
  const r = new RunTimeFiles(proj);
  await r.add(at(from), refs, resolve);
  const rel = (s: Iterable<string>) => [...s].map((f) => path.relative(proj, f).split(path.sep).join('/')).sort();
  return {
    entries: rel(r.entries),
    files: rel(r.files),
    bundlerPaths: Object.fromEntries([...r.bundlerPaths].map(([k, v]) => [k, rel([v])[0]])),
    warnings: [...r.warnings],
  };
}
const nothing = { entries: [], files: [], bundlerPaths: {}, warnings: [] };

describe('a path from the module folder', () => {
  it('a JavaScript or TypeScript file is an entry module', async () => {
    expect(await found('src/app.ts', [ref('module-dir', ['./w.ts'], false, 'worker'), ref('module-dir', ['job.cjs'], false, 'fork')])).toEqual({
      ...nothing,
      entries: ['src/job.cjs', 'src/w.ts'],
    });
  });

  it('a data file is embedded as is', async () => {
    expect(await found('src/app.ts', [ref('module-dir', ['data', 'a.txt'])])).toEqual({ ...nothing, files: ['src/data/a.txt'] });
  });

  it('a file named by a partial path is not embedded (the code adds more to it)', async () => {
    expect(await found('src/app.ts', [ref('module-dir', ['data', 'a.txt'], true)])).toEqual(nothing);
  });

  it("a folder gives its files, without node_modules below it ('..' resolved)", async () => {
    expect(await found('src/sub/mod.ts', [ref('module-dir', ['..', 'locales'], true)])).toEqual({
      ...nothing,
      files: ['src/locales/de.json', 'src/locales/en.json', 'src/locales/extra/fr.json'],
    });
  });

  it('a missing target is ignored', async () => {
    expect(await found('src/app.ts', [ref('module-dir', ['nope.txt']), ref('module-dir', ['gone'], true), ref('module-dir', ['w2.ts'], false, 'worker')])).toEqual(nothing);
  });
});

describe('folders that are code trees are not embedded', () => {
  it.each([
    ['a package folder (it has a package.json)', 'src/app.ts', ['vendor']],
    ["the module's own folder", 'src/app.ts', []],
    ['an ancestor of the module', 'src/sub/mod.ts', ['..']],
    ['the project root', 'src/app.ts', ['..']],
    ['a node_modules folder', 'src/app.ts', ['..', 'node_modules']],
  ])('%s', async (_, from, segments) => {
    expect(await found(from, [ref('module-dir', segments, true)])).toEqual(nothing);
  });
});

describe('a folder past the limits', () => {
  it('is not embedded; a warning names it', async () => {
    const saved = { ...FOLDER_LIMITS };
    FOLDER_LIMITS.files = 2;
    try {
      const r = await found('src/app.ts', [ref('module-dir', ['many'], true)]);
      expect(r.files).toEqual([]);
      expect(r.warnings).toEqual([expect.stringMatching(/^src\/many is read at run time but holds more than 2 files .*not embedded — declare the files needed with --asset$/)]);
    } finally {
      Object.assign(FOLDER_LIMITS, saved);
    }
  });
});

describe('the module itself', () => {
  it('new Worker(__filename) makes the module an entry', async () => {
    expect(await found('src/sub/mod.ts', [ref('module-file', [], false, 'worker')])).toEqual({ ...nothing, entries: ['src/sub/mod.ts'] });
  });
});

describe("'package' references (worker-transport targets)", () => {
  it('a package resolving to a script: an entry and a bundler path under its name; resolved from the module folder', async () => {
    const asked: Array<[string, string]> = [];
    const resolve: PackageResolver = async (spec, fromDir) => {
      asked.push([spec, fromDir]);
      return spec === 'pino-pretty' ? at('node_modules/pino-pretty/index.js') : spec === 'some-data' ? at('node_modules/some-data/data.json') : null;
    };
    const r = await found('src/app.ts', [ref('package', ['pino-pretty']), ref('package', ['some-data']), ref('package', ['not-installed'])], resolve);
    expect(r).toEqual({ ...nothing, entries: ['node_modules/pino-pretty/index.js'], bundlerPaths: { 'pino-pretty': 'node_modules/pino-pretty/index.js' } });
    expect(asked.sort()).toEqual([
      ['not-installed', at('src')],
      ['pino-pretty', at('src')],
      ['some-data', at('src')],
    ]);
  });
});

describe("'cwd' references (new Worker('./w.js'), fork('./job.js'))", () => {
  it('tried against the project folder and the module folder', async () => {
    expect(await found('src/app.ts', [ref('cwd', ['./job.cjs'], false, 'fork'), ref('cwd', ['scripts/run.js'], false, 'fork')])).toEqual({
      ...nothing,
      entries: ['scripts/run.js', 'src/job.cjs'],
    });
  });

  it('a relative data folder, and a missing target', async () => {
    expect(await found('src/app.ts', [ref('cwd', ['src', 'data'], true), ref('cwd', ['./gone.js'], false, 'worker')])).toEqual({ ...nothing, files: ['src/data/a.txt'] });
  });
});
