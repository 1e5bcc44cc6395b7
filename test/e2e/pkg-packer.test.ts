/**
 * `--packer pkg` end to end under Wine: fixtures/pkg-assets depends on a package that reads its
 * own greeting.txt at run time (invisible to a bundler). pkg's virtual file system must serve it
 * inside the service, and the same resedit pass must have written the version resources.
 */
import { describe, expect, test } from 'vitest';
import {
  buildFixture,
  createService,
  e2eFile,
  ensurePortFree,
  waitForHttp,
  lineIndex,
  readVersionInfo,
  sc,
  waitForState,
  waitForText,
} from './wine';

const NAME = 'SvcpackE2EPkg';
const PORT = 18090; // hard-coded in fixtures/pkg-assets/app.ts

const file = e2eFile({ services: [NAME], setup: () => buildFixture('pkg-assets', NAME, { packer: 'pkg' }) });

describe('--packer pkg', () => {
  test('the exe carries the version resources and records the packer', () => {
    const built = file.ctx;
    expect(built.record.packer).toBe('pkg');
    const info = readVersionInfo(built.exe);
    expect(info.strings).toMatchObject({ FileVersion: '3.1.4.0', OriginalFilename: `${NAME}.exe`, InternalName: NAME });
  });

  test('runs as a service and reads a dependency file from pkg’s virtual file system', async () => {
    const built = file.ctx;
    await createService(NAME, built.exe);
    await ensurePortFree(PORT);
    const startAt = performance.now();
    expect((await sc('start', NAME)).code).toBe(0);
    const running = await waitForState(NAME, 'RUNNING', 20_000, { since: startAt });
    console.log(`[e2e] pkg: sc start → RUNNING ${running.ms} ms`);
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 10_000)).toBe('hello from a package file');

    const stopAt = performance.now();
    expect((await sc('stop', NAME)).code).toBe(0);
    const stopped = await waitForState(NAME, 'STOPPED', 20_000, { since: stopAt });
    console.log(`[e2e] pkg: sc stop → STOPPED ${stopped.ms} ms`);
    expect(stopped.win32ExitCode, stopped.text).toBe(0);

    const log = await waitForText(built.logFile, /\[lifecycle\] stopped/, 5_000);
    const order = [/greeting: hello from a package file/, /\[lifecycle\] running/, /server closed/, /\[lifecycle\] stopped/].map((re) =>
      lineIndex(log, re),
    );
    expect(order.every((i) => i >= 0), log).toBe(true);
    expect([...order].sort((a, b) => a - b), log).toEqual(order);
  });
});
