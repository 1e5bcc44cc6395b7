/**
 * The e2e tests' Wine harness: everything in test/support/wine.ts plus `e2eFile`, which wires one
 * test file's vitest hooks (Wine session, builds, service cleanup), and the assertions the test
 * files share (a service started, log lines in order, a driver's step report).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  createService,
  ensurePortFree,
  lineIndex,
  removeBuilds,
  removeService,
  requireWine,
  runExe,
  sc,
  startWine,
  waitForState,
  winePrefix,
  winPath,
  type ScResult,
  type WineSession,
} from '../support/wine';
import type { StepReport, StepResult } from './drivers/step-report';

export * from '../support/wine';

// ---------------------------------------------------------------- per-file wiring

export interface E2EFile<T> {
  /** What `setup` returned (valid inside tests). */
  readonly ctx: T;
}

/**
 * Registers one test file's hooks: `setup` runs once (Wine prefix, keep-alive, builds); if it
 * fails — Wine missing included — every test of the file FAILS with that error (beforeEach
 * rethrows it), never skips. After each test and at the end the listed services are stopped and
 * deleted (errors ignored); at the end the keep-alive is ended and the temp builds are removed
 * unless a test failed.
 */
export function e2eFile<T>(opts: { services: string[]; setup: () => Promise<T> }): E2EFile<T> {
  let value: T | undefined;
  let setupError: unknown;
  let session: WineSession | undefined;
  let failed = false;

  beforeAll(async () => {
    try {
      requireWine();
      const t = performance.now();
      const [s, v] = await Promise.allSettled([startWine(), opts.setup()]);
      if (s.status === 'fulfilled') session = s.value;
      if (s.status === 'rejected') throw s.reason;
      if (v.status === 'rejected') throw v.reason;
      value = v.value;
      console.log(`[e2e] Wine SCM up and fixtures built in ${Math.round(performance.now() - t)} ms (prefix ${winePrefix})`);
    } catch (err) {
      setupError = err;
    }
  });
  beforeEach(() => {
    if (setupError !== undefined) throw setupError;
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') failed = true;
    if (setupError === undefined) for (const name of opts.services) await removeService(name);
  });
  afterAll(async () => {
    if (setupError === undefined) for (const name of opts.services) await removeService(name);
    await session?.stop();
    removeBuilds(failed || setupError !== undefined);
  });

  return {
    get ctx(): T {
      if (value === undefined) throw setupError ?? new Error('e2e setup has not run');
      return value;
    },
  };
}

// ---------------------------------------------------------------- shared assertions

/** Registers `exe` as service `name`, starts it and waits for RUNNING (`port`, if given, must be free first). */
export async function startService(
  name: string,
  exe: string,
  opts: { port?: number; timeoutMs?: number } = {},
): Promise<{ started: ScResult; running: ScResult & { ms: number } }> {
  await createService(name, exe);
  if (opts.port !== undefined) await ensurePortFree(opts.port);
  const since = performance.now();
  const started = await sc('start', name);
  expect(started.code, started.text).toBe(0);
  const running = await waitForState(name, 'RUNNING', opts.timeoutMs ?? 20_000, { since });
  return { started, running };
}

/**
 * Wine 10's SCM refuses two settings (ChangeServiceConfig2W: ERROR_INVALID_LEVEL), so every
 * `install` under Wine warns about each of them, on stderr, never stdout (docs/wine10-facts.md,
 * ChangeServiceConfig2W / QueryServiceConfig2W).
 */
export const WINE_SCM_WARNING = /^\S+: warning: this Service Control Manager cannot set (recovery on non-crash failures|the service SID type) \(error 124\); it was not applied$/;

/** `stderr` without Wine's two expected install warnings: '' when it held nothing else. */
export function besidesWineScmWarnings(stderr: string): string {
  return stderr
    .split(/\r?\n/)
    .filter((line) => line !== '' && !WINE_SCM_WARNING.test(line))
    .join('\n');
}

/** Each of `patterns` matches a line of `log`, in this order. */
export function expectInOrder(log: string, patterns: RegExp[]): void {
  const order = patterns.map((re) => lineIndex(log, re));
  expect(order.every((i) => i >= 0), log).toBe(true);
  expect([...order].sort((a, b) => a - b), log).toEqual(order);
}

// ---------------------------------------------------------------- drivers (test/e2e/drivers)

/**
 * Runs a bundled driver with the Windows `nodeExe` under Wine: writes `config` (plus the report's
 * path) to `<dir>/config.json`, runs `node.exe <driver> <config.json>` with its output in
 * `<dir>/driver.stdout.txt` and `driver.stderr.txt`, and returns the step report it wrote to
 * `<dir>/report.json` with the driver's stderr (Wine's debug output goes there).
 */
export async function runDriver(opts: {
  nodeExe: string;
  driver: string;
  dir: string;
  config: object;
  env?: Record<string, string>;
  timeoutMs: number;
}): Promise<StepReport & { code: number; stderr: string }> {
  const at = (name: string) => path.join(opts.dir, name);
  fs.writeFileSync(at('config.json'), JSON.stringify({ ...opts.config, report: winPath(at('report.json')) }, null, 2));
  const r = await runExe(opts.nodeExe, [winPath(opts.driver), winPath(at('config.json'))], {
    dir: opts.dir,
    tag: 'driver',
    env: opts.env,
    timeoutMs: opts.timeoutMs,
  });
  const text = fs.existsSync(at('report.json')) ? fs.readFileSync(at('report.json'), 'utf8') : '';
  if (!text) throw new Error(`the driver wrote no report (exit ${r.code}); stderr:\n${r.stderr}`);
  return { ...(JSON.parse(text) as StepReport), code: r.code, stderr: r.stderr };
}

type StepError = { name: string; fn?: string; code?: number; message: string };

/** Reading a driver's report step by step: `ok` for steps that must succeed, `failure` for steps that must fail. */
export function driverSteps(report: () => Promise<StepReport>) {
  async function step(name: string): Promise<StepResult> {
    const r = (await report()).steps[name];
    if (!r) throw new Error(`the driver did not reach step ${name}`);
    return r;
  }
  return {
    step,
    /** The value of a step that must have succeeded. */
    async ok(name: string): Promise<unknown> {
      const r = await step(name);
      expect(r, `${name}: ${JSON.stringify(r)}`).toMatchObject({ ok: true });
      return (r as { value: unknown }).value;
    },
    /** The error of a step that must have failed. */
    async failure(name: string): Promise<StepError> {
      const r = await step(name);
      expect(r, `${name}: ${JSON.stringify(r)}`).toMatchObject({ ok: false });
      return (r as { error: StepError }).error;
    },
  };
}
