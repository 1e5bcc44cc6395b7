/**
 * Service mode with `--supervise true`: this process connects to the SCM like in-process service
 * mode, owns the log, and runs the app in a child process through the Supervisor (restarts with
 * backoff, health checks, stop escalation). The app never runs in this process.
 */
import { createAlerts, exitAfterAlerts } from '../alerts/alerts';
import type { HandledControls } from '../lifecycle/app-controls';
import { isRotate, NOTHING_HANDLED, rotateLog, serviceAccepts } from '../lifecycle/control-work';
import { effectiveSettings, onSettingsChange, SETTINGS_ENV } from '../settings/effective-settings';
import { serviceHooksFor } from '../hooks/host-hooks';
import { ExitCode, type DeliveredControl } from '../lifecycle/lifecycle';
import type { ProcessJob } from '../platform/platform';
import { connectService, reloadServiceSettings, type ServiceConnection } from '../host/service-host';
import { ALERT_FLUSH_MS, realClock } from '../host/session';
import { rememberLastError } from '../status/last-error-sink';
import { serveLiveStatus } from '../status/serve-live-status';
import { spawnApp, type AppProcess } from '../supervise/app-process';
import { httpProbe } from '../supervise/health-probe';
import { Supervisor } from '../supervise/supervisor';
import type { ExeContext } from '../exe-context';

export type SupervisorModeResult = { kind: 'supervising' } | { kind: 'not-started-by-scm' };

/** `spawn` starts the app's process (default: the exe itself with the child argument). */
export async function startSupervisorMode(exe: ExeContext, connection: ServiceConnection, spawn: typeof spawnApp = spawnApp): Promise<SupervisorModeResult> {
  const { config, platform } = exe;
  let supervisor: Supervisor | null = null;
  const host = await connectService(connection, { containProcessTree: false });
  if (!host) return { kind: 'not-started-by-scm' };
  // The app's records arrive over IPC, so they reach the Event Log through this sink too.
  const { dataDir, workingDir } = host;
  const sink = rememberLastError(host.sink);
  let app: AppProcess | null = null;

  let job: ProcessJob | null = null;
  try {
    job = platform.createProcessJob();
  } catch (err) {
    sink.write('warn', 'supervisor', `no job object (${(err as Error).message}): stopping the app cannot end processes it started`);
  }
  const log = (level: 'info' | 'warn' | 'error', message: string) => sink.write(level, 'supervisor', message);
  const clock = { ...realClock, now: () => performance.now() };
  const alerts = createAlerts({ service: config.name, url: () => effectiveSettings().operation.alertUrl, warn: (message) => log('warn', message), clock });
  const hooks = serviceHooksFor({ name: config.name, createJob: () => platform.createProcessJob(), sink, dataDir, log });
  const live = () => {
    const { supervision, operation } = effectiveSettings();
    return { policy: supervision.policy, health: { probe: supervision.health, heartbeatTimeoutMs: supervision.heartbeatTimeoutMs }, exitCodes: operation.exitCodes };
  };
  // The app's args: what the SCM passed after --service (process.argv[1] is the exe in a SEA).
  const args = process.argv.slice(3);
  // Controls: this process accepts them from the SCM; the app's go to the current child, and are
  // accepted only while that child has told it has handlers for them.
  const appHandles = (handled: HandledControls) => supervisor?.lifecycle.setControls(serviceAccepts(handled));
  const runControl = async (control: DeliveredControl): Promise<void> => {
    if (control === 'paramchange') {
      // The new settings reach the app's child with the control (its effectiveSettings() follows).
      await app?.control(control, reloadServiceSettings(host));
      return;
    }
    if (isRotate(control)) rotateLog(host.file, sink);
    else await app?.control(control);
  };
  supervisor = new Supervisor(
    {
      spawn: (onEvent) => {
        appHandles(NOTHING_HANDLED);
        const child: AppProcess = spawn(
          {
            exePath: process.execPath,
            sink,
            job,
            args,
            env: { SVCPACK_DATA_DIR: dataDir, [SETTINGS_ENV]: JSON.stringify(effectiveSettings()) },
            ...('folder' in workingDir ? { cwd: workingDir.folder } : {}),
            onControls: (handled) => {
              if (app === child) appHandles(handled);
            },
          },
          (event) => {
            if (event.type === 'exit' && app === child) {
              app = null;
              appHandles(NOTHING_HANDLED);
            }
            onEvent(event);
          },
        );
        app = child;
        return child;
      },
      runControl,
      report: (status) => host.controller.report(status),
      stopping: (timeoutMs, cause) => host.controller.stopping(timeoutMs, cause),
      log,
      // A failing service lets its last alerts (give-up, crash) go out first, for a bounded time.
      exit: (code) => exitAfterAlerts(alerts, code, ALERT_FLUSH_MS),
      clock,
      probe: (url, timeoutMs) => httpProbe(url, timeoutMs)(),
      hooks,
      alert: (event, message, details) => alerts.alert(event, message, details),
    },
    { stopTimeoutMs: () => effectiveSettings().stopTimeoutMs, acceptPreshutdown: true, ...live() },
  );
  // A reload (PARAMCHANGE) re-reads the stored settings: apply what a running supervisor can change.
  onSettingsChange(() => supervisor?.reconfigure(live()));
  const { lifecycle } = supervisor;
  host.controller.listen(lifecycle);
  supervisor.lifecycle.setControls(serviceAccepts(NOTHING_HANDLED));
  if ('problem' in workingDir) {
    // The app never started: START_PENDING, then STOPPED with service exit code 3 and the reason.
    supervisor.lifecycle.start();
    supervisor.lifecycle.fail(ExitCode.StartFailed, workingDir.problem);
  } else {
    supervisor.start();
    const running = supervisor;
    serveLiveStatus({
      name: config.name,
      ...(host.controller.statusPath ? { path: host.controller.statusPath } : {}),
      state: () => running.lifecycle.current,
      lastError: () => sink.lastError,
      logFile: host.logFile,
      log: (level, message) => sink.write(level, 'supervisor', message),
      supervised: { status: () => running.status(), appUsage: (timeoutMs) => app?.usage(timeoutMs) ?? Promise.resolve(null) },
    });
  }
  return { kind: 'supervising' };
}
