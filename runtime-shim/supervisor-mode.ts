/**
 * Service mode with `--supervise true`: this process connects to the SCM like in-process service
 * mode, owns the log, and runs the app in a child process through the Supervisor (restarts with
 * backoff, health checks, stop escalation). The app never runs in this process.
 */
import { readAsset } from './assets';
import { exeConfig } from './exe-config';
import { teeSink } from './log-file';
import { createEventLogSink } from './logging/event-log-sink';
import { RotatingLogFile } from './logging/rotating-file';
import { dataDirFor, programData } from './manage/data-dir';
import { bindAdvapi32 } from './scm/advapi32';
import { createProcessJob, type ProcessJob } from './scm/job-bindings';
import { programDataFolder } from './scm/manager-bindings';
import { loadNativeModule, type Koffi } from './scm/native-module';
import { ServiceController } from './scm/service-controller';
import { logDirIn, realClock } from './session';
import { spawnApp } from './supervise/app-process';
import { httpProbe } from './supervise/health-probe';
import { Supervisor } from './supervise/supervisor';

export type SupervisorModeResult = { kind: 'supervising' } | { kind: 'not-started-by-scm' };

export async function startSupervisorMode(): Promise<SupervisorModeResult> {
  const koffi = loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), exeConfig.koffiSha256);
  let log: RotatingLogFile | null = null;
  const controller = new ServiceController(bindAdvapi32(koffi), exeConfig.name, (message) => log?.write('error', 'lifecycle', message));
  let supervisor: Supervisor | null = null;
  const connected = await controller.connect((request) => supervisor?.lifecycle.control(request) ?? false);
  if (connected === 'not-started-by-scm') return { kind: 'not-started-by-scm' };

  const dataDir = dataDirFor(exeConfig.name, programData(() => programDataFolder(koffi)));
  const file = new RotatingLogFile({ dir: logDirIn(dataDir), name: exeConfig.name, settings: exeConfig.logging });
  log = file;
  // The app's records arrive here over IPC, so the Event Log sees them through this sink too.
  const eventLog = exeConfig.logging.eventLog ? createEventLogSink(koffi, exeConfig.name) : null;
  const sink = eventLog ? teeSink(file, eventLog) : file;
  let job: ProcessJob | null = null;
  try {
    job = createProcessJob(koffi);
  } catch (err) {
    sink.write('warn', 'lifecycle', `no job object (${(err as Error).message}): stopping the app cannot end processes it started`);
  }
  const { supervision } = exeConfig;
  // The app's args: what the SCM passed after --service (process.argv[1] is the exe in a SEA).
  const args = process.argv.slice(3);
  supervisor = new Supervisor(
    {
      spawn: (onEvent) => spawnApp({ exePath: process.execPath, sink, job, args, env: { SVCPACK_DATA_DIR: dataDir } }, onEvent),
      report: (status) => controller.report(status),
      log: (level, message) => sink.write(level, 'supervisor', message),
      exit: (code) => process.exit(code),
      clock: { ...realClock, now: () => performance.now() },
      ...(supervision.health ? { probe: httpProbe(supervision.health.url, supervision.health.timeoutMs) } : {}),
    },
    {
      stopTimeoutMs: exeConfig.stopTimeoutMs,
      policy: supervision.policy,
      health: {
        probe: supervision.health ? { intervalMs: supervision.health.intervalMs, failures: supervision.health.failures } : null,
        heartbeatTimeoutMs: supervision.heartbeatTimeoutMs,
      },
    },
  );
  supervisor.start();
  return { kind: 'supervising' };
}
