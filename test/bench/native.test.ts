/**
 * The benchmarks' native helpers (bench/native) under Wine: mingw-w64 builds them; floor-service
 * is a real service (start → RUNNING with a pid, stop → STOPPED), timed through the SCM API by
 * scm-timer; wrap-service hosts ping.exe the NSSM/WinSW way and ends it on stop; failures come
 * back promptly as ok:false with a Win32 error. The measured milliseconds are printed, never
 * asserted (machines are noisy).
 *
 * Wine missing FAILS these tests (e2eFile), as does a missing mingw-w64 (the build throws).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { summarize } from '../../bench/lib/stats';
import { buildNativeTools, timeServiceOp, type NativeTools, type TimerResult } from '../../bench/native/build';
import { listProcesses, processesMatching } from '../../bench/suites/service';
import { createServiceCommand, e2eFile, scratchDir, sleep, winPath } from '../e2e/wine';

const FLOOR = 'SvcpackBenchFloor';
const WRAP = 'SvcpackBenchWrap';
const WRAP_EXIT = 'SvcpackBenchWrapExit';
const WRAP_BAD = 'SvcpackBenchWrapBad';
const MISSING = 'SvcpackBenchMissing';

/** A ping count nobody else uses, so the wrapped ping can be told from the harness's keep-alive. */
const PING_COUNT = 2000 + (process.pid % 7000);
const PING_ARGS = `-n ${PING_COUNT} 127.0.0.1`;
const RUNS = 5;

let toolsDir: string | undefined;

const file = e2eFile({
  services: [FLOOR, WRAP, WRAP_EXIT, WRAP_BAD, MISSING],
  setup: async (): Promise<{ tools: NativeTools }> => {
    toolsDir = scratchDir('bench-native');
    const tools = await buildNativeTools(toolsDir, (m) => console.log(`[bench] ${m}`));
    return { tools };
  },
});

/** Linux pids of live (not zombie) processes whose command line contains `needle`. */
const pidsMatching = (needle: string): number[] => processesMatching(listProcesses(), [needle]).map((p) => p.pid);

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(50);
  }
}

function describeResult(r: TimerResult): string {
  return JSON.stringify(r);
}

function summary(samples: number[]): string {
  const { median, min, max } = summarize(samples);
  return `median ${median.toFixed(2)} ms (min ${min.toFixed(2)}, max ${max.toFixed(2)}; ${samples.map((s) => s.toFixed(2)).join(', ')})`;
}

