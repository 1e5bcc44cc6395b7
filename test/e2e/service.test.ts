/**
 * hello-http end to end under Wine: the built exe's VERSIONINFO, the service lifecycle through
 * Wine's SCM (sc create/start/stop), `run` in a console stopped by Ctrl+C, and the exe's
 * `--service`-outside-the-SCM and `version` commands. The fixture is built once for the file.
 *
 * hello-http as a service listens on 8080: a service gets no custom environment under Wine, so its
 * PORT cannot be changed (docs/wine10-facts.md, What a started service gets). `run` is started
 * directly and does get PORT.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  buildFixture,
  createService,
  e2eFile,
  ensurePortFree,
  expectInOrder,
  httpGet,
  lineIndex,
  readText,
  readVersionInfo,
  repoRoot,
  runExe,
  sc,
  spawnExe,
  waitForHttp,
  waitForState,
  waitForText,
  wine,
  winPath,
  type BuiltFixture,
} from './wine';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';

const NAME = 'SvcpackE2EHello';
const SERVICE_PORT = 8080; // hello-http's default; fixed for a service under Wine
const RUN_PORT = 18085;
const OPTIONS = {
  version: '1.4.2.7',
  displayName: 'Svcpack E2E Hello',
  description: 'svcpack e2e: hello-http as a Windows service',
  company: 'Svcpack E2E Ltd',
  productName: 'Svcpack E2E Product',
  copyright: '(c) 2026 svcpack e2e',
};

const file = e2eFile({ services: [NAME], setup: () => buildFixture('hello-http', NAME, OPTIONS) });

describe('hello-http exe', () => {
  let hello: BuiltFixture;
  beforeEach(() => {
    hello = file.ctx;
  });

  test('carries the VERSIONINFO given to build', () => {
    const info = readVersionInfo(hello.exe);
    expect(info.fileVersion).toBe('1.4.2.7');
    expect(info.productVersion).toBe('1.4.2.7');
    expect(info.strings).toMatchObject({
      FileVersion: '1.4.2.7',
      ProductVersion: '1.4.2.7',
      OriginalFilename: `${NAME}.exe`,
      InternalName: NAME,
      FileDescription: OPTIONS.description,
      CompanyName: OPTIONS.company,
      ProductName: OPTIONS.productName,
      LegalCopyright: OPTIONS.copyright,
    });
  });

  test('runs as a service: sc start → RUNNING → HTTP ok → sc stop → graceful STOPPED (exit 0)', async () => {
    await createService(NAME, hello.exe);
    // What the SCM stored: the quoted exe path and --service, exactly as install.cmd registers it.
    const reg = await wine(['reg', 'query', `HKLM\\System\\CurrentControlSet\\Services\\${NAME}`, '/v', 'ImagePath']);
    expect(reg.stdout).toContain(`"${winPath(hello.exe)}" --service`);

    await ensurePortFree(SERVICE_PORT);
    const startAt = performance.now();
    const started = await sc('start', NAME);
    const scStartMs = Math.round(performance.now() - startAt);
    expect(started.code, started.text).toBe(0);
    expect(['START_PENDING', 'RUNNING']).toContain(started.state);
    const running = await waitForState(NAME, 'RUNNING', 20_000, { since: startAt });
    expect(running.win32ExitCode).toBe(0);

    expect(await httpGet(`http://127.0.0.1:${SERVICE_PORT}/`)).toBe('ok');

    const stopAt = performance.now();
    const stopping = await sc('stop', NAME);
    expect(stopping.code, stopping.text).toBe(0);
    const stopped = await waitForState(NAME, 'STOPPED', 10_000, { since: stopAt });
    expect(stopped.win32ExitCode, stopped.text).toBe(0);
    expect(stopped.serviceExitCode, stopped.text).toBe(0);

    console.log(
      `[e2e] hello-http service: sc start returned in ${scStartMs} ms (state ${started.state}), ` +
        `sc start → RUNNING ${running.ms} ms; sc stop → STOPPED ${stopped.ms} ms (sc stop said ${stopping.state})`,
    );

    // The SCM has the STOPPED report; the last log line may still be on its way.
    const log = await waitForText(hello.logFile, /\[lifecycle\] stopped\b/, 5_000);
    expectInOrder(log, [
      /\[lifecycle\] starting/,
      /\[stdout\] listening on http:\/\/127\.0\.0\.1:8080/,
      /\[lifecycle\] running/,
      /\[lifecycle\] stopping \(stop\)/,
      /\[stdout\] SIGTERM: closing the server/,
      /\[stdout\] server closed/,
      /\[lifecycle\] stopped\b/,
    ]);
    // Every record has the documented shape: ISO time, level, [source].
    for (const line of log.trim().split('\n')) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info |warn |error) \[\w+\] /);

    // The process has gone: nothing answers any more.
    await ensurePortFree(SERVICE_PORT, 5_000);
  });

  test('run: serves in the console and stops gracefully on Ctrl+C (exit 0)', async () => {
    // Wine turns SIGINT sent to a Windows process into CTRL_C_EVENT for its console control
    // handlers (ntdll's SIGINT handler starts a thread running the CtrlRoutine), which is where
    // libuv picks up Ctrl+C and Node emits 'SIGINT'. So `kill -INT` on the Wine process is a real
    // Ctrl+C to the exe, through the same handler a Windows console would call.
    const marker = path.join(hello.outDir, 'run-marker.txt');
    await ensurePortFree(RUN_PORT);
    const p = spawnExe(hello.exe, ['run'], { env: { PORT: String(RUN_PORT), MARKER_FILE: winPath(marker) } });
    try {
      const t0 = performance.now();
      expect(await waitForHttp(`http://127.0.0.1:${RUN_PORT}/`, 20_000)).toBe('ok');
      const upMs = Math.round(performance.now() - t0);
      await waitForText(p.stderrFile, /\[lifecycle\] running/, 5_000);

      const sigAt = performance.now();
      process.kill(p.pid, 'SIGINT');
      const exit = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      const stopMs = Math.round(performance.now() - sigAt);
      console.log(`[e2e] run: answering HTTP ${upMs} ms after spawn; Ctrl+C → exit ${stopMs} ms`);

      const out = p.stdout();
      const err = p.stderr();
      const detail = `exit: ${JSON.stringify(exit)}\nstdout:\n${out}\nstderr:\n${err}`;
      expect(exit, detail).toEqual({ code: 0, signal: null });
      expect(lineIndex(out, /SIGTERM: closing the server/), detail).toBeGreaterThanOrEqual(0);
      expect(lineIndex(out, /server closed/), detail).toBeGreaterThan(lineIndex(out, /SIGTERM: closing the server/));
      expect(err, detail).toMatch(/\[lifecycle\] stopping \(console\)/);
      expect(err, detail).not.toMatch(/forcing/);
      expect(readText(marker)).toBe('graceful stop\n');
    } finally {
      await p.kill();
    }
  });

  test('--service outside the SCM exits 2 with one line naming error 1063 and "run"', async () => {
    // Under Wine, StartServiceCtrlDispatcherW opens the control pipe of the most recently started
    // service (HKLM\System\CurrentControlSet\Control\ServiceCurrent); when that pipe still exists
    // (e.g. a winedevice service) it waits ~10 s for it (WaitNamedPipe, ERROR_SEM_TIMEOUT) before
    // failing with 1063. Windows fails at once. Hence the generous timeout; after the service test
    // above (whose pipe is gone once it stopped) it takes ~0.3 s.
    const t = performance.now();
    const r = await runExe(hello.exe, ['--service'], { timeoutMs: 25_000 });
    console.log(`[e2e] --service outside the SCM: exit ${r.code} after ${Math.round(performance.now() - t)} ms`);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split(/\r?\n/);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain('1063');
    expect(lines[0]).toContain(`${NAME}.exe run`);
    expect(lines[0]).toMatch(new RegExp(`^${NAME}: `));
  });

  test('version prints the name, version, svcpack and Node.js versions', async () => {
    const r = await runExe(hello.exe, ['version']);
    expect(r.code, r.stderr).toBe(0);
    const svcpackVersion = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
    expect(hello.record.node.version).toBe(DEFAULT_NODE_VERSION);
    expect(r.stdout.trim()).toBe(`${NAME} 1.4.2.7 (svcpack ${svcpackVersion}, Node.js v${hello.record.node.version})`);
  });
});
