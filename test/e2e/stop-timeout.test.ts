/**
 * The stop timeout an admin stores with the service (`config set stop-timeout`) under Wine's SCM:
 * the service forces its stop at the stored timeout, not the exe's own, and `MySvc.exe stop` waits
 * for that same timeout (plus its margin). The exe is built with a 2 s stop timeout; the fixture's
 * stop handler takes `stop-ms` milliseconds.
 */
import { describe, expect, test } from 'vitest';
import { STOP_MARGIN_MS } from '../../runtime-shim/commands/control';
import { buildFixture, e2eFile, readText, runExe, sc, sleep, type BuiltFixture } from './wine';

const NAME = 'SvcpackE2EStopTimeout';
const BAKED_MS = 2_000;
/**
 * Longer than the baked stop timeout plus stop's margin: a `stop` that waited for the exe's own
 * timeout gives up (exit 1) about 3 s before this stop work ends.
 */
const STOP_WORK_MS = BAKED_MS + STOP_MARGIN_MS + 3_000;
/** What a loaded machine (Wine, two shared cores) may add to a forced stop, in s. */
const SLACK_S = 3;

const file = e2eFile({ services: [NAME], setup: () => buildFixture('settings', NAME, { stopTimeout: BAKED_MS }) });

async function exe(built: BuiltFixture, ...args: string[]) {
  const r = await runExe(built.exe, args, { timeoutMs: 90_000 });
  return { ...r, stderr: r.stderr.split('\n').filter((l) => l && !/Service Control Manager cannot set/.test(l)).join('\n') };
}

/** Installs the service with a stop handler of STOP_WORK_MS, stores `stored` as its stop timeout, starts it. */
async function runningWithStored(built: BuiltFixture, stored: string): Promise<void> {
  const installed = await exe(built, 'install', '--arg', `stop-ms=${STOP_WORK_MS}`);
  expect(installed.code, installed.stderr).toBe(0);
  const set = await exe(built, 'config', 'set', 'stop-timeout', stored);
  expect(set.code, set.stderr).toBe(0);
  const before = readText(built.logFile).length;
  const started = await exe(built, 'start');
  expect(started.code, started.stderr).toBe(0);
  // The app has registered its stop handler once it logged this (the log also holds earlier tests' runs).
  const deadline = performance.now() + 20_000;
  while (!/settings fixture: started/.test(readText(built.logFile).slice(before))) {
    if (performance.now() > deadline) throw new Error(`${NAME} did not log its start within 20 s`);
    await sleep(100);
  }
}

/** `stop`, with the seconds it reports ("stopped after 20.3 s") and what the service logged meanwhile. */
async function stop(built: BuiltFixture): Promise<{ code: number; stdout: string; stderr: string; seconds: number; log: string }> {
  const before = readText(built.logFile).length;
  const r = await exe(built, 'stop');
  const seconds = Number(/stopped after ([\d.]+) s/.exec(r.stdout)?.[1] ?? NaN);
  return { ...r, seconds, log: readText(built.logFile).slice(before) };
}

describe('stop waits for the stop timeout stored with the service', () => {
  test('stored longer than the exe\'s: the stop work runs to its end and stop exits 0 once the service is STOPPED', async () => {
    const built = file.ctx;
    await runningWithStored(built, `${(STOP_WORK_MS + 10_000) / 1000}s`);

    const stopped = await stop(built);
    console.log(`[e2e] stop-timeout: stop with ${STOP_WORK_MS} ms of stop work returned after ${stopped.seconds} s`);
    expect(stopped.code, `${stopped.stdout}\n${stopped.stderr}`).toBe(0);
    expect(stopped.seconds).toBeGreaterThanOrEqual(STOP_WORK_MS / 1000 - 0.5);
    expect(stopped.log).toMatch(/settings fixture: stop handler done/);
    expect(stopped.log).not.toMatch(/forcing the stop/);
    expect((await sc('query', NAME)).state).toBe('STOPPED');
  }, 180_000);

  test('stored shorter than the exe\'s: the service forces its stop at the stored timeout and stop returns soon after', async () => {
    const built = file.ctx;
    await runningWithStored(built, '1s');

    const stopped = await stop(built);
    console.log(`[e2e] stop-timeout: stop with a stored 1 s timeout returned after ${stopped.seconds} s`);
    expect(stopped.code, `${stopped.stdout}\n${stopped.stderr}`).toBe(0);
    expect(stopped.log).toMatch(/stop handlers still running after 1000 ms; forcing the stop/);
    expect(stopped.log).not.toMatch(/stop handler done/);
    expect(stopped.seconds).toBeLessThan(1 + SLACK_S);
    expect((await sc('query', NAME)).state).toBe('STOPPED');
  }, 120_000);
});
