/**
 * Module load hooks in the exe under Wine's SCM (fixtures/module-hooks, Express installed with a
 * plain `npm install`): a `--preload` module installs a `Module.prototype.require` wrapper (what
 * require-in-the-middle does) and a `module.registerHooks` resolve hook, then the app imports
 * `node:http` and Express. With `--packages node` the hooks see both, in the app's order, and
 * Express's own requires after them, and Node's module cache holds Express at its path inside
 * the exe, as under `node --import ./hooks.js app.js`; with `--packages bundle` the preload still
 * runs first, but the hooks never see Express (inlined in the bundle).
 * The real agents (OpenTelemetry, Elastic APM) are proven in the compatibility suites.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { createServiceCommand, e2eFile, ensurePortFree, fixturesDir, httpGet, sc, scratchDir, waitForHttp, waitForState, winPath } from './wine';

const DIR = path.join(fixturesDir, 'module-hooks');
const NODE = 'SvcpackModuleHooksNode';
const BUNDLE = 'SvcpackModuleHooksBundle';

async function buildOne(name: string, packages: 'node' | 'bundle'): Promise<{ exe: string; result: BuildResult }> {
  const result = await build({ entry: path.join(DIR, 'app.ts'), name, outDir: scratchDir(name), stopTimeout: 10_000, packages, preload: [path.join(DIR, 'hooks.ts')] });
  return { exe: result.files[0]!, result };
}

const file = e2eFile({
  services: [NODE, BUNDLE],
  setup: async () => {
    await ensureFixtureDeps(DIR);
    const [node, bundle] = await Promise.all([buildOne(NODE, 'node'), buildOne(BUNDLE, 'bundle')]);
    return { node, bundle };
  },
});

interface Probe {
  preloaded: boolean;
  required: string[];
  resolved: string[];
  expressInCache: string[];
}

/** Runs the service, returns its probe, stops it gracefully. */
async function probeService(name: string, exe: string, port: number): Promise<Probe> {
  await ensurePortFree(port);
  await createServiceCommand(name, `"${winPath(exe)}" --service port=${port}`);
  const started = await sc('start', name);
  expect(started.code, started.text).toBe(0);
  await waitForState(name, 'RUNNING', 30_000);
  await waitForHttp(`http://127.0.0.1:${port}/probe`, 20_000);
  const answer = (await httpGet(`http://127.0.0.1:${port}/probe`, 10_000)) ?? '';
  expect(answer, 'the probe did not answer JSON').toMatch(/^\{/);
  const stopping = await sc('stop', name);
  expect(stopping.code, stopping.text).toBe(0);
  const stopped = await waitForState(name, 'STOPPED', 20_000);
  expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
  return JSON.parse(answer) as Probe;
}

describe('module load hooks installed by a --preload module', () => {
  test('--packages node: the hooks see node:http, then express and what express requires, and the cache holds express inside the exe', { timeout: 120_000 }, async () => {
    const { node } = file.ctx;
    expect(node.result.record.packages).toEqual({ mode: 'node', reason: 'packages: node' });
    expect(node.result.record.preload).toEqual(['hooks.ts']);
    const probe = await probeService(NODE, node.exe, 18471);
    expect(probe.preloaded).toBe(true);
    const http = probe.required.indexOf('node:http');
    const express = probe.required.indexOf('express');
    expect(http, JSON.stringify(probe.required)).toBeGreaterThanOrEqual(0);
    expect(express, JSON.stringify(probe.required)).toBeGreaterThan(http);
    // Express's own dependencies pass through the same hooks, after it.
    expect(probe.required.slice(express + 1)).toEqual(expect.arrayContaining(['router', 'body-parser']));
    expect(probe.resolved).toEqual(expect.arrayContaining(['express', 'router']));
    expect(probe.expressInCache).toEqual([`${winPath(node.exe)}\\node_modules\\express\\index.js`]);
  });

  test('--packages bundle: the preload runs first, and the hooks do not see the inlined express', { timeout: 120_000 }, async () => {
    const { bundle } = file.ctx;
    expect(bundle.result.record.packages.mode).toBe('bundle');
    const probe = await probeService(BUNDLE, bundle.exe, 18472);
    expect(probe.preloaded).toBe(true);
    // What the hooks see there are the built-ins the inlined CommonJS code requires at its call
    // sites (express's require('node:http')), never a package.
    expect(probe.required).not.toContain('express');
    expect(probe.required).not.toContain('router');
    expect(probe.resolved).not.toContain('express');
  });
});
