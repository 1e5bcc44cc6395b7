/**
 * Operating the running service under Wine's SCM: the exit-code policy of
 * supervised mode, the four hooks, and alerts to a webhook. Every setting is given the way an
 * admin would: `MySvc.exe install --flags` and `MySvc.exe config set`, over an exe built with
 * svcpack's defaults (fixtures/operate: an app that exits with the codes its arguments name).
 *
 * - exit codes (supervised): success code → STOPPED exit 0, not restarted; restart code →
 *   restarted; any other code → STOPPED with that service exit code (1066 / N).
 * - hooks (in-process): order and variables of pre-start, post-start, pre-stop, post-stop; a
 *   pre-start that exits 1 aborts the start (exit code 3, one log line); a pre-stop that overruns
 *   the stop timeout is ended with its process tree and the stop still ends within the timeout.
 * - alerts (supervised): crash, restart, crash, give-up reach a receiver on the Linux side as JSON,
 *   the first attempt (answered 500, late: its retry comes after the give-up) is retried, and the
 *   URL's token never reaches the log.
 */
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { besidesWineScmWarnings, buildFixture, e2eFile, ensurePortFree, readText, removeService, runExe, sc, scratchDir, sleep, waitForState, waitForText, winPath, type BuiltFixture } from './wine';

const CODES = 'SvcpackE2EOpCodes';
const HOOKS = 'SvcpackE2EOpHooks';
const ALERT = 'SvcpackE2EOpAlert';
const HOOKS_PORT = 18850;
const RECEIVER_PORT = 18851;
const STOP_TIMEOUT_MS = 3_000;
const SECRET = 'tok3n-s3cret-e2e';

// The services are installed once, in parallel (below), and changed between tests with `config
// set`: this file removes them itself at the end rather than after each test.
const file = e2eFile({
  services: [],
  setup: async () => {
    const [codes, hooks, alert] = await Promise.all([
      buildFixture('operate', CODES),
      buildFixture('operate', HOOKS),
      buildFixture('operate', ALERT),
    ]);
    const scratch = scratchDir('operate');
    return { codes, hooks, alert, scratch, codesHooks: path.join(scratch, 'codes-hooks.txt'), hooksOut: path.join(scratch, 'hooks.txt') };
  },
});

const ALERT_URL = `http://127.0.0.1:${RECEIVER_PORT}/alerts?token=${SECRET}`;
let alertInstallOutput = '';

// After e2eFile's beforeAll (the Wine SCM is up): every setting through install flags, some through config set.
beforeAll(async () => {
  const { codes, hooks, alert, codesHooks, hooksOut } = file.ctx;
  await Promise.all([
    (async () => {
      // Runs exit with 3 (restart code), 0 (success code), then 7 (neither).
      await exe(codes, 'install', '--start-type', 'manual', '--supervise', 'true', '--restart-exit-codes', '3', '--restart-delay', '200ms', '--event-log', 'false',
        '--pre-start', appendHook(codesHooks), '--post-start', appendHook(codesHooks), '--arg', 'codes=3,0,7', '--arg', 'exit-after=800');
      await exe(codes, 'config', 'set', 'success-exit-codes', '0');
    })(),
    (async () => {
      // A roomy stop timeout first: under Wine each cmd.exe hook takes about a second to run.
      await exe(hooks, 'install', '--start-type', 'manual', '--stop-timeout', '20s', '--event-log', 'false', '--hook-timeout', '10s',
        '--pre-start', appendHook(hooksOut), '--post-start', appendHook(hooksOut), '--arg', `port=${HOOKS_PORT}`);
      await Promise.all([exe(hooks, 'config', 'set', 'pre-stop', appendHook(hooksOut)), exe(hooks, 'config', 'set', 'post-stop', appendHook(hooksOut))]);
    })(),
    (async () => {
      alertInstallOutput = await exe(alert, 'install', '--start-type', 'manual', '--supervise', 'true', '--max-restarts', '1', '--restart-delay', '200ms', '--restart-window', '1m',
        '--event-log', 'false', '--alert-url', ALERT_URL, '--arg', 'codes=5', '--arg', 'exit-after=500');
    })(),
  ]);
}, 180_000);

afterAll(async () => {
  for (const name of [CODES, HOOKS, ALERT]) await removeService(name);
});

/** `MySvc.exe <args>` under Wine; fails the test on a non-zero exit or unexpected stderr. */
async function exe(built: BuiltFixture, ...args: string[]): Promise<string> {
  const r = await runExe(built.exe, args, { timeoutMs: 60_000, tag: `${args[0]}-${Math.random().toString(36).slice(2, 8)}` });
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  expect(besidesWineScmWarnings(r.stderr), args.join(' ')).toBe('');
  return r.stdout;
}

