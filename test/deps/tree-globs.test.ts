/**
 * `--include`/`--exclude` over the dependency tree (src/deps/tree-globs.ts): what a glob is
 * matched against (tree path or package path), folders, precedence, and which globs matched
 * nothing; and what treeFiles (src/deps/tree-files.ts) embeds with them from packages on disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { treeFiles } from '../../src/deps/tree-files';
import { packagePath, treeGlobProblem, TreeGlobs } from '../../src/deps/tree-globs';
import type { TreePackage } from '../../src/deps/tree';
import { SvcpackError } from '../../src/errors';
import { rejected } from '../support/thrown';

const decide = (globs: { include?: string[]; exclude?: string[] }, rel: string) => new TreeGlobs({ include: globs.include ?? [], exclude: globs.exclude ?? [] }).decide(rel);

describe('packagePath', () => {
  it('is what follows the last node_modules/: hoisted, nested, scoped', () => {
    expect(packagePath('node_modules/swagger-ui-dist/swagger-ui.css')).toBe('swagger-ui-dist/swagger-ui.css');
    expect(packagePath('node_modules/a/node_modules/@s/b/lib/x.js')).toBe('@s/b/lib/x.js');
    expect(packagePath('_up_/_up_/node_modules/c/index.js')).toBe('c/index.js');
  });
  it('is null outside node_modules (and for a folder merely ending in node_modules)', () => {
    expect(packagePath('src/app.ts')).toBeNull();
    expect(packagePath('my_node_modules/a/x.js')).toBeNull();
  });
});

describe('TreeGlobs.decide', () => {
  it('a glob starting with node_modules/ matches tree paths, and only at that place in the tree', () => {
    expect(decide({ exclude: ['node_modules/swagger-ui-dist/*.map'] }, 'node_modules/swagger-ui-dist/swagger-ui.js.map')).toBe('exclude');
    expect(decide({ exclude: ['node_modules/swagger-ui-dist/*.map'] }, 'node_modules/x/node_modules/swagger-ui-dist/swagger-ui.js.map')).toBe('filter');
    expect(decide({ exclude: ['node_modules/x/node_modules/swagger-ui-dist/**'] }, 'node_modules/x/node_modules/swagger-ui-dist/a/b.css')).toBe('exclude');
  });

  it('any other glob matches the package path <package>/<file>, for every copy of the package', () => {
    const globs = { exclude: ['swagger-ui-dist/*.map'] };
    expect(decide(globs, 'node_modules/swagger-ui-dist/swagger-ui.js.map')).toBe('exclude');
    expect(decide(globs, 'node_modules/x/node_modules/swagger-ui-dist/swagger-ui.js.map')).toBe('exclude');
    expect(decide(globs, 'node_modules/swagger-ui-dist/sub/a.map')).toBe('filter'); // * stays in one segment
    expect(decide({ exclude: ['@scope/pkg/lib/**'] }, 'node_modules/@scope/pkg/lib/deep/x.js')).toBe('exclude');
    // A package path never starts with node_modules: such a glob never matches the other way round.
    expect(decide({ exclude: ['**/node_modules/foo/**'] }, 'node_modules/foo/index.js')).toBe('filter');
  });

  it('**/ reaches every package', () => {
    expect(decide({ exclude: ['**/*.map'] }, 'node_modules/a/dist/x.js.map')).toBe('exclude');
    expect(decide({ exclude: ['**/*.map'] }, 'node_modules/a/node_modules/@s/b/x.map')).toBe('exclude');
    expect(decide({ exclude: ['**/*.map'] }, 'node_modules/a/x.js')).toBe('filter');
  });

  it('a glob that matches a folder takes every file below it', () => {
    expect(decide({ exclude: ['node_modules/typescript'] }, 'node_modules/typescript/lib/tsc.js')).toBe('exclude');
    expect(decide({ exclude: ['typescript/'] }, 'node_modules/typescript/lib/tsc.js')).toBe('exclude');
    expect(decide({ include: ['*/docs'] }, 'node_modules/foo/docs/guide/intro.md')).toBe('include');
    expect(decide({ exclude: ['node_modules/type'] }, 'node_modules/typescript/lib/tsc.js')).toBe('filter');
  });

  it('exclude wins over include; include over the filter; no match leaves it to the filter', () => {
    expect(decide({ include: ['foo/docs/**'], exclude: ['foo/docs/*.pdf'] }, 'node_modules/foo/docs/big.pdf')).toBe('exclude');
    expect(decide({ include: ['foo/docs/**'], exclude: ['foo/docs/*.pdf'] }, 'node_modules/foo/docs/a.md')).toBe('include');
    expect(decide({ include: ['foo/docs/**'] }, 'node_modules/bar/index.js')).toBe('filter');
  });

  it('Windows separators and a leading ./ are accepted; matching is case-sensitive', () => {
    expect(decide({ exclude: ['.\\node_modules\\foo\\*.txt'] }, 'node_modules/foo/a.txt')).toBe('exclude');
    expect(decide({ exclude: ['Foo/*.txt'] }, 'node_modules/foo/a.txt')).toBe('filter');
  });

  it('counts matches: the globs that matched nothing are listed; excludedBy names the first exclude that matches', () => {
    const globs = new TreeGlobs({ include: ['foo/docs/**', 'nope/**'], exclude: ['**/*.map', 'typo/**'] });
    for (const rel of ['node_modules/foo/docs/a.md', 'node_modules/foo/x.js.map', 'node_modules/foo/index.js']) globs.decide(rel);
    expect(globs.unmatchedIncludes()).toEqual(['nope/**']);
    expect(globs.unmatchedExcludes()).toEqual(['typo/**']);
    expect(globs.excludedBy('node_modules/bar/y.map')).toBe('**/*.map');
    expect(globs.excludedBy('node_modules/bar/y.js')).toBeNull();
  });
});

