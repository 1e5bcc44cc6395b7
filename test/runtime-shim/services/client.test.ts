import { afterEach, describe, expect, test } from 'vitest';
import { createServices, type ServicesBackend } from '../../../runtime-shim/services/client';
import { ServiceAccessDeniedError, ServiceDeletedError, ServiceError, ServiceNotFoundError, ServicesUnavailableError } from '../../../runtime-shim/services/errors';
import { nativeServices } from '../../../runtime-shim/services/native-services';
import type { ServiceStatus } from '../../../runtime-shim/services/status';
import type { WatchThreadMessage } from '../../../runtime-shim/services/watch-protocol';
import { SERVICE_AUTO_START, SERVICE_DEMAND_START, SERVICE_RUNNING, SERVICE_STOPPED } from '../../../runtime-shim/platform/manager-api';
import { services } from '../../../runtime-shim/api';
import { FakeScm, type FakeOptions } from '../commands/fake-scm';

/**
 * A fake backend: the fake SCM, and watch "threads" that post the status at the start and then
 * each status the SCM moves through. The fake SCM advances a pending state when it is queried:
 * one timer does that every millisecond for the watched services, and every watcher of a service
 * is sent each status seen (as the SCM notifies every registered handle).
 */
function fakeBackend(opts: FakeOptions = {}) {
  const scm = new FakeScm(opts);
  const threads = new Set<{ post: (m: WatchThreadMessage) => void; name: string }>();
  const broadcast = (name: string): void => {
    const s = scm.services.get(name.toLowerCase());
    if (!s) return;
    const status = scm.queryStatus({ kind: 'service', name });
    for (const t of threads) if (t.name.toLowerCase() === name.toLowerCase()) t.post({ type: 'status', status });
  };
  const timer = setInterval(() => new Set([...threads].map((t) => t.name)).forEach(broadcast), 1);
  const api: ServicesBackend['api'] = Object.assign(Object.create(scm) as FakeScm, {
    startService: (h: object, args: string[]) => {
      scm.startService(h, args);
      broadcast((h as { name: string }).name);
    },
    control: (h: object, control: number) => {
      const status = scm.control(h, control);
      broadcast((h as { name: string }).name);
      return status;
    },
  });
  const backend: ServicesBackend = {
    api,
    watch(name, onMessage) {
      const thread = { post: onMessage, name };
      if (!scm.services.has(name.toLowerCase())) {
        queueMicrotask(() => onMessage({ type: 'failed', fn: 'OpenServiceW', code: 1060, message: 'gone' }));
        return { close: async () => undefined };
      }
      threads.add(thread);
      onMessage({ type: 'status', status: { ...scm.services.get(name.toLowerCase())!.status } });
      return { close: async () => void threads.delete(thread) };
    },
  };
  /** DeleteService of a watched service: each watch thread posts `deleted` and ends. */
  const markDeleted = (name: string): void => {
    for (const t of [...threads]) {
      if (t.name.toLowerCase() !== name.toLowerCase()) continue;
      threads.delete(t);
      t.post({ type: 'deleted' });
    }
  };
  const add = (name: string, startType = SERVICE_DEMAND_START): void => {
    scm.createService({}, { name, displayName: name, startType, binaryPath: `"C:\\${name}.exe" --service`, dependencies: [], account: null, password: null });
    scm.close({ kind: 'service', name });
  };
  return { scm, backend, threads, add, markDeleted, cleanup: () => clearInterval(timer) };
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});
function setup(opts: FakeOptions = {}) {
  const fake = fakeBackend(opts);
  cleanups.push(fake.cleanup);
  return { ...fake, services: createServices(() => fake.backend) };
}

describe('services.query', () => {
  test('state, pid, both exit codes and the start type', async () => {
    const { services, add, scm } = setup();
    add('Web', SERVICE_AUTO_START);
    add('Batch');
    expect(await services.query('Web')).toEqual({ name: 'Web', state: 'stopped', pid: null, win32ExitCode: 1077, serviceExitCode: 0, startType: 'auto' });
    scm.services.get('batch')!.status = { ...scm.services.get('batch')!.status, state: SERVICE_RUNNING, pid: 42, win32ExitCode: 0 };
    expect(await services.query('Batch')).toMatchObject({ state: 'running', pid: 42, startType: 'demand' });
    scm.services.get('web')!.config2.set('delayed-auto-start', { level: 'delayed-auto-start', delayed: true });
    expect((await services.query('Web')).startType).toBe('delayed-auto');
  });

  test('an unknown service is a ServiceNotFoundError with a one-line message', async () => {
    const { services } = setup();
    const err = await services.query('Nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceNotFoundError);
    expect(err).toMatchObject({ code: 1060, service: 'Nope' });
    expect((err as Error).message).toBe('services: no service named "Nope" on this machine — check the name (sc query "Nope" lists it when it exists)');
  });

  test('refused access is a ServiceAccessDeniedError naming the operation', async () => {
    const { services, add, scm } = setup();
    add('Web');
    scm.failNext.set('openService', 5);
    const err = await services.stop('Web').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceAccessDeniedError);
    expect((err as Error).message).toMatch(/^services: access denied to stop service "Web" — run as an account allowed to stop it/);
    expect((err as Error).message).not.toContain('\n');
  });

  test('another failed call is a ServiceError with its Win32 code', async () => {
    const { services, add, scm } = setup();
    add('Web');
    scm.failNext.set('startService', 1058);
    await expect(services.start('Web')).rejects.toMatchObject({ code: 1058, message: expect.stringMatching(/^services: could not start service "Web": startService failed with Win32 error 1058 — /) });
  });
});

