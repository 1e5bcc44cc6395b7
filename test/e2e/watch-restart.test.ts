/**
 * `svcpack build --watch --restart` end to end under Wine, through the API (`watchBuild` with the
 * Wine ServiceHost, test/support/wine.ts): hello-http installed as a service from the build's own
 * output folder (as install.cmd registers it), a watch session started, the source edited, and
 * HTTP polled until the service serves the new text — so the service was stopped, its exe
 * replaced and started again by the exe's own commands. Then the watcher stops and the service
 * is removed. Also: a service that is not installed is said so and watching goes on.
 *
 * hello-http as a service listens on 8080 (a service gets no custom environment under Wine).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { watchBuild, type RebuildReport } from '../../src/watch/watch-build';
import { rebuildLine } from '../../src/watch/watch-line';
import { createService, e2eFile, ensurePortFree, fixturesDir, httpGet, regQuery, removeService, sc, scratchDir, sleep, waitForHttp, waitForState, wineServiceHost, winPath } from './wine';

const NAME = 'SvcpackE2EWatch';
const URL = 'http://127.0.0.1:8080/';

/** A copy of fixtures/hello-http to edit: its folder and entry. */
function helloProject(): { dir: string; entry: string } {
  const dir = scratchDir('watch-project');
  for (const f of ['app.ts', 'package.json']) fs.copyFileSync(path.join(fixturesDir, 'hello-http', f), path.join(dir, f));
  return { dir, entry: path.join(dir, 'app.ts') };
}

const file = e2eFile({ services: [NAME], setup: async () => true });

async function until(check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

describe('svcpack build --watch --restart under Wine', () => {
  test('an edit of the source reaches the installed, running service: stopped, exe replaced, started', { timeout: 240_000 }, async () => {
    expect(file.ctx).toBe(true);
    const { dir, entry } = helloProject();
    const outDir = path.join(dir, 'dist');
    const exe = path.join(outDir, `${NAME}.exe`);
    const reports: RebuildReport[] = [];
    const watcher = await watchBuild({ entry, name: NAME, outDir, cwd: dir }, {
      restart: wineServiceHost(),
      onRebuild: (r) => {
        reports.push(r);
        process.stdout.write(`[e2e] ${rebuildLine(r, NAME)}`);
      },
    });
    try {
      // The first build finds no service: it says so, and watching goes on.
      expect(reports).toEqual([expect.objectContaining({ ok: true, first: true, restart: { kind: 'not-installed' } })]);
      expect(rebuildLine(reports[0]!, NAME, { installHint: 'dist\\install.cmd' })).toMatch(
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d built ${NAME}\\.exe in \\d+\\.\\d\\d s; ${NAME} is not installed — run dist\\\\install\\.cmd once; not restarted\\n$`),
      );

      // Installed from the output folder, as install.cmd does, and running.
      await createService(NAME, exe);
      await ensurePortFree(8080);
      expect((await sc('start', NAME)).code).toBe(0);
      await waitForState(NAME, 'RUNNING', 30_000);
      expect(await waitForHttp(URL, 30_000)).toBe('ok');

      // The edit: the service must come back serving the new text.
      fs.writeFileSync(entry, fs.readFileSync(entry, 'utf8').replace("res.end('ok')", "res.end('watched v2')"));
      await until(async () => (await httpGet(URL, 1_000)) === 'watched v2', 'the service to serve the edited text', 120_000);
      // The service may answer before `start` (waiting for RUNNING) has returned and the build is reported.
      await until(() => reports.length >= 2, 'the rebuild to be reported', 30_000);
      const rebuilt = reports.find((r) => !r.first && r.ok);
      expect(rebuilt?.restart).toMatchObject({ kind: 'restarted' });
      expect(rebuildLine(rebuilt!, NAME)).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d rebuilt ${NAME}\\.exe in \\d+\\.\\d\\d s, restarted ${NAME} in \\d+\\.\\d s\\n$`));
      expect(reports.every((r) => r.ok)).toBe(true);
      // Replaced in place: the service still runs the output exe.
      const registered = await regQuery(`HKLM\\System\\CurrentControlSet\\Services\\${NAME}`);
      expect(registered?.ImagePath?.data).toBe(`"${winPath(exe)}" --service`);
    } finally {
      await watcher.stop();
    }
    // Stopped watching: the service keeps running the last build, until it is removed.
    expect(await httpGet(URL, 2_000)).toBe('watched v2');
    await removeService(NAME);
    expect((await sc('query', NAME)).state).toBeUndefined();
  });
});
