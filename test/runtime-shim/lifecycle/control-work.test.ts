/**
 * What the service does with controls (control-work.ts) and the app's control handlers
 * (app-controls.ts, registered through svcpack/runtime).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLevel, LogSink } from '../../../runtime-shim/logging/log-sink';
import { BAKED_RUNTIME } from '../commands/fake-scm';

type Api = typeof import('../../../runtime-shim/api');
type Controls = typeof import('../../../runtime-shim/lifecycle/app-controls');
type Work = typeof import('../../../runtime-shim/lifecycle/control-work');

/** Fresh module state: the handler sets live in app-controls. */
async function fresh(): Promise<{ api: Api; controls: Controls; work: Work }> {
  vi.resetModules();
  const [api, controls, work] = await Promise.all([import('../../../runtime-shim/api'), import('../../../runtime-shim/lifecycle/app-controls'), import('../../../runtime-shim/lifecycle/control-work')]);
  return { api, controls, work };
}

function memorySink(): LogSink & { records: Array<{ level: LogLevel; message: string }> } {
  const records: Array<{ level: LogLevel; message: string }> = [];
  return { records, write: (level, _source, message) => records.push({ level, message }) };
}

afterEach(() => vi.restoreAllMocks());

describe('changedSettings and reloadLine', () => {
  it('lists what changed in catalog order and which changes need a restart', async () => {
    const { work } = await fresh();
    const next = {
      ...BAKED_RUNTIME,
      stopTimeoutMs: 5_000,
      logging: { ...BAKED_RUNTIME.logging, logLevel: 'debug' as const, logDir: 'D:\\logs' },
    };
    const changes = work.changedSettings(BAKED_RUNTIME, next);
    expect(changes).toEqual([
      { name: 'log-dir', from: '(default)', to: 'D:\\logs', appliesOn: 'restart' },
      { name: 'log-level', from: 'info', to: 'debug', appliesOn: 'reload' },
      { name: 'stop-timeout', from: '20s', to: '5s', appliesOn: 'reload' },
    ]);
    expect(work.reloadLine(changes)).toBe('reload: log-dir (default) → D:\\logs, log-level info → debug, stop-timeout 20s → 5s; needs a restart to apply: log-dir');
    expect(work.reloadLine([])).toBe('reload: no setting changed');
  });

  it('never shows a secret', async () => {
    const { work } = await fresh();
    const next = { ...BAKED_RUNTIME, operation: { ...BAKED_RUNTIME.operation, alertUrl: 'https://user:pw@alerts.example/hook?token=abc' } };
    const [change] = work.changedSettings(BAKED_RUNTIME, next);
    expect(change).toEqual({ name: 'alert-url', from: 'none', to: '(changed)', appliesOn: 'reload' });
  });
});

describe('reloadSettings', () => {
  it('loads, logs problems and the change line under the old level, then applies the log settings', async () => {
    const { work } = await fresh();
    let current = BAKED_RUNTIME;
    const next = { ...BAKED_RUNTIME, logging: { ...BAKED_RUNTIME.logging, logLevel: 'warn' as const } };
    const sink = memorySink();
    const applied: unknown[] = [];
    const order: string[] = [];
    const result = work.reloadSettings({
      load: () => {
        current = next;
        return ['the stored --log-keep value "x" is not valid'];
      },
      current: () => current,
      applyLogging: (logging) => {
        order.push('apply');
        applied.push(logging);
      },
      sink: { write: (level, source, message) => (order.push('log'), sink.write(level, source, message)) },
    });
    expect(result).toBe(next);
    expect(sink.records).toEqual([
      { level: 'warn', message: 'the stored --log-keep value "x" is not valid' },
      { level: 'info', message: 'reload: log-level info → warn' },
    ]);
    expect(order).toEqual(['log', 'log', 'apply']);
    expect(applied).toEqual([next.logging]);
  });
});