/** Appends `<hook> <stop reason> <exit code>` to `out`: the variables each hook gets. */
const appendHook = (out: string) => `echo %SVCPACK_HOOK% %SVCPACK_STOP_REASON% %SVCPACK_EXIT_CODE% %SVCPACK_SERVICE% >> ${winPath(out)}`;

/** Linux pids of Wine processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('exit-code policy (supervised)', () => {
  test('a success code ends the service cleanly, a restart code restarts the app, any other code fails the service with it', async () => {
    const { codes, codesHooks: started } = file.ctx;
    expect((await sc('start', CODES)).code).toBe(0);
    await waitForText(codes.logFile, /app exited with success code 0: stopping the service/, 20_000);
    const clean = await waitForState(CODES, 'STOPPED', 10_000);
    expect(clean.win32ExitCode).toBe(0);
    let log = readText(codes.logFile);
    expect(log).toMatch(/\[supervisor\] app exited unexpectedly with code 3 after/);
    expect(log).toMatch(/\[supervisor\] restarting the app in 0\.2 s \(restart 1\)/);
    expect([...log.matchAll(/\[stdout\] run (\d+)/g)].map((m) => m[1])).toEqual(['1', '2']); // no restart after the success code
    // The supervised start hooks: pre-start before the first child only, post-start once RUNNING.
    expect(readText(started).split(/\r?\n/).filter(Boolean).map((l) => l.trim().split(/\s+/)[0])).toEqual(['preStart', 'postStart']);

    expect((await sc('start', CODES)).code).toBe(0);
    const failed = await waitForState(CODES, 'STOPPED', 20_000, { pollMs: 200 });
    log = readText(codes.logFile);
    expect(log).toMatch(/\[supervisor\] app exit code 7 is neither a success nor a restart exit code: stopping the service as failed/);
    expect(failed.win32ExitCode).toBe(1066);
    expect(failed.serviceExitCode).toBe(7);
    expect([...log.matchAll(/\[stdout\] run (\d+)/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
  }, 90_000);
});

describe('hooks (in-process)', () => {
  test('pre-start, post-start, pre-stop and post-stop run in order with their variables', async () => {
    const { hooks, hooksOut: out } = file.ctx;
    await ensurePortFree(HOOKS_PORT);
    expect((await sc('start', HOOKS)).code).toBe(0);
    await waitForState(HOOKS, 'RUNNING', 20_000);
    await waitForText(out, /postStart/, 10_000);
    expect((await sc('stop', HOOKS)).code).toBe(0);
    expect((await waitForState(HOOKS, 'STOPPED', 10_000)).win32ExitCode).toBe(0);
    const lines = readText(out).split(/\r?\n/).filter(Boolean).map((l) => l.trim().split(/\s+/));
    expect(lines.map((l) => l[0])).toEqual(['preStart', 'postStart', 'preStop', 'postStop']);
    expect(lines.every((l) => l.at(-1) === HOOKS)).toBe(true);
    expect(lines[2]![1]).toBe('stop'); // SVCPACK_STOP_REASON
    expect(lines[3]!.slice(1, 3)).toEqual(['stop', '0']); // post-stop: the reason and the app's exit code
    const log = readText(hooks.logFile);
    expect(log).toMatch(/\[lifecycle\] the pre-stop hook finished in/);
  }, 90_000);

  test('a pre-start that exits 1 aborts the start with exit code 3 and one log line', async () => {
    const { hooks } = file.ctx;
    await exe(hooks, 'config', 'set', 'pre-start', 'exit /b 1');
    const before = readText(hooks.logFile).length;
    expect((await sc('start', HOOKS)).code).toBe(0);
    const stopped = await waitForState(HOOKS, 'STOPPED', 15_000);
    expect(stopped.win32ExitCode).toBe(1066);
    expect(stopped.serviceExitCode).toBe(3);
    const log = readText(hooks.logFile).slice(before);
    expect(log).toMatch(/\[lifecycle\] the pre-start hook exited with code 1: the service does not start/);
    expect(log).not.toMatch(/\[stdout\] run \d+/); // the app never ran
  }, 60_000);

  test('a pre-stop that overruns the stop timeout is ended and the stop still ends within it', async () => {
    const { hooks } = file.ctx;
    await Promise.all([
      exe(hooks, 'config', 'reset', 'pre-start'),
      exe(hooks, 'config', 'set', 'pre-stop', 'ping -n 41 127.0.0.1 >nul'),
      exe(hooks, 'config', 'set', 'post-stop', 'none'),
      exe(hooks, 'config', 'set', 'stop-timeout', `${STOP_TIMEOUT_MS}ms`),
    ]);
    await ensurePortFree(HOOKS_PORT);
    expect((await sc('start', HOOKS)).code).toBe(0);
    await waitForState(HOOKS, 'RUNNING', 20_000);
    const t0 = performance.now();
    const before = readText(hooks.logFile).length;
    await sc('stop', HOOKS);
    await waitForText(hooks.logFile, /running the pre-stop hook/, 5_000);
    // The log line comes before the hook's cmd.exe has started ping (≈ 150 ms later under Wine).
    for (let i = 0; i < 20 && processesMatching('ping -n 41').length === 0; i++) await sleep(100);
    expect(processesMatching('ping -n 41').length).toBeGreaterThan(0);
    const stopped = await waitForState(HOOKS, 'STOPPED', STOP_TIMEOUT_MS + 10_000);
    const elapsed = performance.now() - t0;
    const log = readText(hooks.logFile).slice(before);
    // The service's own view (its log's times), free of the time Wine's sc.exe takes to start under load.
    const at = (re: RegExp) => Date.parse(log.split('\n').find((l) => re.test(l))!.split(' ')[0]!);
    const inService = at(/\[lifecycle\] stopped$/) - at(/\[lifecycle\] stopping \(stop\)$/);
    console.log(`[e2e] overrunning pre-stop: stopping → stopped in ${inService} ms in the service log, sc stop → STOPPED ${Math.round(elapsed)} ms (stop timeout ${STOP_TIMEOUT_MS} ms)`);
    expect(stopped.win32ExitCode).toBe(0);
    expect(inService).toBeLessThan(STOP_TIMEOUT_MS + 500);
    expect(elapsed).toBeLessThan(STOP_TIMEOUT_MS + 10_000);
    expect(log).toMatch(/\[lifecycle\] the pre-stop hook was ended: the stop timeout ran out/);
    expect(log).toMatch(/\[lifecycle\] stop handlers still running after 3000 ms; forcing the stop/);
    for (let i = 0; i < 20 && processesMatching('ping -n 41').length > 0; i++) await sleep(250);
    expect(processesMatching('ping -n 41')).toEqual([]);
  }, 60_000);
});

describe('alerts (supervised)', () => {
  test('crash, restart and give-up reach the webhook as JSON, a failed attempt is retried, the token is never logged', async () => {
    const { alert } = file.ctx;
    const received: Array<{ at: number; url: string; body: Record<string, unknown> }> = [];
    let requests = 0;
    const receiver = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        requests++;
        if (requests === 1) {
          // The first attempt fails, late: its retry comes after the app's second crash and the
          // give-up, so the service has reported STOPPED with all four alerts still queued and
          // must hold its process until they went out (it once exited mid-backoff and lost them,
          // depending on how fast the app restarted).
          setTimeout(() => {
            res.statusCode = 500;
            res.end('try again');
          }, 1_000);
          return;
        }
        received.push({ at: performance.now(), url: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, '127.0.0.1', resolve));
    try {
      expect(alertInstallOutput).not.toContain(SECRET);

      expect((await sc('start', ALERT)).code).toBe(0);
      const gaveUp = await waitForState(ALERT, 'STOPPED', 20_000, { pollMs: 200 });
      expect(gaveUp.serviceExitCode).toBe(4);
      for (const deadline = performance.now() + 20_000; received.length < 4 && performance.now() < deadline; ) await sleep(100);
      expect(received.map((r) => r.body.event)).toEqual(['crash', 'restart', 'crash', 'give-up']);
      expect(requests).toBe(5);
      for (const { url: path, body } of received) {
        expect(path).toBe(`/alerts?token=${SECRET}`);
        expect(body).toMatchObject({ service: ALERT, host: expect.any(String), pid: expect.any(Number) });
        expect(Number.isNaN(Date.parse(String(body.time)))).toBe(false);
      }
      expect(received[0]!.body).toMatchObject({ exitCode: 5, message: expect.stringMatching(/^app exited unexpectedly with code 5 after/) });
      expect(received[1]!.body).toMatchObject({ attempt: 1, exitCode: 5 });
      expect(received[3]!.body.message).toMatch(/^giving up: the app ended 2 times within 60 s/);

      const log = readText(alert.logFile);
      expect(log).toMatch(/giving up/);
      expect(log).not.toContain(SECRET);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  }, 90_000);
});
