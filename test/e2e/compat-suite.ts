/**
 * The Wine machinery of the compatibility suites (compat.test.ts, compat-runtime.test.ts,
 * compat-hooks.test.ts): each app of a fixture (`<fixture>/apps/<app>.ts` unless it names its entry; the fixture's packages
 * installed as users install them: a plain `npm install` on Linux, `npm ci` here through
 * test/support/fixture-deps.ts) is built with svcpack on its default Node, registered with Wine's SCM, started, probed over HTTP (each app's
 * `/probe` exercises its package and answers `{ ok: true, … }`) and stopped gracefully (STOPPED,
 * exit codes 0/0). The apps are built two at a time (two cores) while Wine starts, and run one
 * after another in one Wine session. The figures docs/compatibility.md's tables show are
 * printed at the end. What the Linux suite shares with it (app shapes, names, builds, the
 * PostgreSQL companion, the table row) is test/support/compat.ts.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { buildCompatApps, compatRuns, figuresRow, startHostCompanion, type BuiltApp, type CompatSuite, type Figures } from '../support/compat';
import { ensureFixtureDeps } from '../support/fixture-deps';
import { createServiceCommand, e2eFile, ensurePortFree, httpGet, sc, scratchDir, waitForHttp, waitForState, winPath } from './wine';

/** Declares the suite's tests: one per app, in order, in one Wine session. */
export function compatSuite(suite: CompatSuite): void {
  const runs = compatRuns(suite);
  const file = e2eFile({
    services: runs.map((r) => r.name),
    setup: async () => {
      await ensureFixtureDeps(suite.fixtureDir);
      const builds = buildCompatApps(runs, { concurrency: 2, outDir: (r) => scratchDir(r.name) });
      const out = new Map<string, BuiltApp | Error>();
      for (const [name, p] of builds) out.set(name, await p.catch((err: Error) => err));
      return out;
    },
  });

  const figures = new Map<string, Figures>();

  describe(suite.title, () => {
    for (const { app, name, port } of runs) {
      test(`${app.app}: builds, starts as a service, answers its probe, stops gracefully`, { timeout: 90_000 }, async () => {
        const built = file.ctx.get(name);
        if (!built || built instanceof Error) throw built ?? new Error(`${app.app} was not built`);
        await ensurePortFree(port);
        const companion = await startHostCompanion(app.companion);
        try {
          const args = [`port=${port}`, ...(companion?.args ?? [])].join(' ');
          await createServiceCommand(name, `"${winPath(built.exe)}" --service ${args}`);
          const since = performance.now();
          const started = await sc('start', name);
          expect(started.code, started.text).toBe(0);
          const running = await waitForState(name, 'RUNNING', 30_000, { since });
          await waitForHttp(`http://127.0.0.1:${port}/`, 20_000);
          const answeringMs = performance.now() - since;
          const body = await httpGet(`http://127.0.0.1:${port}/probe`, 20_000);
          expect(body, `${app.app} did not answer its probe`).not.toBeNull();
          console.log(`${suite.tag} ${app.app} /probe: ${body}`);
          expect(JSON.parse(body!), body!).toMatchObject({ ok: true });

          const stopping = await sc('stop', name);
          expect(stopping.code, stopping.text).toBe(0);
          const stopped = await waitForState(name, 'STOPPED', 20_000);
          expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
          figures.set(app.app, { buildMs: built.buildMs, exeMB: built.result.record.size.exeBytes / 1024 / 1024, runningMs: running.ms, answeringMs });
        } finally {
          await companion?.close();
        }
      });
    }

    afterAll(() => {
      const rows = suite.apps.filter((a) => figures.has(a.app)).map((a) => figuresRow(a, figures.get(a.app)!));
      if (rows.length > 0) console.log([`${suite.tag} figures (build in parallel pairs; start: sc start → RUNNING, → HTTP answering):`, ...rows].join('\n'));
    });
  });
}