describe('treeGlobProblem', () => {
  it('accepts relative globs, refuses empty, absolute and escaping ones', () => {
    expect(treeGlobProblem('node_modules/foo/**')).toBeNull();
    expect(treeGlobProblem('**/*.map')).toBeNull();
    expect(treeGlobProblem('')).toBe('is not a glob');
    expect(treeGlobProblem(3)).toBe('is not a glob');
    expect(treeGlobProblem('/abs/node_modules/x')).toMatch(/^is an absolute path/);
    expect(treeGlobProblem('C:\\app\\node_modules\\x')).toMatch(/^is an absolute path/);
    expect(treeGlobProblem('node_modules/../src/**')).toBe('leaves the dependency tree (..)');
  });
});

describe('treeFiles with globs', () => {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-tree-globs-'));
  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

  /** A package on disk at `location` with `files` (path → text). */
  function pkg(name: string, location: string, files: Record<string, string>): TreePackage {
    const dir = path.join(temp, location);
    for (const [file, text] of Object.entries({ 'package.json': JSON.stringify({ name, version: '1.0.0' }), ...files })) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    return { name, version: '1.0.0', integrity: null, license: null, location, dir, source: 'installed', optional: false };
  }
  const foo = pkg('foo', 'node_modules/foo', {
    'index.js': 'module.exports = 1;',
    'index.js.map': '{}',
    'data/table.txt': 'table',
    'docs/guide.md': '# guide',
    'docs/api/x.html': '<p>',
    'docs/bin/tool': '\x7fELF\x02\x01\x01', // a Linux binary: never embedded, included or not
    'test/t.js': 'test',
    // Nested packages are packages of their own: never walked as foo's files.
    'node_modules/bar/package.json': '{"name":"bar","version":"1.0.0"}',
  });
  const bar = pkg('bar', 'node_modules/foo/node_modules/bar', { 'index.js': 'module.exports = 2;', 'bar.js.map': '{}' });
  const big = pkg('big', 'node_modules/big', { 'lib/a.js': 'a', 'lib/b.js': 'b' });
  const rels = (t: { files: Array<{ rel: string }> }) => t.files.map((f) => f.rel).sort();

  it('without globs the filter alone decides', async () => {
    const t = await treeFiles([foo, bar, big]);
    expect(rels(t)).toEqual([
      'node_modules/foo/data/table.txt',
      'node_modules/foo/index.js',
      'node_modules/foo/node_modules/bar/index.js',
      'node_modules/foo/node_modules/bar/package.json',
      'node_modules/foo/package.json',
      'node_modules/big/lib/a.js',
      'node_modules/big/lib/b.js',
      'node_modules/big/package.json',
    ].sort());
    expect(t.warnings).toEqual([]);
    expect(t.excludedBy('node_modules/foo/index.js')).toBeNull();
  });

  it('--include brings back what the filter leaves out; --exclude drops files, and a whole package from the package list', async () => {
    const globs = new TreeGlobs({ include: ['node_modules/foo/docs/**', '**/*.map'], exclude: ['node_modules/big/**', 'foo/docs/api', 'foo/data/*.txt'] });
    const t = await treeFiles([foo, bar, big], globs);
    expect(rels(t)).toEqual([
      'node_modules/foo/docs/guide.md',
      'node_modules/foo/index.js',
      'node_modules/foo/index.js.map',
      'node_modules/foo/node_modules/bar/bar.js.map',
      'node_modules/foo/node_modules/bar/index.js',
      'node_modules/foo/node_modules/bar/package.json',
      'node_modules/foo/package.json',
    ]);
    expect(t.packages.map((p) => [p.location, p.files])).toEqual([
      ['node_modules/foo', 4],
      ['node_modules/foo/node_modules/bar', 3],
    ]);
    expect(t.excludedBy('node_modules/foo/data/table.txt')).toBe('--exclude "foo/data/*.txt"');
  });

  it('--include never brings back a binary for another platform', async () => {
    const t = await treeFiles([foo], new TreeGlobs({ include: ['foo/docs/bin'], exclude: [] }));
    expect(rels(t)).not.toContain('node_modules/foo/docs/bin/tool');
  });

  it('an include glob that matches no file of the tree stops the build (exit 2), naming it; one that only matches files the filter keeps is fine', async () => {
    const globs = new TreeGlobs({ include: ['foo/index.js', 'node_modules/typescript/**'], exclude: [] });
    const err = await rejected(SvcpackError, treeFiles([foo, bar, big], globs));
    expect(err).toMatchObject({ code: 'DEPENDENCY_GLOB', exitCode: 2 });
    expect(err.toLine()).toMatch(
      /^svcpack: --include "node_modules\/typescript\/\*\*" matched no file of the production dependency tree \(3 packages\) — name files as node_modules\/<package>\/<path>/,
    );
  });

  it('an exclude glob that matches nothing is a warning; one matching only files the filter drops is not', async () => {
    const names = { include: 'svcpack.config.json: include', exclude: 'svcpack.config.json: exclude' };
    const t = await treeFiles([foo], new TreeGlobs({ include: [], exclude: ['foo/test/**', 'typescript/**'], names }));
    expect(t.warnings).toEqual(['svcpack.config.json: exclude "typescript/**" matched no file of the production dependency tree: it leaves nothing out']);
  });
});
