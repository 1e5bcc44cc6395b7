/**
 * An --exclude glob must not leave out a file the bundle embeds itself (src/bundle/embedded/
 * excluded-needs.ts): where such a file sits in the tree, and the one-line failure.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { neededTreePath, refuseExcludedNeeds } from '../../../src/bundle/embedded/excluded-needs';
import { TreeGlobs } from '../../../src/deps/tree-globs';
import { SvcpackError } from '../../../src/errors';
import { thrown } from '../../support/thrown';

const projectDir = path.resolve('/work/app');

describe('neededTreePath', () => {
  it('a file in the project node_modules: its project-relative path', () => {
    expect(neededTreePath(projectDir, path.join(projectDir, 'node_modules/a/node_modules/b/x.json'))).toBe('node_modules/a/node_modules/b/x.json');
  });
  it('a package outside the project (a fetched platform package, a hoisted node_modules): node_modules/<package path>', () => {
    expect(neededTreePath(projectDir, path.resolve('/cache/svcpack/packages/p-1.0.0/node_modules/@s/p-win32-x64/p.node'))).toBe('node_modules/@s/p-win32-x64/p.node');
  });
  it('a file of the app itself: null', () => {
    expect(neededTreePath(projectDir, path.join(projectDir, 'src/data.json'))).toBeNull();
  });
});

describe('refuseExcludedNeeds', () => {
  const globs = new TreeGlobs({ include: [], exclude: ['foo/data/**'] });
  const excludedBy = (rel: string) => {
    const g = globs.excludedBy(rel);
    return g ? `--exclude "${g}"` : null;
  };

  it('passes when no need is excluded', () => {
    refuseExcludedNeeds(projectDir, [{ file: path.join(projectDir, 'node_modules/foo/index.js'), what: 'x' }], excludedBy);
  });

  it('names the first file, the glob and how many more, exit 2', () => {
    const err = thrown(SvcpackError, () =>
      refuseExcludedNeeds(
        projectDir,
        [
          { file: path.join(projectDir, 'node_modules/foo/data/b.json'), what: 'which the bundle reads at run time' },
          { file: path.join(projectDir, 'node_modules/foo/data/a.json'), what: 'which the bundle reads at run time' },
          { file: path.join(projectDir, 'node_modules/foo/data/a.json'), what: 'counted once' },
        ],
        excludedBy,
      ),
    );
    expect(err).toMatchObject({ code: 'DEPENDENCY_GLOB', exitCode: 2 });
    expect(err.toLine()).toBe('svcpack: --exclude "foo/data/**" leaves out node_modules/foo/data/a.json, which the bundle reads at run time (and 1 more file) — narrow the glob so it spares the files the bundle embeds, or drop it');
  });
});
