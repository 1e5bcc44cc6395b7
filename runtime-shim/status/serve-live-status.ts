/**
 * What each service mode calls once it runs: the status server on this service's pipe, answering
 * with figures gathered at the moment of each request. In-process mode passes no `supervised`;
 * supervised mode passes the Supervisor's read-only status and a way to ask the app process.
 */
import type { ServiceState } from '../lifecycle/lifecycle';
import type { SupervisorStatus } from './status-report';
import { buildLiveStatus, sampleThisProcess, type LastError, type ProcessSample } from './status-report';
import { statusPipePath } from './status-pipe';
import { startStatusServer, type StatusServer } from './status-server';

/** How long the app process has to report its figures, ms (well inside the client's 2 s). */
const APP_USAGE_TIMEOUT_MS = 500;

export interface LiveStatusSources {
  name: string;
  /** Where to listen: the channel's own place (systemd: a socket in RuntimeDirectory=); absent, the status pipe of `name`. */
  path?: string;
  state(): ServiceState;
  lastError(): LastError | null;
  logFile: string;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  supervised?: {
    status(): SupervisorStatus;
    /** The app process's own sample; null when it is down or does not answer in `timeoutMs`. */
    appUsage(timeoutMs: number): Promise<ProcessSample | null>;
  };
}

export function serveLiveStatus(sources: LiveStatusSources): StatusServer {
  return startStatusServer({
    path: sources.path ?? statusPipePath(sources.name),
    log: sources.log,
    report: async () => {
      const app = sources.supervised ? await sources.supervised.appUsage(APP_USAGE_TIMEOUT_MS) : null;
      return buildLiveStatus({
        name: sources.name,
        state: sources.state(),
        service: sampleThisProcess(),
        lastError: sources.lastError(),
        logFile: sources.logFile,
        ...(sources.supervised ? { supervised: { supervisor: sources.supervised.status(), app } } : {}),
      });
    },
  });
}
