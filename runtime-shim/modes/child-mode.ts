/**
 * The app's side of supervised mode (`<exe> --svcpack-supervised-child`, started by the
 * supervisor, never by hand). The app runs with the ordinary session: lifecycle records and
 * `service.log` lines go to the supervisor over IPC (it owns the log file), stdout/stderr stay
 * pipes the supervisor reads, "running" is reported when the lifecycle reaches it, and a `stop`
 * message runs the same onStop/SIGTERM path as in-process mode. The IPC channel is unref'ed so it
 * never keeps the app alive or counts as the app's stop work.
 */
import { watchHandledControls } from '../lifecycle/app-controls';
import { runAppControl } from '../lifecycle/control-work';
import { setEffectiveSettings } from '../settings/effective-settings';
import type { LogSink } from '../logging/log-sink';
import { createSession, type Session } from '../host/session';
import { sampleThisProcess } from '../status/status-report';
import { isToChild, type ToSupervisor } from '../supervise/ipc';
import { endWithTerminate } from '../lifecycle/stop/process-end';
import type { ExeContext } from '../exe-context';

/** The IPC channel to the supervisor, as child mode uses it. */
export interface SupervisorLink {
  readonly connected: boolean;
  send(message: ToSupervisor): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The channel closed: the supervisor is gone. */
  onDisconnect(listener: () => void): void;
  /** From now on the channel does not keep the process alive. */
  unref(): void;
}

/** This process's own IPC channel (the supervisor spawned it with one). */
export function processLink(): SupervisorLink {
  return {
    get connected() {
      return process.connected;
    },
    send: (message) => void process.send?.(message),
    onMessage: (listener) => void process.on('message', listener),
    onDisconnect: (listener) => void process.on('disconnect', listener),
    unref: () => (process.channel as { unref?(): void } | undefined)?.unref?.(),
  };
}

export function startChildMode(exe: ExeContext, link: SupervisorLink = processLink()): Session {
  const { config, platform } = exe;
  const send = (message: ToSupervisor): void => {
    if (link.connected) link.send(message);
  };
  // The supervisor logs starting/running/stopping/stopped itself; the app's lifecycle sends only
  // what the supervisor cannot know (crash stacks, forced stops).
  const sink: LogSink = {
    write: (level, source, message) => {
      if (source === 'lifecycle' && (level === 'info' || level === 'debug')) return;
      send({ type: 'log', level, source, message });
    },
  };
  const session = createSession({
    name: config.name,
    isService: true,
    mode: 'supervised',
    // The supervisor passes the data folder it resolved; by hand (never expected) use ProgramData.
    dataDir: process.env.SVCPACK_DATA_DIR || platform.dataDir(config.name, 'environment'),
    sink,
    report: (status) => {
      if (status.state === 'running') send({ type: 'running' });
    },
    ownListeners: new Set(),
    triggeredBy: () => undefined,
    heartbeat: () => send({ type: 'heartbeat' }),
    // The supervisor owns the service: it stops it, and this app's stop comes back as a 'stop' message.
    requestStop: (signal) => {
      if (link.connected) send({ type: 'stop-request', signal });
      else void session.lifecycle.stop('stop');
    },
  });
  link.onMessage((message) => {
    if (!isToChild(message)) return;
    if (message.type === 'usage') {
      send({ type: 'usage', sample: sampleThisProcess() });
      return;
    }
    if (message.type === 'stop') {
      void session.lifecycle.stop(message.reason);
      return;
    }
    // The supervisor owns the SCM state and the log: here only the app's handlers run.
    if (message.settings) setEffectiveSettings(message.settings);
    void runAppControl(message.control, sink).then(() => send({ type: 'control-done', id: message.id }));
  });
  // The supervisor accepts the app's controls only while the app has handlers for them.
  watchHandledControls((handled) => send({ type: 'controls', handled }));
  // A worker stuck in a native call would keep Node's own exit waiting: end like the service does.
  endWithTerminate(() => platform.terminateSelf());
  // Without a supervisor (it died and no job object took this process with it) stop cleanly.
  link.onDisconnect(() => void session.lifecycle.stop('stop'));
  link.unref();
  return session;
}
