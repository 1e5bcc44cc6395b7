/**
 * `AppProcess.usage()` against real child processes on Linux: a stand-in for the exe (a shell
 * script running a small Node program with the IPC channel) answers the usage request, or does not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnApp, type AppProcess } from '../../../runtime-shim/supervise/app-process';
import type { ChildEvent } from '../../../runtime-shim/supervise/supervisor';

let dir: string;
let apps: AppProcess[];
/** What the children said about their control handlers (`onControls`). */
let controls: unknown[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-app-process-'));
  apps = [];
  controls = [];
});
afterEach(() => {
  for (const app of apps) app.killTree();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fake exe: `sh` running `program` (CommonJS) with node, IPC inherited. */
function fakeExe(program: string): string {
  const js = path.join(dir, 'child.cjs');
  fs.writeFileSync(js, program);
  const exe = path.join(dir, 'exe.sh');
  fs.writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" "${js}" "$@"\n`, { mode: 0o755 });
  return exe;
}

function start(program: string): { app: AppProcess; events: ChildEvent[]; exited: Promise<void> } {
  const events: ChildEvent[] = [];
  let onExit: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (onExit = resolve));
  const app = spawnApp({ exePath: fakeExe(program), sink: { write: () => undefined }, job: null, args: [], env: {}, onControls: (handled) => void controls.push(handled) }, (event) => {
    events.push(event);
    if (event.type === 'exit') onExit();
  });
  apps.push(app);
  return { app, events, exited };
}

const ANSWERS = `
process.send({ type: 'running' });
process.on('message', (m) => {
  if (m.type === 'usage') process.send({ type: 'usage', sample: { pid: process.pid, nowMs: Date.now(), uptimeMs: 5, rssBytes: 7, heapUsedBytes: 3, cpuMicros: 11 } });
  if (m.type === 'stop') process.exit(0);
});
`;

describe('AppProcess.usage', () => {
  it("returns the app process's own sample", async () => {
    const { app, events } = start(ANSWERS);
    for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const sample = await app.usage(2_000);
    expect(sample).toMatchObject({ pid: app.pid, uptimeMs: 5, rssBytes: 7, heapUsedBytes: 3, cpuMicros: 11 });
  });

  it('null when the app does not answer in time (a blocked event loop)', async () => {
    const { app } = start(`setInterval(() => {}, 1000);`);
    const t0 = performance.now();
    expect(await app.usage(150)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('null once the app has exited, and for a request pending when it exits', async () => {
    const { app, exited } = start(`process.on('message', (m) => { if (m.type === 'usage') process.exit(0); });`);
    const pending = app.usage(5_000);
    await exited;
    expect(await pending).toBeNull();
    expect(await app.usage(5_000)).toBeNull();
  });
});

const CONTROLS = `
process.send({ type: 'controls', handled: { reload: true, pauseContinue: true, custom: false, sessionChange: false, powerEvent: false } });
process.on('message', (m) => {
  if (m.type !== 'control') return;
  const what = typeof m.control === 'string' ? m.control : m.control.kind + ' ' + m.control.code;
  const settings = m.settings ? ' with settings ' + m.settings.logging.logLevel : '';
  setTimeout(() => {
    process.send({ type: 'log', level: 'info', source: 'app', message: 'ran ' + what + settings });
    if (what !== 'custom 201') process.send({ type: 'control-done', id: m.id });
    else process.exit(0);
  }, 20);
});
`;

describe('AppProcess.control', () => {
  it('reports the handlers the app announces, and resolves each control when the app has run it', async () => {
    const logs: string[] = [];
    const events: ChildEvent[] = [];
    const app = spawnApp(
      { exePath: fakeExe(CONTROLS), sink: { write: (_l, _s, m) => void logs.push(m) }, job: null, args: [], env: {}, onControls: (h) => void controls.push(h) },
      (e) => void events.push(e),
    );
    apps.push(app);
    await app.control('pause');
    expect(logs).toEqual(['ran pause']);
    const settings = { logging: { logLevel: 'debug' } } as never;
    await app.control('paramchange', settings);
    await app.control({ kind: 'custom', code: 200 });
    expect(logs).toEqual(['ran pause', 'ran paramchange with settings debug', 'ran custom 200']);
    expect(controls).toEqual([{ reload: true, pauseContinue: true, custom: false, sessionChange: false, powerEvent: false }]);
  });

  it('a control pending when the app exits resolves; later ones resolve at once', async () => {
    const { app, exited } = start(CONTROLS);
    await app.control({ kind: 'custom', code: 201 }); // the app exits instead of answering
    await exited;
    await app.control('continue');
  });
});
