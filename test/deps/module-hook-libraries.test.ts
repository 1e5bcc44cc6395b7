import { describe, expect, it } from 'vitest';
import { moduleHookLibraries } from '../../src/deps/module-hook-libraries';
import { tempProjects } from '../support/temp-project';

const project = tempProjects('svcpack-hook-libs-');
const lock = (packages: Record<string, object>) => JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...packages } });

describe('moduleHookLibraries', () => {
  it('finds the hook libraries among the production packages of the lockfile, at any depth', () => {
    const dir = project({
      'package-lock.json': lock({
        'node_modules/express': {},
        'node_modules/@opentelemetry/instrumentation/node_modules/require-in-the-middle': {},
        'node_modules/import-in-the-middle': {},
      }),
    });
    expect(moduleHookLibraries(dir)).toEqual(['require-in-the-middle', 'import-in-the-middle']);
  });

  it('ignores dev-only ones and a project without any', () => {
    expect(moduleHookLibraries(project({ 'package-lock.json': lock({ 'node_modules/require-in-the-middle': { dev: true } }) }))).toEqual([]);
    expect(moduleHookLibraries(project({ 'package-lock.json': lock({ 'node_modules/express': {} }) }))).toEqual([]);
    expect(moduleHookLibraries(project({ 'package.json': '{}' }))).toEqual([]);
  });

  it('reads the installed node_modules when there is no lockfile', () => {
    const dir = project({ 'node_modules/require-in-the-middle/package.json': '{"name":"require-in-the-middle","version":"8.0.1"}' });
    expect(moduleHookLibraries(dir)).toEqual(['require-in-the-middle']);
  });
});

describe('decidePackagesMode', () => {
  it('auto: node when a module hook library is a production dependency, bundle otherwise; an explicit mode wins', async () => {
    const { decidePackagesMode } = await import('../../src/build');
    const agent = project({ 'package-lock.json': lock({ 'node_modules/require-in-the-middle': {} }) });
    const plain = project({ 'package-lock.json': lock({ 'node_modules/express': {} }) });
    expect(decidePackagesMode({ packages: 'auto', projectDir: agent })).toEqual({
      mode: 'node',
      reason: 'require-in-the-middle is a production dependency: module load hooks must see the packages load',
    });
    expect(decidePackagesMode({ packages: 'auto', projectDir: plain })).toEqual({ mode: 'bundle', reason: 'no production dependency hooks module loading' });
    expect(decidePackagesMode({ packages: 'bundle', projectDir: agent }).mode).toBe('bundle');
    expect(decidePackagesMode({ packages: 'node', projectDir: plain }).mode).toBe('node');
  });
});
