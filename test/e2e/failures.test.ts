/**
 * Service failure paths under Wine's SCM (docs/architecture.md, The lifecycle): an app that crashes
 * with an uncaught exception ends STOPPED with ERROR_SERVICE_SPECIFIC_ERROR and a non-zero service
 * exit code, and a stop handler that never finishes is forced after the stop timeout. Each fixture
 * is built once.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildFixture,
  createService,
  e2eFile,
  ensurePortFree,
  expectInOrder,
  fixturesDir,
  lineOf,
  sc,
  startService,
  waitForState,
  waitForText,
} from './wine';

const CRASH = 'SvcpackE2ECrash';
const CRASH_PORT = 18082; // hard-coded in fixtures/crash/app.ts
const SLOW = 'SvcpackE2ESlowStop';
const SLOW_PORT = 18083; // hard-coded in fixtures/slow-stop/app.ts
const STOP_TIMEOUT_MS = 2_000;
const ERROR_SERVICE_SPECIFIC_ERROR = 1066;

const file = e2eFile({
  services: [CRASH, SLOW],
  setup: async () => {
    const [crash, slow] = await Promise.all([
      buildFixture('crash', CRASH),
      buildFixture('slow-stop', SLOW, { stopTimeout: STOP_TIMEOUT_MS }),
    ]);
    return { crash, slow };
  },
});

describe('service failures', () => {
  test('an uncaught exception stops the service with WIN32_EXIT_CODE 1066 and a source-mapped stack', async () => {
    const { crash } = file.ctx;
    await createService(CRASH, crash.exe);
    await ensurePortFree(CRASH_PORT);

    const startAt = performance.now();
    const started = await sc('start', CRASH);
    expect(started.code, started.text).toBe(0);
    const stopped = await waitForState(CRASH, 'STOPPED', 20_000, { since: startAt });
    console.log(`[e2e] crash: sc start → STOPPED after the crash ${stopped.ms} ms`);
    expect(stopped.win32ExitCode, stopped.text).toBe(ERROR_SERVICE_SPECIFIC_ERROR);
    expect(stopped.serviceExitCode, stopped.text).toBeGreaterThan(0);
    // It crashed ~1 s after start, not during start.
    expect(stopped.ms).toBeGreaterThanOrEqual(900);

    const log = await waitForText(crash.logFile, /stopped after failure/, 5_000);
    // The frame names the TypeScript source and the line of the `throw` (source maps are on).
    const throwLine = lineOf(path.join(fixturesDir, 'crash', 'app.ts'), 'CRASH_LINE');
    expect(log).toMatch(/\[lifecycle\] uncaught exception: Error: crash fixture: deliberate uncaught error/);
    expect(log).toMatch(new RegExp(`^\\S+ error \\[lifecycle\\]\\s+at .*\\bapp\\.ts:${throwLine}:\\d+\\)?$`, 'm'));
    expectInOrder(log, [
      /\[lifecycle\] running/,
      /\[lifecycle\] uncaught exception/,
      new RegExp(`app\\.ts:${throwLine}:`),
      new RegExp(`stopped after failure \\(exit code ${stopped.serviceExitCode}\\)`),
    ]);

    await ensurePortFree(CRASH_PORT, 5_000); // the process is gone
  });

  test('a stop handler that never finishes is forced after the stop timeout (STOPPED, exit 0)', async () => {
    const { slow } = file.ctx;
    const { running } = await startService(SLOW, slow.exe, { port: SLOW_PORT });
    await waitForText(slow.logFile, /slow-stop fixture listening/, 5_000);

    const stopAt = performance.now();
    const stopping = await sc('stop', SLOW);
    expect(stopping.code, stopping.text).toBe(0);
    // While the handler hangs the service reports STOP_PENDING with progress.
    const pending = await sc('query', SLOW);
    expect(pending.state, pending.text).toBe('STOP_PENDING');
    expect(pending.waitHint ?? 0).toBeGreaterThan(0);

    const stopped = await waitForState(SLOW, 'STOPPED', STOP_TIMEOUT_MS + 4_000, { since: stopAt });
    console.log(
      `[e2e] slow-stop: sc start → RUNNING ${running.ms} ms; sc stop → STOPPED ${stopped.ms} ms (stop timeout ${STOP_TIMEOUT_MS} ms)`,
    );
    expect(stopped.ms).toBeGreaterThanOrEqual(STOP_TIMEOUT_MS - 100);
    expect(stopped.ms).toBeLessThanOrEqual(STOP_TIMEOUT_MS + 3_000);
    expect(stopped.win32ExitCode, stopped.text).toBe(0);
    expect(stopped.serviceExitCode, stopped.text).toBe(0);

    const log = await waitForText(slow.logFile, /\[lifecycle\] stopped\b/, 5_000);
    expectInOrder(log, [
      /\[lifecycle\] stopping \(stop\)/,
      /\[app\] stop requested \(stop\); this handler never finishes/,
      new RegExp(`warn  \\[lifecycle\\] stop handlers still running after ${STOP_TIMEOUT_MS} ms; forcing the stop`),
      /\[lifecycle\] stopped\b/,
    ]);

    await ensurePortFree(SLOW_PORT, 5_000); // the process is gone
  });
});