describe('services.start / stop', () => {
  test('start, then wait for RUNNING; starting a running service is not an error', async () => {
    const { services, add, scm } = setup();
    add('Web');
    expect((await services.start('Web')).state).toBe('start-pending');
    expect(await services.start('Web')).toMatchObject({ state: expect.stringMatching(/pending|running/) });
    scm.services.get('web')!.status.state = SERVICE_STOPPED;
    const running = await services.start('Web', { wait: true, args: ['port=1'] });
    expect(running).toMatchObject({ state: 'running', pid: expect.any(Number) });
    expect(scm.callsTo('startService').at(-1)).toEqual([['port=1']]);
  });

  test('a service that stops while starting fails the waiting start with its exit code', async () => {
    const { services, add } = setup({ startOutcome: 'fails' });
    add('Web');
    await expect(services.start('Web', { wait: true })).rejects.toThrow('services: service "Web" stopped while starting (exit code 3) — see its log');
  });

  test('a wait that runs out of time fails with a ServiceError', async () => {
    const { services, add } = setup({ startOutcome: 'hangs' });
    add('Web');
    const err = await services.start('Web', { wait: true, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toBe('services: service "Web" did not become running within 0.05 s — check its log, or wait longer (timeoutMs)');
  });

  test('stop, then wait for STOPPED; stopping a stopped service is not an error', async () => {
    const { services, add } = setup();
    add('Web');
    await services.start('Web', { wait: true });
    expect(await services.stop('Web', { wait: true })).toMatchObject({ state: 'stopped', win32ExitCode: 0, pid: null });
    expect((await services.stop('Web')).state).toBe('stopped');
  });
});

describe('services.watch', () => {
  test('reports each change once, with the previous status, until closed', async () => {
    const { services, add, threads } = setup();
    add('Web');
    const seen: [ServiceStatus['state'], ServiceStatus['state'] | undefined][] = [];
    const w = services.watch('Web', (s, prev) => seen.push([s.state, prev?.state]));
    await services.start('Web', { wait: true });
    await services.stop('Web', { wait: true });
    await new Promise((r) => setTimeout(r, 10));
    await w.close();
    expect(seen).toEqual([
      ['stopped', undefined],
      ['start-pending', 'stopped'],
      ['running', 'start-pending'],
      ['stop-pending', 'running'],
      ['stopped', 'stop-pending'],
    ]);
    expect(w.name).toBe('Web');
    expect(threads.size).toBe(0);
  });

  test('a watch that fails calls onError once with the typed error', async () => {
    const { services } = setup();
    const err = await new Promise<Error>((resolve) => services.watch('Nope', () => undefined, resolve));
    expect(err).toBeInstanceOf(ServiceNotFoundError);
  });
});

describe('a watched service that is deleted', () => {
  test('ends the watch: onError gets a ServiceDeletedError (code 1072, one line), onChange nothing more', async () => {
    const { services, add, markDeleted } = setup();
    add('Web');
    const seen: string[] = [];
    const err = await new Promise<Error>((resolve) => {
      services.watch('Web', (s) => seen.push(s.state), resolve);
      queueMicrotask(() => markDeleted('Web'));
    });
    expect(err).toBeInstanceOf(ServiceDeletedError);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).not.toBeInstanceOf(ServiceNotFoundError);
    expect(err).toMatchObject({ name: 'ServiceDeletedError', service: 'Web', code: 1072 });
    expect(err.message).toBe('services: service "Web" was deleted (uninstalled or removed with sc delete) — install it again, then watch or start it again');
    expect(seen).toEqual(['stopped']);
  });

  test('without onError the watch just ends (a deletion is not thrown); close() afterwards resolves', async () => {
    const { services, add, markDeleted } = setup();
    add('Web');
    const w = services.watch('Web', () => undefined);
    expect(() => markDeleted('Web')).not.toThrow();
    await expect(w.close()).resolves.toBeUndefined();
  });

  test('a waiting stop of a service deleted meanwhile rejects with ServiceDeletedError', async () => {
    const { services, add, scm, markDeleted } = setup({ pendingPolls: 1_000_000 });
    add('Web');
    scm.services.get('web')!.status = { ...scm.services.get('web')!.status, state: SERVICE_RUNNING, pid: 42, win32ExitCode: 0 };
    const stopping = services.stop('Web', { wait: true, timeoutMs: 5_000 });
    setTimeout(() => markDeleted('Web'), 20);
    await expect(stopping).rejects.toBeInstanceOf(ServiceDeletedError);
  });

  test('an SCM call refused with ERROR_SERVICE_MARKED_FOR_DELETE is a ServiceDeletedError too', async () => {
    const { services, add, scm } = setup();
    add('Web');
    scm.failNext.set('startService', 1072);
    await expect(services.start('Web')).rejects.toBeInstanceOf(ServiceDeletedError);
  });
});

describe('outside a built exe', () => {
  test('every call fails with ServicesUnavailableError, one line', async () => {
    expect(() => nativeServices('Web')).toThrow(ServicesUnavailableError);
    const err = await services.query('Web').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServicesUnavailableError);
    expect((err as Error).message).toBe('services: the SCM client works only inside an exe built by svcpack, on Windows — build the app with `svcpack build` and run the exe');
    expect(() => services.watch('Web', () => undefined)).toThrow(ServicesUnavailableError);
  });
});
