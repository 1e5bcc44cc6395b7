import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, expect, vi } from 'vitest';
import type { RuntimeHost } from '../../runtime-shim/api';

const HOST_KEY = Symbol.for('svcpack.runtime.host');
type Api = typeof import('../../runtime-shim/api');

/** A fresh copy of the module (its handler set, abort controller and stop promise are module state). */
async function freshApi(): Promise<Api> {
  vi.resetModules();
  return import('../../runtime-shim/api');
}

let sigBefore: { SIGINT: Function[]; SIGTERM: Function[] };
beforeEach(() => {
  sigBefore = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
});
afterEach(() => {
  // The dev-mode wiring adds process.once('SIGINT'/'SIGTERM') listeners that would exit: remove them.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(sig)) if (!sigBefore[sig].includes(l)) process.off(sig, l as () => void);
  }
  delete (globalThis as Record<symbol, unknown>)[HOST_KEY];
  vi.restoreAllMocks();
});

describe('svcpack/runtime under plain node (no host)', () => {
  it('dataDir is SVCPACK_DATA_DIR when set', async () => {
    const { service } = await freshApi();
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-api-')), 'data');
    vi.stubEnv('SVCPACK_DATA_DIR', dir);
    try {
      expect(service.dataDir).toBe(dir);
      expect(fs.existsSync(dir)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('is not a service and is named after the entry script', async () => {
    const { service } = await freshApi();
    expect(service.isService).toBe(false);
    const saved = process.argv[1];
    try {
      process.argv[1] = '/srv/app/src/my-app.server.ts';
      expect(service.name).toBe('my-app.server');
      process.argv[1] = 'C:\\apps\\hello.js';
      expect(service.name).toBe('hello');
    } finally {
      process.argv[1] = saved!;
    }
  });

  it('runs every onStop handler once with the reason and aborts the signal', async () => {
    const api = await freshApi();
    const a = vi.fn();
    const b = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 5));
    });
    api.service.onStop(a);
    api.service.onStop(b);
    expect(api.stopHandlerCount()).toBe(2);
    expect(api.service.signal.aborted).toBe(false);
    const first = api.runStopHandlers('console');
    expect(api.service.signal.aborted).toBe(true);
    expect(api.service.signal.reason).toBe('console');
    await first;
    expect(api.runStopHandlers('stop')).toBe(first);
    await api.runStopHandlers('stop');
    expect(a).toHaveBeenCalledTimes(1);
    expect(a).toHaveBeenCalledWith('console');
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('the returned function unsubscribes a handler', async () => {
    const api = await freshApi();
    const gone = vi.fn();
    const kept = vi.fn();
    const off = api.service.onStop(gone);
    api.service.onStop(kept);
    off();
    expect(api.stopHandlerCount()).toBe(1);
    await api.runStopHandlers('console');
    expect(gone).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });

  it('rejects with the first handler failure after all handlers settle', async () => {
    const api = await freshApi();
    const after = vi.fn();
    api.service.onStop(() => {
      throw new Error('h1 failed');
    });
    api.service.onStop(after);
    await expect(api.runStopHandlers('console')).rejects.toThrow('h1 failed');
    expect(after).toHaveBeenCalled();
  });

  it('installs SIGINT/SIGTERM listeners once, on the first onStop', async () => {
    const api = await freshApi();
    api.service.onStop(() => {});
    api.service.onStop(() => {});
    expect(process.listenerCount('SIGINT') - sigBefore.SIGINT.length).toBe(1);
    expect(process.listenerCount('SIGTERM') - sigBefore.SIGTERM.length).toBe(1);
  });

  it('logs to the console with a level prefix', async () => {
    const api = await freshApi();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    api.service.log.info('listening on', 8080, { tls: false });
    api.service.log.warn('slow');
    expect(log).toHaveBeenCalledWith('[info] listening on 8080 {"tls":false}');
    expect(err).toHaveBeenCalledWith('[warn] slow');
  });

  it('start(work) resolves after the work', async () => {
    const api = await freshApi();
    let ran = false;
    await api.service.start(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});

describe('svcpack/runtime with a host installed', () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-api-')), 'MySvc');

  function fakeHost() {
    const host = {
      name: 'MySvc',
      isService: true,
      dataDir,
      write: vi.fn<RuntimeHost['write']>(),
      trackStart: vi.fn<RuntimeHost['trackStart']>(),
    };
    return host satisfies RuntimeHost;
  }

  it('takes name and isService from the host and logs through host.write', async () => {
    const api = await freshApi();
    const host = fakeHost();
    api.installHost(host);
    expect(api.service.name).toBe('MySvc');
    expect(api.service.isService).toBe(true);
    const log = vi.spyOn(console, 'log');
    api.service.log.info('hello', { a: 1 });
    api.service.log.error(new Error('bad thing'));
    api.service.log.debug('dbg');
    expect(host.write).toHaveBeenNthCalledWith(1, 'info', 'hello {"a":1}');
    expect(host.write.mock.calls[1]![0]).toBe('error');
    expect(host.write.mock.calls[1]![1]).toContain('Error: bad thing');
    expect(host.write).toHaveBeenNthCalledWith(3, 'debug', 'dbg');
    expect(log).not.toHaveBeenCalled();
  });

  it('dataDir is the host\'s folder, created on first use', async () => {
    const api = await freshApi();
    api.installHost(fakeHost());
    expect(api.service.dataDir).toBe(dataDir);
    expect(fs.statSync(dataDir).isDirectory()).toBe(true);
  });

  it('does not install dev-mode signal listeners', async () => {
    const api = await freshApi();
    api.installHost(fakeHost());
    api.service.onStop(() => {});
    expect(process.listenerCount('SIGINT')).toBe(sigBefore.SIGINT.length);
    expect(process.listenerCount('SIGTERM')).toBe(sigBefore.SIGTERM.length);
  });

  it('start(work) hands the start promise to host.trackStart', async () => {
    const api = await freshApi();
    const host = fakeHost();
    api.installHost(host);
    const p = api.service.start(() => 42);
    expect(host.trackStart).toHaveBeenCalledTimes(1);
    const tracked = host.trackStart.mock.calls[0]![0];
    expect(tracked).toBe(p);
    await expect(tracked).resolves.toBeUndefined();
  });

  it('a rejecting start is visible to the host', async () => {
    const api = await freshApi();
    const host = fakeHost();
    api.installHost(host);
    const p = api.service.start(async () => {
      throw new Error('db down');
    });
    const tracked = host.trackStart.mock.calls[0]![0];
    await expect(tracked).rejects.toThrow('db down');
    await expect(p).rejects.toThrow('db down');
  });
});
