/**
 * The pieces the compatibility suites share (test/support/compat.ts), without Wine or systemd:
 * service names, ports, the figures row, the app lists' Linux exceptions, and the PostgreSQL
 * companion the Wine suites start on the host (pglite-server.mjs, spoken to over TCP).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { COMPAT_SUITES } from '../e2e/compat-apps';
import { compatRuns, compatServiceName, figuresRow, startHostCompanion } from './compat';
import { ensureFixtureDeps } from './fixture-deps';

describe('compatibility suites: shared pieces', () => {
  it('names services in PascalCase after the prefix', () => {
    expect(compatServiceName('SvcpackCompat', 'express')).toBe('SvcpackCompatExpress');
    expect(compatServiceName('SvcpackCompatRt', 'sql-js')).toBe('SvcpackCompatRtSqlJs');
  });

  it('gives app i of a suite the port firstPort + i, and every app of every suite its own service name', () => {
    const runs = COMPAT_SUITES.flatMap((s) => compatRuns(s));
    for (const s of COMPAT_SUITES) expect(compatRuns(s).map((r) => r.port)).toEqual(s.apps.map((_, i) => s.firstPort + i));
    expect(new Set(runs.map((r) => r.name)).size).toBe(runs.length);
  });

  it('writes the docs table row', () => {
    const app = COMPAT_SUITES[0]!.apps[0]!;
    expect(figuresRow(app, { buildMs: 4_049, exeMB: 134.44, runningMs: 556.6, answeringMs: 587.2 })).toBe(`| ${app.app} | ${app.kind} | ${app.packages} | 4.0 s | 134.4 MB | 557 ms | 587 ms |`);
  });

  it('every Linux exception in the app lists says why, in one line', () => {
    for (const app of COMPAT_SUITES.flatMap((s) => s.apps)) {
      if (!app.linux) continue;
      const reason = app.linux.leftOut;
      expect(reason.length, app.app).toBeGreaterThan(20);
      expect(reason, app.app).not.toContain('\n');
    }
  });

  it('the host companion: a PGlite server that answers PostgreSQL on its port until closed', { timeout: 120_000 }, async () => {
    const spec = COMPAT_SUITES.flatMap((s) => s.apps).find((a) => a.companion)!.companion!;
    await ensureFixtureDeps(spec.fixtureDir);
    const companion = (await startHostCompanion({ ...spec, port: spec.port + 100 }))!;
    try {
      expect(companion.args).toEqual([`db=${spec.port + 100}`]);
      // An SSLRequest: a PostgreSQL server answers it with one byte, 'N' (no TLS) or 'S'.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(spec.port + 100, '127.0.0.1', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
        socket.once('data', (b) => {
          resolve(b.toString('latin1', 0, 1));
          socket.destroy();
        });
        socket.once('error', reject);
      });
      expect(['N', 'S']).toContain(answer);
    } finally {
      await companion.close();
    }
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(spec.port + 100, '127.0.0.1', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
