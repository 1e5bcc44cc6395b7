/**
 * The SCM client apps get from `svcpack/runtime` (`services`): query, start, stop and watch other
 * services on this machine by name. Watching is event-driven: each watch runs a thread that the
 * SCM notifies of every state change (NotifyServiceStatusChangeW; loaders/watch-thread.ts), nothing
 * polls (except where the SCM never reports a deletion: services/watch-loop.ts). Failures are
 * typed (services/errors.ts): an unknown service is ServiceNotFoundError, one deleted while in use
 * ServiceDeletedError, refused access ServiceAccessDeniedError, and outside a built exe every
 * call fails with ServicesUnavailableError. The Win32 side is a `ServicesBackend` (native-services.ts in the exe,
 * a fake in tests).
 */
import {
  ERROR_SERVICE_ALREADY_RUNNING,
  ERROR_SERVICE_NOT_ACTIVE,
  SERVICE_AUTO_START,
  SERVICE_CONTROL_STOP,
  SERVICE_QUERY_CONFIG,
  SERVICE_QUERY_STATUS,
  SERVICE_START,
  SERVICE_STOP,
  Win32Error,
  type ScHandle,
  type ScmApi,
} from '../platform/manager-api';
import { ServiceDeletedError, ServiceError, serviceError } from './errors';
import { exitCodeOf, sameStatus, startTypeName, toServiceStatus, type ServiceInfo, type ServiceState, type ServiceStatus } from './status';
import type { WatchThreadMessage } from './watch-protocol';

/** The Win32 calls the client makes. */
export interface ServicesBackend {
  api: Pick<ScmApi, 'openManager' | 'openService' | 'queryStatus' | 'queryConfig' | 'queryConfig2' | 'startService' | 'control' | 'close'>;
  /** Starts a watch thread on `name`; `onMessage` gets its messages until `close()` resolves (the thread has ended). */
  watch(name: string, onMessage: (message: WatchThreadMessage) => void): { close(): Promise<void> };
}

export interface WaitOptions {
  /** Wait until the service is running (start) or stopped (stop). Default false: return once the SCM accepted the request. */
  wait?: boolean;
  /** How long `wait` may take, in ms (default 30 000); then the call fails with a ServiceError. */
  timeoutMs?: number;
}

export interface ServiceWatch {
  /** The service being watched. */
  readonly name: string;
  /** Ends the watch (the thread stops within a fraction of a second). No callback runs after it resolves. */
  close(): Promise<void>;
}

/** Called with each new status (the first call has `previous` null: the status when the watch began). */
export type StatusListener = (status: ServiceStatus, previous: ServiceStatus | null) => void;

export interface Services {
  /** The service's state, process id, exit codes and start type. */
  query(name: string): Promise<ServiceInfo>;
  /** Starts the service (`args`: its start arguments). Already running is not an error: resolves with the current status. */
  start(name: string, options?: WaitOptions & { args?: string[] }): Promise<ServiceStatus>;
  /** Sends the stop control. Already stopped is not an error: resolves with the current status. */
  stop(name: string, options?: WaitOptions): Promise<ServiceStatus>;
  /**
   * Calls `onChange` at every state change of the service until `close()`. When the service is
   * deleted (uninstalled, `sc delete`) the watch lets go of it — so the SCM can remove it — calls
   * `onError` once with a ServiceDeletedError and ends; without `onError` it just ends. A watch
   * that fails (the service does not exist, access is refused) calls `onError` once with that
   * error and ends; without `onError` the error is thrown (an uncaught exception).
   */
  watch(name: string, onChange: StatusListener, onError?: (err: Error) => void): ServiceWatch;
}

const DEFAULT_WAIT_MS = 30_000;

