import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import { isQuiet, signalToDeliver } from '../../../runtime-shim/lifecycle/stop-work';

describe('signalToDeliver', () => {
  it('prefers SIGTERM, falls back to SIGINT, none when nobody listens', () => {
    expect(signalToDeliver({ SIGTERM: 1, SIGINT: 0 })).toBe('SIGTERM');
    expect(signalToDeliver({ SIGTERM: 2, SIGINT: 3 })).toBe('SIGTERM');
    expect(signalToDeliver({ SIGTERM: 0, SIGINT: 1 })).toBe('SIGINT');
    expect(signalToDeliver({ SIGTERM: 0, SIGINT: 0 })).toBeNull();
  });

  it('does not deliver the signal that already reached the app', () => {
    expect(signalToDeliver({ SIGTERM: 0, SIGINT: 1 }, 'SIGINT')).toBeNull();
    expect(signalToDeliver({ SIGTERM: 1, SIGINT: 1 }, 'SIGINT')).toBe('SIGTERM');
    expect(signalToDeliver({ SIGTERM: 1, SIGINT: 0 }, 'SIGTERM')).toBeNull();
    expect(signalToDeliver({ SIGTERM: 0, SIGINT: 1 }, 'SIGBREAK')).toBe('SIGINT');
  });
});

describe('isQuiet', () => {
  it('is true for nothing or only stdio/signal handles', () => {
    expect(isQuiet([])).toBe(true);
    expect(isQuiet(['TTYWrap', 'SignalWrap', 'TTYWrap'])).toBe(true);
  });
  it('ignores as many PipeWraps as stdio streams are pipes, no more', () => {
    expect(isQuiet(['PipeWrap', 'PipeWrap'], { PipeWrap: 2 })).toBe(true);
    expect(isQuiet(['PipeWrap', 'PipeWrap'], { PipeWrap: 1 })).toBe(false);
    expect(isQuiet(['MessagePort', 'PipeWrap'], { PipeWrap: 1, MessagePort: 1 })).toBe(true);
    expect(isQuiet(['MessagePort', 'MessagePort'], { MessagePort: 1 })).toBe(false);
    expect(isQuiet(['PipeWrap'])).toBe(false);
  });
  it('is false when servers, sockets, timers or requests remain', () => {
    expect(isQuiet(['TCPServerWrap'])).toBe(false);
    expect(isQuiet(['TTYWrap', 'TCPSocketWrap'])).toBe(false);
    expect(isQuiet(['Timeout'])).toBe(false);
    expect(isQuiet(['FSReqCallback'])).toBe(false);
  });
});

describe('runAppStopWork (real process listeners)', () => {
  type Listener = (...args: unknown[]) => void;
  let added: Array<{ sig: 'SIGTERM' | 'SIGINT'; fn: Listener }> = [];
  const listen = (sig: 'SIGTERM' | 'SIGINT', fn: Listener): Listener => {
    process.on(sig, fn);
    added.push({ sig, fn });
    return fn;
  };

  beforeEach(() => {
    vi.resetModules();
    // The test runner's own handles (IPC/stdio pipes, its timeout timer) keep this worker's event
    // loop busy; the stop-work only has to wait for what the test itself adds. Subtract a baseline.
    const real = process.getActiveResourcesInfo.bind(process);
    // Timers are never baseline: one of an earlier test that ends meanwhile would hide the test's own.
    const baseline = real().filter((r) => r !== 'Timeout');
    vi.spyOn(process, 'getActiveResourcesInfo').mockImplementation(() => {
      const rest = [...baseline];
      return real().filter((r) => {
        const i = rest.indexOf(r);
        if (i < 0) return true;
        rest.splice(i, 1);
        return false;
      });
    });
    // No signal listeners from elsewhere may be hit by process.emit in these tests.
    expect(process.listenerCount('SIGTERM')).toBe(0);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  afterEach(() => {
    for (const { sig, fn } of added) process.off(sig, fn);
    added = [];
    vi.restoreAllMocks();
  });

  it('emits SIGTERM to the app and resolves only after its server has closed', async () => {
    const { runAppStopWork } = await import('../../../runtime-shim/lifecycle/stop-work');
    const server = http.createServer((_, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
    const events: string[] = [];
    server.on('close', () => events.push('closed'));
    const onTerm = vi.fn((sig: unknown) => {
      events.push(`signal ${String(sig)}`);
      // asynchronous, unannounced stop work, as a plain app does it
      setTimeout(() => server.close(), 30);
    });
    listen('SIGTERM', onTerm);

    await runAppStopWork('stop', { ownListeners: new Set(), pollMs: 5 });
    events.push('resolved');
    expect(onTerm).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['signal SIGTERM', 'closed', 'resolved']);
    expect(server.listening).toBe(false);
  });

  it('delivers SIGINT when the app only listens for SIGINT', async () => {
    const { runAppStopWork } = await import('../../../runtime-shim/lifecycle/stop-work');
    const onInt = vi.fn();
    listen('SIGINT', onInt);
    await runAppStopWork('stop', { ownListeners: new Set(), pollMs: 5 });
    expect(onInt).toHaveBeenCalledWith('SIGINT');
  });

  it("does not emit to the shim's own listeners", async () => {
    const { runAppStopWork } = await import('../../../runtime-shim/lifecycle/stop-work');
    const own = vi.fn();
    listen('SIGTERM', own);
    listen('SIGINT', own);
    await runAppStopWork('console', { ownListeners: new Set([own as never]), pollMs: 5 });
    expect(own).not.toHaveBeenCalled();
  });

  it('does not re-deliver the console signal that began the stop, but still waits for quiet', async () => {
    const { runAppStopWork } = await import('../../../runtime-shim/lifecycle/stop-work');
    const onInt = vi.fn();
    listen('SIGINT', onInt);
    let fired = false;
    setTimeout(() => {
      fired = true;
    }, 30);
    await runAppStopWork('console', { ownListeners: new Set(), triggeredBy: 'SIGINT', pollMs: 5 });
    expect(onInt).not.toHaveBeenCalled();
    expect(fired).toBe(true);
  });

  it('runs the onStop handlers with the reason', async () => {
    const { runAppStopWork } = await import('../../../runtime-shim/lifecycle/stop-work');
    // keep api's dev-mode signal wiring out of the way: pretend a host is installed
    const api = await import('../../../runtime-shim/api');
    const { service } = api;
    api.installHost({ name: 'X', isService: true, dataDir: 'C:\\ProgramData\\X', write: () => {}, trackStart: () => {} });
    try {
      const handler = vi.fn(async () => {});
      service.onStop(handler);
      await runAppStopWork('shutdown', { ownListeners: new Set(), pollMs: 5 });
      expect(handler).toHaveBeenCalledWith('shutdown');
      expect(service.signal.aborted).toBe(true);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[Symbol.for('svcpack.runtime.host')];
    }
  });
});
