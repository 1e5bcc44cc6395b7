/**
 * Starts the app as a child process of the supervisor: the same exe with CHILD_ARG, an IPC
 * channel for lifecycle messages, and pipes for stdout/stderr whose lines go to the service log
 * (the supervisor is the log's only writer, so rotation never races another process). The child
 * joins the supervisor's job object, so killTree ends it with everything it started.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { HandledControls } from '../lifecycle/app-controls';
import type { DeliveredControl } from '../lifecycle/lifecycle';
import type { LogSink } from '../logging/log-sink';
import type { RuntimeSettings } from '../settings/runtime-settings';
import type { ProcessJob } from '../platform/platform';
import type { ProcessSample } from '../status/status-report';
import { CHILD_ARG, isToSupervisor, type ToChild } from './ipc';
import type { AppChild, ChildEvent } from './supervisor';

export interface AppProcessOptions {
  exePath: string;
  sink: LogSink;
  /** null when no job object could be made: killTree then ends the child process only. */
  job: ProcessJob | null;
  /** Extra arguments the service was started with (after --service). */
  args: readonly string[];
  /** Added to the child's environment (SVCPACK_DATA_DIR: the data folder for service.dataDir). */
  env: Record<string, string>;
  /** The app's working folder (the `workingDir` setting); absent: the supervisor's own. */
  cwd?: string;
  /** The app's control handlers changed (it registered onPause, onControl…). */
  onControls(handled: HandledControls): void;
}

/** The app's child process, as the supervisor's mode sees it. */
export interface AppProcess extends AppChild {
  /**
   * The app process's own figures (memory, CPU, uptime), asked over IPC for the live status;
   * null when it has exited or does not answer within `timeoutMs` (its event loop is blocked).
   */
  usage(timeoutMs: number): Promise<ProcessSample | null>;
  /**
   * Runs the app's handlers for `control` in the child (with `settings` made effective there
   * first, for a reload); resolves when they settled, or when the child is gone.
   */
  control(control: DeliveredControl, settings?: RuntimeSettings): Promise<void>;
}

export function spawnApp(opts: AppProcessOptions, onEvent: (event: ChildEvent) => void): AppProcess {
  const child = spawn(opts.exePath, [CHILD_ARG, ...opts.args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    windowsHide: true,
    env: { ...process.env, ...opts.env },
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  const pid = child.pid ?? 0;
  let exited = false;
  const usageWaiters = new Set<(sample: ProcessSample | null) => void>();
  if (opts.job && pid) {
    try {
      opts.job.add(pid);
    } catch (err) {
      opts.sink.write('warn', 'lifecycle', `could not put the app (pid ${pid}) into the job object: ${(err as Error).message}`);
    }
  }
  const pending = { stdout: forwardLines(child.stdout, 'stdout', opts.sink), stderr: forwardLines(child.stderr, 'stderr', opts.sink) };
  let nextControlId = 1;
  const controlsPending = new Map<number, () => void>();
  child.on('message', (message: unknown) => {
    if (!isToSupervisor(message)) return;
    if (message.type === 'log') opts.sink.write(message.level, message.source, message.message);
    else if (message.type === 'usage') for (const waiter of [...usageWaiters]) waiter(message.sample);
    else if (message.type === 'controls') opts.onControls(message.handled);
    else if (message.type === 'control-done') {
      controlsPending.get(message.id)?.();
      controlsPending.delete(message.id);
    } else if (message.type === 'stop-request') onEvent({ type: 'stop-request', signal: message.signal });
    else onEvent({ type: message.type });
  });
  child.on('error', (err) => opts.sink.write('error', 'lifecycle', `app process error: ${err.message}`));
  // 'close' comes after the exit and after stdout/stderr have ended: no line is lost.
  child.on('close', (code) => {
    exited = true;
    for (const waiter of [...usageWaiters]) waiter(null);
    for (const done of controlsPending.values()) done();
    controlsPending.clear();
    pending.stdout.flush();
    pending.stderr.flush();
    onEvent({ type: 'exit', code });
  });
  return {
    pid,
    requestStop(reason) {
      const message: ToChild = { type: 'stop', reason };
      if (child.connected) child.send(message);
    },
    control(control, settings) {
      if (exited || !child.connected) return Promise.resolve();
      const id = nextControlId++;
      const message: ToChild = { type: 'control', id, control, ...(settings ? { settings } : {}) };
      return new Promise<void>((resolve) => {
        controlsPending.set(id, resolve);
        child.send(message);
      });
    },
    usage(timeoutMs) {
      if (exited || !child.connected) return Promise.resolve(null);
      return new Promise((resolve) => {
        const timer = setTimeout(() => waiter(null), timeoutMs);
        const waiter = (sample: ProcessSample | null): void => {
          clearTimeout(timer);
          usageWaiters.delete(waiter);
          resolve(sample);
        };
        usageWaiters.add(waiter);
        const message: ToChild = { type: 'usage' };
        try {
          child.send(message);
        } catch {
          waiter(null); // the channel closed meanwhile: the app is exiting
        }
      });
    },
    killTree() {
      try {
        if (opts.job) {
          opts.job.terminate(1);
          return;
        }
      } catch {
        // fall back to the child alone
      }
      if (!exited) child.kill();
    },
  };
}

/**
 * Writes the complete lines of each chunk of `stream` to `sink` as one multi-line write (a chunk's
 * lines land in the same log file); `flush` writes a trailing partial line.
 */
function forwardLines(stream: Readable | null, source: 'stdout' | 'stderr', sink: LogSink): { flush(): void } {
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    // One write per chunk: formatRecord makes each line its own record, in one syscall.
    if (lines.length > 0) sink.write('info', source, lines.map((line) => line.replace(/\r$/, '')).join('\n'));
  });
  return {
    flush() {
      if (partial) sink.write('info', source, partial);
      partial = '';
    },
  };
}