export function createServices(backend: (name: string) => ServicesBackend): Services {
  /** Runs `work` with the service opened for `access`; errors become typed ServiceErrors. */
  function withService<T>(name: string, access: number, operation: string, work: (api: ServicesBackend['api'], service: ScHandle) => T): T {
    const { api } = backend(name);
    let scm: ScHandle | null = null;
    let service: ScHandle | null = null;
    try {
      scm = api.openManager(false);
      service = api.openService(scm, name, access);
      if (!service) throw new Win32Error('OpenServiceW', 1060);
      return work(api, service);
    } catch (err) {
      throw serviceError(err, name, operation);
    } finally {
      if (service) api.close(service);
      if (scm) api.close(scm);
    }
  }

  const statusOf = (name: string): ServiceStatus => withService(name, SERVICE_QUERY_STATUS, 'query', (api, s) => toServiceStatus(name, api.queryStatus(s)));

  function watch(name: string, onChange: StatusListener, onError?: (err: Error) => void): ServiceWatch {
    let previous: ServiceStatus | null = null;
    let open = true;
    const thread = backend(name).watch(name, (message) => {
      if (!open) return;
      if (message.type === 'deleted') {
        open = false;
        onError?.(new ServiceDeletedError(name));
        return;
      }
      if (message.type === 'failed') {
        open = false;
        const err = serviceError(new Win32Error(message.fn || 'watch', message.code), name, 'watch');
        if (message.code === 0) err.message = `services: watching service "${name}" failed: ${message.message}`;
        if (onError) onError(err);
        else throw err;
        return;
      }
      const status = toServiceStatus(name, message.status);
      if (previous && sameStatus(previous, status)) return;
      const before = previous;
      previous = status;
      onChange(status, before);
    });
    return {
      name,
      close() {
        open = false;
        return thread.close();
      },
    };
  }

  /** Resolves with the first status `done` accepts; rejects when `failed` names a problem or the time runs out. */
  function waitFor(name: string, goal: ServiceState, timeoutMs: number, failed: (s: ServiceStatus) => string | null): Promise<ServiceStatus> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void w.close().then(outcome, outcome);
      };
      const timer = setTimeout(
        () => finish(() => reject(new ServiceError(`services: service "${name}" did not become ${goal} within ${timeoutMs / 1000} s — check its log, or wait longer (timeoutMs)`, name, 0))),
        timeoutMs,
      );
      const w = watch(
        name,
        (status) => {
          if (status.state === goal) finish(() => resolve(status));
          const problem = failed(status);
          if (problem) finish(() => reject(new ServiceError(problem, name, exitCodeOf(status))));
        },
        (err) => finish(() => reject(err)),
      );
    });
  }

  return {
    async query(name) {
      return withService(name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG, 'query', (api, s) => {
        const config = api.queryConfig(s);
        const delayed = config.startType === SERVICE_AUTO_START && (api.queryConfig2(s, 'delayed-auto-start')?.delayed ?? false);
        return { ...toServiceStatus(name, api.queryStatus(s)), startType: startTypeName(config.startType, delayed) };
      });
    },

    async start(name, options = {}) {
      const accepted = withService(name, SERVICE_START | SERVICE_QUERY_STATUS, 'start', (api, s) => {
        try {
          api.startService(s, options.args ?? []);
          return true;
        } catch (err) {
          if (err instanceof Win32Error && err.code === ERROR_SERVICE_ALREADY_RUNNING) return false;
          throw err;
        }
      });
      if (!options.wait || !accepted) return statusOf(name);
      return waitFor(name, 'running', options.timeoutMs ?? DEFAULT_WAIT_MS, (s) =>
        s.state === 'stopped' ? `services: service "${name}" stopped while starting (exit code ${exitCodeOf(s)}) — see its log` : null,
      );
    },

    async stop(name, options = {}) {
      withService(name, SERVICE_STOP | SERVICE_QUERY_STATUS, 'stop', (api, s) => {
        try {
          api.control(s, SERVICE_CONTROL_STOP);
        } catch (err) {
          if (!(err instanceof Win32Error && err.code === ERROR_SERVICE_NOT_ACTIVE)) throw err;
        }
      });
      if (!options.wait) return statusOf(name);
      return waitFor(name, 'stopped', options.timeoutMs ?? DEFAULT_WAIT_MS, () => null);
    },

    watch,
  };
}
