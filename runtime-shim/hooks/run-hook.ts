/**
 * Runs one hook command (`--pre-start`, `--post-start`, `--pre-stop`, `--post-stop`):
 * `cmd.exe /d /s /c "<command>"` on Windows (`/bin/sh -c` elsewhere, for tests), no window, in the
 * service's working folder, with the service's environment plus the SVCPACK_* variables below.
 * Each line it writes to stdout/stderr becomes a service log record with source `hook`. When
 * `timeoutMs` passes, or `until` resolves first (the stop budget ran out), its whole process tree
 * is ended and the result says `timedOut`. Never rejects: a command that cannot be started ends
 * with code null.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { StopReason } from '../lifecycle/lifecycle';
import type { LogSink } from '../logging/log-sink';
import type { ProcessJob } from '../platform/platform';
import type { HookName } from '../settings/operation-settings';

export interface HookVariables {
  /** SVCPACK_SERVICE: the service name. */
  service: string;
  /** SVCPACK_HOOK: preStart, postStart, preStop or postStop. */
  hook: HookName;
  /** SVCPACK_DATA_DIR: the service's data folder. */
  dataDir: string;
  /** SVCPACK_PID: the app's process id, where there is one. */
  pid?: number | null;
  /** SVCPACK_EXIT_CODE (post-stop): the app's exit code. */
  exitCode?: number | null;
  /** SVCPACK_STOP_REASON (pre-stop, post-stop): stop, shutdown, preshutdown or console. */
  stopReason?: StopReason;
}

export interface HookResult {
  /** The command's exit code; null when it could not be started or was ended. */
  code: number | null;
  /** Ended because its time (the hook timeout or the stop budget) ran out. */
  timedOut: boolean;
}

export interface RunHookOptions {
  command: string;
  /** How long the command may run, in ms. */
  timeoutMs: number;
  vars: HookVariables;
  sink: LogSink;
  /** When this resolves before the command ends, the command is ended as timed out. */
  until?: Promise<unknown>;
  /**
   * A fresh job object for the command's process tree (Windows, supervised and in-process service
   * modes); without one, the tree is ended with `taskkill /T /F` (or a process group elsewhere).
   */
  createJob?: () => ProcessJob;
}

/** The environment variables a hook gets besides the service's own (pure). */
export function hookEnvironment(vars: HookVariables): Record<string, string> {
  const env: Record<string, string> = { SVCPACK_SERVICE: vars.service, SVCPACK_HOOK: vars.hook, SVCPACK_DATA_DIR: vars.dataDir };
  if (vars.pid !== undefined && vars.pid !== null) env.SVCPACK_PID = String(vars.pid);
  if (vars.exitCode !== undefined && vars.exitCode !== null) env.SVCPACK_EXIT_CODE = String(vars.exitCode);
  if (vars.stopReason !== undefined) env.SVCPACK_STOP_REASON = vars.stopReason;
  return env;
}

const isWindows = process.platform === 'win32';

export function runHook(opts: RunHookOptions): Promise<HookResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...hookEnvironment(opts.vars) };
    const child = isWindows
      ? spawn(commandInterpreter(), ['/d', '/s', '/c', `"${opts.command}"`], { env, windowsHide: true, windowsVerbatimArguments: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', opts.command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let job: ProcessJob | null = null;
    if (opts.createJob && child.pid) {
      try {
        job = opts.createJob();
        job.add(child.pid);
      } catch (err) {
        job = null;
        opts.sink.write('debug', 'hook', `no job object for the hook (${(err as Error).message}); its processes are ended with taskkill`);
      }
    }
    let settled = false;
    let timedOut = false;
    const out = forwardLines(child.stdout, opts.sink);
    const errOut = forwardLines(child.stderr, opts.sink);
    const endTree = (): void => {
      if (settled || timedOut) return;
      timedOut = true;
      killTree(child.pid, job);
    };
    const timer = setTimeout(endTree, opts.timeoutMs);
    timer.unref();
    void opts.until?.then(endTree);
    const done = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      out.flush();
      errOut.flush();
      resolve({ code: timedOut ? null : code, timedOut });
    };
    child.on('error', (err) => {
      opts.sink.write('error', 'hook', `could not run the hook command: ${err.message}`);
      done(null);
    });
    child.on('close', (code) => done(code));
  });
}

/** cmd.exe by full path: a service's environment may lack ComSpec and a PATH to System32. */
function commandInterpreter(): string {
  if (process.env.ComSpec) return process.env.ComSpec;
  return path.win32.join(process.env.SystemRoot || process.env.windir || 'C:\\Windows', 'System32', 'cmd.exe');
}

function killTree(pid: number | undefined, job: ProcessJob | null): void {
  if (!pid) return;
  try {
    if (job) {
      job.terminate(1);
      return;
    }
  } catch {
    // fall back to taskkill
  }
  try {
    if (isWindows) spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore', timeout: 5_000 });
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Writes each complete line of `stream` to `sink` as an info record with source `hook`. */
function forwardLines(stream: Readable | null, sink: LogSink): { flush(): void } {
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) sink.write('info', 'hook', line.replace(/\r$/, ''));
  });
  return {
    flush() {
      if (partial) sink.write('info', 'hook', partial.replace(/\r$/, ''));
      partial = '';
    },
  };
}
