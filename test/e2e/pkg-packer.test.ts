/**
 * `--packer pkg` end to end under Wine: fixtures/pkg-assets depends on a package that reads its
 * own greeting.txt at run time (invisible to a bundler). pkg's virtual file system must serve it
 * inside the service, and the same resedit pass must have written the version resources.
 */
import { describe, expect, test } from 'vitest';
import { buildFixture, e2eFile, expectInOrder, readVersionInfo, sc, startService, waitForHttp, waitForState, waitForText } from './wine';

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
    const { running } = await startService(NAME, built.exe, { port: PORT });
    console.log(`[e2e] pkg: sc start → RUNNING ${running.ms} ms`);
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 10_000)).toBe('hello from a package file');

    const stopAt = performance.now();
    expect((await sc('stop', NAME)).code).toBe(0);
    const stopped = await waitForState(NAME, 'STOPPED', 20_000, { since: stopAt });
    console.log(`[e2e] pkg: sc stop → STOPPED ${stopped.ms} ms`);
    expect(stopped.win32ExitCode, stopped.text).toBe(0);

    const log = await waitForText(built.logFile, /\[lifecycle\] stopped/, 5_000);
    expectInOrder(log, [/greeting: hello from a package file/, /\[lifecycle\] running/, /server closed/, /\[lifecycle\] stopped/]);
  });
});
