/** The per-build line and JSON line of watch mode (src/watch/watch-line.ts), for every restart outcome. Pure. */
import { describe, expect, it } from 'vitest';
import type { RebuildReport } from '../../src/watch/watch-build';
import { rebuildJson, rebuildLine } from '../../src/watch/watch-line';

const at = new Date(2026, 11, 7, 12, 3, 4);
const ok: RebuildReport = { ok: true, first: false, at, ms: 214, executable: 'C:\\src\\dist\\MySvc.exe' };

describe('rebuildLine', () => {
  it('says what was built, how long it took and, with --restart, what happened to the service', () => {
    expect(rebuildLine(ok, 'MySvc')).toBe('12:03:04 rebuilt MySvc.exe in 0.21 s\n');
    expect(rebuildLine({ ...ok, first: true }, 'MySvc', { watching: 6 })).toBe('12:03:04 built MySvc.exe in 0.21 s; watching 6 paths for changes (Ctrl-C to stop)\n');
    expect(rebuildLine({ ...ok, restart: { kind: 'restarted', ms: 1312 } }, 'MySvc')).toBe('12:03:04 rebuilt MySvc.exe in 0.21 s, restarted MySvc in 1.3 s\n');
    expect(rebuildLine({ ...ok, restart: { kind: 'restarted', ms: 2050, copiedTo: 'C:\\Program Files\\Contoso\\MySvc\\MySvc.exe' } }, 'MySvc')).toBe(
      '12:03:04 rebuilt MySvc.exe in 0.21 s, restarted MySvc in 2.0 s (copied to C:\\Program Files\\Contoso\\MySvc\\MySvc.exe)\n',
    );
    expect(rebuildLine({ ...ok, restart: { kind: 'not-installed' } }, 'MySvc', { installHint: 'dist\\install.cmd' })).toBe(
      '12:03:04 rebuilt MySvc.exe in 0.21 s; MySvc is not installed — run dist\\install.cmd once; not restarted\n',
    );
    expect(rebuildLine({ ...ok, restart: { kind: 'failed', message: 'cannot start MySvc: exit code 3', hint: 'run "MySvc.exe start" to see why' } }, 'MySvc')).toBe(
      '12:03:04 rebuilt MySvc.exe in 0.21 s; not restarted: cannot start MySvc: exit code 3 — run "MySvc.exe start" to see why\n',
    );
  });

  it('a failed build: the CLI\'s line for its error, and the service started again when it had been stopped', () => {
    const failed: RebuildReport = { ok: false, first: false, at, ms: 95, error: { code: 'OUTPUT_FAILED', message: 'cannot move outputs', hint: 'close programs', line: 'svcpack: cannot move outputs — close programs', cause: null } };
    expect(rebuildLine(failed, 'MySvc')).toBe('12:03:04 svcpack: cannot move outputs — close programs\n');
    expect(rebuildLine({ ...failed, restart: { kind: 'restarted', ms: 900 } }, 'MySvc')).toBe('12:03:04 svcpack: cannot move outputs — close programs; MySvc started again on the old exe\n');
  });
});

describe('rebuildJson', () => {
  it('one object on one line: time, first, ok, ms (whole), the executable or the error, the restart', () => {
    const line = rebuildJson({ ...ok, ms: 214.6, restart: { kind: 'restarted', ms: 1312.4 } });
    expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ time: at.toISOString(), first: false, ok: true, ms: 215, executable: 'C:\\src\\dist\\MySvc.exe', restart: { kind: 'restarted', ms: 1312 } });
    const failed = JSON.parse(rebuildJson({ ok: false, first: true, at, ms: 12, error: { code: 'BUNDLE_SYNTAX', message: 'a.ts:1:1: x', hint: 'fix the source and build again', line: 'svcpack: a.ts:1:1: x — fix the source and build again', cause: null } }));
    expect(failed).toEqual({ time: at.toISOString(), first: true, ok: false, ms: 12, error: { code: 'BUNDLE_SYNTAX', message: 'a.ts:1:1: x', hint: 'fix the source and build again', line: 'svcpack: a.ts:1:1: x — fix the source and build again' } });
  });
});