describe('the app\'s control handlers', () => {
  it('handledControls follows registration; pause/continue needs both; the watcher hears each change', async () => {
    const { api, controls } = await fresh();
    const seen: unknown[] = [];
    controls.watchHandledControls((h) => seen.push(h));
    expect(controls.handledControls()).toEqual({ reload: false, pauseContinue: false, custom: false, sessionChange: false, powerEvent: false });
    const offPause = api.service.onPause(() => {});
    expect(controls.handledControls().pauseContinue).toBe(false);
    api.service.onContinue(() => {});
    expect(controls.handledControls().pauseContinue).toBe(true);
    const offControl = api.service.onControl(() => {});
    api.service.onSessionChange(() => {});
    api.service.onPowerEvent(() => {});
    api.service.onReload(() => {});
    expect(controls.handledControls()).toEqual({ reload: true, pauseContinue: true, custom: true, sessionChange: true, powerEvent: true });
    offPause();
    offControl();
    offControl(); // a second call changes nothing and tells nobody
    expect(controls.handledControls()).toMatchObject({ pauseContinue: false, custom: false });
    expect(seen).toHaveLength(8);
  });

  it('runAppControl runs the matching handlers concurrently with their arguments; failures are logged, never thrown', async () => {
    const { api, work } = await fresh();
    const calls: unknown[] = [];
    api.service.onControl(async (code) => {
      await new Promise((r) => setTimeout(r, 5));
      calls.push(['control', code]);
    });
    api.service.onControl(() => {
      throw new Error('handler broke');
    });
    api.service.onSessionChange((c) => void calls.push(['session', c]));
    api.service.onPowerEvent((p) => void calls.push(['power', p]));
    api.service.onReload(() => Promise.reject(new Error('reload broke')));
    api.service.onPause(() => void calls.push(['pause']));
    api.service.onContinue(() => void calls.push(['continue']));
    const sink = memorySink();

    await work.runAppControl({ kind: 'custom', code: 200 }, sink);
    await work.runAppControl({ kind: 'custom', code: 128 }, sink); // the service's, not the app's
    await work.runAppControl({ kind: 'session-change', event: 'WTS_SESSION_LOCK', sessionId: 3 }, sink);
    await work.runAppControl({ kind: 'power-event', event: 'PBT_APMSUSPEND' }, sink);
    await work.runAppControl('pause', sink);
    await work.runAppControl('continue', sink);
    await expect(work.runAppControl('paramchange', sink)).resolves.toBeUndefined();
    expect(calls).toEqual([
      ['control', 200],
      ['session', { event: 'WTS_SESSION_LOCK', sessionId: 3 }],
      ['power', { event: 'PBT_APMSUSPEND' }],
      ['pause'],
      ['continue'],
    ]);
    expect(sink.records.map((r) => `${r.level} ${r.message.split('\n')[0]}`)).toEqual([
      'error onControl handler failed: Error: handler broke',
      'error onReload handler failed: Error: reload broke',
    ]);
  });

  it('serviceAccepts: reload and rotate always, the app\'s controls only with handlers', async () => {
    const { work } = await fresh();
    expect(work.serviceAccepts(work.NOTHING_HANDLED)).toEqual({ paramChange: true, rotate: true, pauseContinue: false, custom: false, sessionChange: false, powerEvent: false });
    expect(work.serviceAccepts({ ...work.NOTHING_HANDLED, pauseContinue: true, powerEvent: true })).toMatchObject({ pauseContinue: true, powerEvent: true, custom: false });
  });

  it('rotateLog says in the fresh file that it rotated, or that there was nothing to rotate', async () => {
    const { work } = await fresh();
    const sink = memorySink();
    work.rotateLog({ rotateNow: () => true }, sink);
    work.rotateLog({ rotateNow: () => false }, sink);
    expect(sink.records.map((r) => r.message)).toEqual(['log rotated on request (rotate control)', 'rotate: nothing to rotate (the log file is empty or could not be rotated)']);
    expect(work.isRotate({ kind: 'custom', code: 128 })).toBe(true);
    expect(work.isRotate({ kind: 'custom', code: 129 })).toBe(false);
    expect(work.isRotate('pause')).toBe(false);
  });
});
