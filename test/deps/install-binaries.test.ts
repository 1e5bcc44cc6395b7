/**
 * Tree packages whose Windows binary only their install script makes (src/deps/install-binaries.ts):
 * how they are recognised, what the build decides for each, and the real build on a project whose
 * node_modules holds such a package (required, optional, supplied with --native): a one-line
 * usage error and an untouched output folder, a warning, the file at build/Release.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../../src/build';
import { buildsAddonAtInstall, decideMissingBinaries } from '../../src/deps/install-binaries';
import type { TreePackage } from '../../src/deps/tree';
import { SvcpackError } from '../../src/errors';
import { rejected } from '../support/thrown';
import { tempProjects } from '../support/temp-project';

const pkg = (name: string, optional = false): TreePackage => ({
  name,
  version: '1.2.3',
  integrity: null,
  license: null,
  location: `node_modules/${name}`,
  dir: `/nowhere/${name}`,
  source: 'installed',
  optional,
});

describe('buildsAddonAtInstall', () => {
  it('binding.gyp, gypfile, or an install script that runs a native build or download tool', () => {
    expect(buildsAddonAtInstall({}, ['binding.gyp', 'index.js'])).toBe(true);
    expect(buildsAddonAtInstall({ gypfile: true }, [])).toBe(true);
    expect(buildsAddonAtInstall({ scripts: { install: 'prebuild-install || node-gyp rebuild' } }, [])).toBe(true);
    expect(buildsAddonAtInstall({ scripts: { install: 'node-pre-gyp install --fallback-to-build' } }, [])).toBe(true);
    expect(buildsAddonAtInstall({ scripts: { postinstall: 'cmake-js compile' } }, [])).toBe(true);
  });

  it('not a package whose install script does something else (esbuild checks its binary, core-js prints)', () => {
    expect(buildsAddonAtInstall({ scripts: { postinstall: 'node install.js' } }, ['install.js'])).toBe(false);
    expect(buildsAddonAtInstall({ scripts: { test: 'node-gyp rebuild' } }, [])).toBe(false);
    expect(buildsAddonAtInstall({}, ['index.js'])).toBe(false);
  });
});

describe('decideMissingBinaries', () => {
  const opts = { native: {}, handled: new Set<string>(), nodeMajor: 26 };

  it('a required package stops the build, naming it and --native (and a known alternative)', () => {
    const { failure, warnings, add } = decideMissingBinaries([pkg('bcrypt')], opts);
    expect(failure).toBeInstanceOf(SvcpackError);
    expect(failure!.exitCode).toBe(2);
    expect(failure!.message).toBe('bcrypt@1.2.3 (node_modules/bcrypt) gets its Windows binary from its install script, which svcpack never runs');
    expect(failure!.hint).toMatch(/^pass --native bcrypt=<path to its win32-x64 \.node file for Node\.js 26>, or use /);
    expect([warnings, add]).toEqual([[], []]);
  });

  it('an optional one is a warning; one the bundle embeds already is nothing', () => {
    const { failure, warnings } = decideMissingBinaries([pkg('cpu-features', true), pkg('classic-level')], { ...opts, handled: new Set(['classic-level']) });
    expect(failure).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^cpu-features@1\.2\.3 \(an optional dependency\) gets its Windows binary from its install script.*--native cpu-features=/);
  });

  it('--native puts the file where node-gyp builds it', () => {
    const { failure, add } = decideMissingBinaries([pkg('bcrypt')], { ...opts, native: { bcrypt: '/v/bcrypt_lib.node' } });
    expect(failure).toBeNull();
    expect(add).toEqual([{ pkg: pkg('bcrypt'), rel: 'node_modules/bcrypt/build/Release/bcrypt_lib.node', file: '/v/bcrypt_lib.node' }]);
  });
});

describe('a build whose tree holds such a package', () => {
  const project = tempProjects('svcpack-install-binaries-');

  /** A project depending on `gyp-thing` (binding.gyp, no .node), installed; `optional` puts it in optionalDependencies. */
  function gypProject(optional: boolean): string {
    const depsKey = optional ? 'optionalDependencies' : 'dependencies';
    const lockEntry = { version: '1.0.0', license: 'MIT', ...(optional ? { optional: true } : {}) };
    return project({
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', [depsKey]: { 'gyp-thing': '1.0.0' } }),
      'package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'app', version: '1.0.0', [depsKey]: { 'gyp-thing': '1.0.0' } }, 'node_modules/gyp-thing': lockEntry },
      }),
      'node_modules/gyp-thing/package.json': JSON.stringify({ name: 'gyp-thing', version: '1.0.0', license: 'MIT', main: 'index.js' }),
      'node_modules/gyp-thing/binding.gyp': '{ "targets": [] }',
      'node_modules/gyp-thing/index.js': "module.exports = require('./build/Release/gyp_thing.node');\n",
      'app.ts': "console.log('app');\n",
    });
  }

  it('required: exit 2 in one line naming the package and --native; nothing written', { timeout: 120_000 }, async () => {
    const dir = gypProject(false);
    const outDir = path.join(dir, 'dist');
    const err = await rejected(SvcpackError, build({ entry: path.join(dir, 'app.ts'), name: 'GypSvc', outDir }));
    expect(err.code).toBe('ADDON_UNAVAILABLE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('gyp-thing@1.0.0');
    expect(err.hint).toContain('--native gyp-thing=');
    expect(fs.existsSync(outDir) ? fs.readdirSync(outDir) : []).toEqual([]);
  });

  it('optional: builds, with a warning', { timeout: 120_000 }, async () => {
    const dir = gypProject(true);
    const warnings: string[] = [];
    await build({ entry: path.join(dir, 'app.ts'), name: 'GypSvc', outDir: path.join(dir, 'dist') }, { onEvent: (e) => void (e.type === 'warning' && warnings.push(e.message)) });
    expect(warnings.filter((w) => w.startsWith('gyp-thing@1.0.0 (an optional dependency)'))).toHaveLength(1);
  });

  it('--native: the file is in the tree at build/Release', { timeout: 120_000 }, async () => {
    const dir = gypProject(false);
    fs.writeFileSync(path.join(dir, 'gyp_thing.node'), 'pretend binary');
    const result = await build({ entry: path.join(dir, 'app.ts'), name: 'GypSvc', outDir: path.join(dir, 'dist'), native: { 'gyp-thing': path.join(dir, 'gyp_thing.node') } });
    const gyp = result.record.embedded.packages?.find((p) => p.name === 'gyp-thing');
    // package.json, index.js and the --native file (binding.gyp is left out by the filter)
    expect(gyp?.files).toBe(3);
  });
});
