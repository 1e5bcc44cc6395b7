/**
 * Running as a Windows service (`<exe> --service`, started by the SCM).
 *
 * Logoff and shutdown: the system sends CTRL_LOGOFF_EVENT / CTRL_SHUTDOWN_EVENT to services'
 * console control handlers, and Go's and .NET's runtimes once killed services from such handlers
 * (golang/go#40167, dotnet/runtime#83093). Here that cannot happen: service mode registers no
 * SIGINT/SIGBREAK/SIGHUP listeners, so Node installs no console handler of its own; and if the app
 * registers one, libuv's handler (uv__signal_control_handler) returns FALSE for LOGOFF/SHUTDOWN
 * without emitting any signal, leaving the event to the system's default handling, which does not
 * end a service process. The only way this process stops is an SCM control (stop, shutdown,
 * preshutdown) through HandlerEx, or the app itself exiting.
 */
import { readAsset } from './assets';
import { exeConfig } from './exe-config';
import { captureStdio, teeSink } from './log-file';
import { createEventLogSink } from './logging/event-log-sink';
import { RotatingLogFile } from './logging/rotating-file';
import { bindAdvapi32 } from './scm/advapi32';
import { loadNativeModule, type Koffi } from './scm/native-module';
import { ServiceController } from './scm/service-controller';
import { createSession, logDirIn, type Session } from './session';
import { dataDirFor, programData } from './manage/data-dir';
import { programDataFolder } from './scm/manager-bindings';

export type ServiceModeResult = { kind: 'session'; session: Session } | { kind: 'not-started-by-scm' };

export async function startServiceMode(): Promise<ServiceModeResult> {
  const koffi = loadNativeModule<Koffi>('koffi.node', () => readAsset('koffi.node'), exeConfig.koffiSha256);
  const api = bindAdvapi32(koffi);
  let log: RotatingLogFile | null = null;
  const controller = new ServiceController(api, exeConfig.name, (message) => log?.write('error', 'lifecycle', message));

  let session: Session | null = null;
  const connected = await controller.connect((request) => session?.lifecycle.control(request) ?? false);
  if (connected === 'not-started-by-scm') return { kind: 'not-started-by-scm' };

  const dataDir = dataDirFor(exeConfig.name, programData(() => programDataFolder(koffi)));
  log = new RotatingLogFile({ dir: logDirIn(dataDir), name: exeConfig.name, settings: exeConfig.logging });
  const eventLog = exeConfig.logging.eventLog ? createEventLogSink(koffi, exeConfig.name) : null;
  const sink = eventLog ? teeSink(log, eventLog) : log;
  const stdio = captureStdio(sink);
  session = createSession({
    isService: true,
    dataDir,
    sink,
    report: (status) => controller.report(status),
    ownListeners: new Set(),
    triggeredBy: () => undefined,
    beforeExit: () => {
      stdio.flush();
      eventLog?.close();
    },
  });
  return { kind: 'session', session };
}
