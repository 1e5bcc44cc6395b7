/** `service.mode`: the host's mode, a fallback for hosts without one, 'development' without a host. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunMode, RuntimeHost } from '../../../../runtime-shim/api';

const HOST_KEY = Symbol.for('svcpack.runtime.host');
afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[HOST_KEY];
});

async function freshApi() {
  vi.resetModules();
  return import('../../../../runtime-shim/api');
}

const host = (over: Partial<RuntimeHost>): RuntimeHost => ({ name: 'MySvc', isService: false, dataDir: '/tmp/x', write: () => {}, trackStart: () => {}, ...over });

describe('service.mode', () => {
  it('is development under plain node', async () => {
    expect((await freshApi()).service.mode).toBe('development');
  });

  it.each<RunMode>(['service', 'supervised', 'task', 'console'])('is the host\'s %s', async (mode) => {
    const api = await freshApi();
    api.installHost(host({ mode, isService: mode === 'service' || mode === 'supervised' }));
    expect(api.service.mode).toBe(mode);
  });

  it('falls back on isService for a host without a mode', async () => {
    const api = await freshApi();
    api.installHost(host({ isService: true }));
    expect(api.service.mode).toBe('service');
    api.installHost(host({ isService: false }));
    expect(api.service.mode).toBe('console');
  });
});