describe('native benchmark helpers', () => {
  test('mingw-w64 builds three PE exes, and a second build reuses them', async () => {
    const { tools } = file.ctx;
    for (const exe of [tools.floorService, tools.wrapService, tools.scmTimer]) {
      const head = fs.readFileSync(exe).subarray(0, 2).toString('latin1');
      expect(head, exe).toBe('MZ');
    }
    expect(path.dirname(tools.floorService)).toMatch(/[/\\]native[/\\][0-9a-f]{64}$/);
    const t = performance.now();
    const again = await buildNativeTools(toolsDir!);
    console.log(`[bench] cached build lookup: ${Math.round(performance.now() - t)} ms`);
    expect(again).toEqual(tools);
  });

  test('floor-service: start → RUNNING (pid > 0) and stop → STOPPED, timed through the SCM API', { timeout: 180_000 }, async () => {
    const { tools } = file.ctx;
    await createServiceCommand(FLOOR, `"${winPath(tools.floorService)}"`);

    const starts: number[] = [];
    const stops: number[] = [];
    const methods: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = await timeServiceOp(tools, 'start', FLOOR);
      expect(start.ok, describeResult(start)).toBe(true);
      expect(start.state).toBe('RUNNING');
      expect(start.pid).toBeGreaterThan(0);
      starts.push(start.ms);
      methods.push(`start:${start.method}/${start.polls ?? 0}`);

      if (i === 0) {
        const q = await timeServiceOp(tools, 'query', FLOOR);
        expect(q.ok, describeResult(q)).toBe(true);
        expect(q.state).toBe('RUNNING');
        expect(q.pid).toBe(start.pid);
        console.log(`[bench] one QueryServiceStatusEx: ${q.ms.toFixed(3)} ms`);
      }

      const stop = await timeServiceOp(tools, 'stop', FLOOR);
      expect(stop.ok, describeResult(stop)).toBe(true);
      expect(stop.state).toBe('STOPPED');
      expect(stop.win32ExitCode).toBe(0);
      expect(stop.pid).toBe(start.pid);
      expect(stop.processExitMs, describeResult(stop)).toBeGreaterThanOrEqual(stop.ms);
      stops.push(stop.ms);
      methods.push(`stop:${stop.method}/${stop.polls ?? 0}`);
    }
    console.log(`[bench] floor-service start: ${summary(starts)}`);
    console.log(`[bench] floor-service stop:  ${summary(stops)}`);
    console.log(`[bench] detected by: ${methods.join(' ')}`);

    // The same transitions detected by each method, for comparison.
    for (const method of ['notify', 'poll'] as const) {
      const start = await timeServiceOp(tools, 'start', FLOOR, 30_000, { method });
      expect(start.ok, describeResult(start)).toBe(true);
      const stop = await timeServiceOp(tools, 'stop', FLOOR, 30_000, { method });
      expect(stop.ok, describeResult(stop)).toBe(true);
      console.log(
        `[bench] method ${method}: start ${start.ms.toFixed(2)} ms (${start.method}, ${start.polls} polls), ` +
          `stop ${stop.ms.toFixed(2)} ms (${stop.method}, ${stop.polls} polls)`,
      );
    }
  });

  test('wrap-service hosts ping.exe: start → RUNNING, stop → STOPPED and ping is gone', { timeout: 120_000 }, async () => {
    const { tools } = file.ctx;
    expect(pidsMatching(`ping.exe ${PING_ARGS}`)).toEqual([]);
    await createServiceCommand(WRAP, `"${winPath(tools.wrapService)}" C:\\windows\\system32\\ping.exe ${PING_ARGS}`);

    const start = await timeServiceOp(tools, 'start', WRAP);
    expect(start.ok, describeResult(start)).toBe(true);
    expect(start.state).toBe('RUNNING');
    expect(start.pid).toBeGreaterThan(0);
    await waitUntil('the wrapped ping runs', () => pidsMatching(`ping.exe ${PING_ARGS}`).length > 0, 10_000);

    const stop = await timeServiceOp(tools, 'stop', WRAP);
    expect(stop.ok, describeResult(stop)).toBe(true);
    expect(stop.state).toBe('STOPPED');
    expect(stop.win32ExitCode).toBe(0);
    expect(stop.processExitMs, describeResult(stop)).toBeDefined();
    await waitUntil('the wrapped ping is gone', () => pidsMatching(`ping.exe ${PING_ARGS}`).length === 0, 5_000);
    console.log(`[bench] wrap-service (ping): start ${start.ms.toFixed(2)} ms, stop ${stop.ms.toFixed(2)} ms (process gone at ${stop.processExitMs?.toFixed(2)} ms)`);
  });

  test("wrap-service reports the program's own exit code when it ends by itself", { timeout: 60_000 }, async () => {
    const { tools } = file.ctx;
    await createServiceCommand(WRAP_EXIT, `"${winPath(tools.wrapService)}" C:\\windows\\system32\\cmd.exe /c exit 3`);
    // cmd may already be gone by the time the timer looks (then start is a failure: STOPPED while
    // starting); either way the service ends STOPPED with cmd's exit code.
    const start = await timeServiceOp(tools, 'start', WRAP_EXIT);
    expect(['RUNNING', 'STOPPED'], describeResult(start)).toContain(start.state);
    let q = await timeServiceOp(tools, 'query', WRAP_EXIT);
    const deadline = performance.now() + 10_000;
    while (q.state !== 'STOPPED' && performance.now() < deadline) {
      await sleep(100);
      q = await timeServiceOp(tools, 'query', WRAP_EXIT);
    }
    expect(q.state, describeResult(q)).toBe('STOPPED');
    expect(q.win32ExitCode).toBe(1066); // ERROR_SERVICE_SPECIFIC_ERROR
    expect(q.serviceExitCode).toBe(3);
  });

  test('failures come back promptly as ok:false with a Win32 error', { timeout: 120_000 }, async () => {
    const { tools } = file.ctx;
    const timeoutMs = 60_000; // a hang would show as a wall time near this
    const timed = async (op: 'start' | 'stop', name: string): Promise<TimerResult & { wallMs: number }> => {
      const t = performance.now();
      const r = await timeServiceOp(tools, op, name, timeoutMs);
      return { ...r, wallMs: performance.now() - t };
    };

    // The service's exe does not exist.
    await createServiceCommand(MISSING, `"${winPath(path.join(toolsDir!, 'no-such-service.exe'))}"`);
    const missing = await timed('start', MISSING);
    expect(missing.ok, describeResult(missing)).toBe(false);
    expect(missing.error).toMatch(/^\d+ \S/);
    expect(missing.state).toBe('STOPPED');
    expect(missing.wallMs).toBeLessThan(20_000);

    // The service starts but ends while starting: wrap-service cannot start its program.
    await createServiceCommand(WRAP_BAD, `"${winPath(tools.wrapService)}" C:\\no\\such\\program.exe`);
    const bad = await timed('start', WRAP_BAD);
    expect(bad.ok, describeResult(bad)).toBe(false);
    expect(bad.error).toMatch(/^\d+ \S/);
    expect(bad.state).toBe('STOPPED');
    expect(bad.win32ExitCode).toBe(2); // ERROR_FILE_NOT_FOUND, reported by the wrapper
    expect(bad.wallMs).toBeLessThan(20_000);

    // Stopping a service that is not running; a service that does not exist.
    const notActive = await timed('stop', MISSING);
    expect(notActive.ok).toBe(false);
    expect(notActive.error).toMatch(/^1062 /); // ERROR_SERVICE_NOT_ACTIVE
    const unknown = await timed('start', 'SvcpackBenchNoSuchService');
    expect(unknown.ok).toBe(false);
    expect(unknown.error).toMatch(/^1060 /); // ERROR_SERVICE_DOES_NOT_EXIST
    expect(unknown.state).toBe('UNKNOWN');

    console.log(
      `[bench] failures: missing exe ${missing.ms.toFixed(2)} ms (${missing.error}); ` +
        `wrapper without program ${bad.ms.toFixed(2)} ms (${bad.error}, win32ExitCode ${bad.win32ExitCode})`,
    );
  });
});
