import { describe, expect, it } from 'vitest';
import { hookEnvironment, runHook } from '../../../runtime-shim/hooks/run-hook';
import type { LogSink } from '../../../runtime-shim/logging/log-sink';

// The real runner, with /bin/sh standing in for cmd.exe (the Windows path is covered by test/e2e/operate.test.ts).
function sink() {
  const records: string[] = [];
  const s: LogSink = { write: (level, source, message) => records.push(`${level} [${source}] ${message}`) };
  return { s, records };
}

describe('hookEnvironment', () => {
  it('names the service, the hook, the data folder, and where known the pid, exit code and stop reason', () => {
    expect(hookEnvironment({ service: 'MySvc', hook: 'postStop', dataDir: 'C:\\ProgramData\\MySvc', pid: 12, exitCode: 3, stopReason: 'shutdown' })).toEqual({
      SVCPACK_SERVICE: 'MySvc',
      SVCPACK_HOOK: 'postStop',
      SVCPACK_DATA_DIR: 'C:\\ProgramData\\MySvc',
      SVCPACK_PID: '12',
      SVCPACK_EXIT_CODE: '3',
      SVCPACK_STOP_REASON: 'shutdown',
    });
    expect(hookEnvironment({ service: 'MySvc', hook: 'preStart', dataDir: 'D', pid: null })).toEqual({ SVCPACK_SERVICE: 'MySvc', SVCPACK_HOOK: 'preStart', SVCPACK_DATA_DIR: 'D' });
  });
});

describe('runHook', () => {
  const vars = { service: 'MySvc', hook: 'preStop' as const, dataDir: '/tmp', pid: 7, stopReason: 'stop' as const };

  it('returns the exit code; each output line becomes a hook record; the variables are set', async () => {
    const { s, records } = sink();
    const r = await runHook({ command: 'echo "$SVCPACK_HOOK $SVCPACK_PID $SVCPACK_STOP_REASON"; echo oops >&2; printf partial; exit 4', timeoutMs: 5_000, vars, sink: s });
    expect(r).toEqual({ code: 4, timedOut: false });
    expect(records.sort()).toEqual(['info [hook] oops', 'info [hook] partial', 'info [hook] preStop 7 stop'].sort());
  });

  it('ends the whole process tree when the timeout passes', async () => {
    const { s } = sink();
    const t0 = performance.now();
    const r = await runHook({ command: 'sleep 30 & sleep 30; wait', timeoutMs: 300, vars, sink: s });
    expect(r).toEqual({ code: null, timedOut: true });
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('ends the command when `until` resolves first (the stop budget ran out)', async () => {
    const { s } = sink();
    const r = await runHook({ command: 'sleep 30', timeoutMs: 30_000, vars, sink: s, until: new Promise((resolve) => setTimeout(resolve, 200)) });
    expect(r).toEqual({ code: null, timedOut: true });
  });
});
