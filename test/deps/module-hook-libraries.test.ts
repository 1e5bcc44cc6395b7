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
