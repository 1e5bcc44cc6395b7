/**
 * Runs a mode's startup inside the test process and puts the process back afterwards: the modes
 * install process-wide things (listeners for crashes, signals and exit, process.kill's self-signal
 * wrapper, process.exit's TerminateProcess ending, captured stdout/stderr, the working folder).
 * process.exit is replaced by a recorder — or by a throw, for code that must not go on after it.
 */
import { vi } from 'vitest';

const EVENTS = ['uncaughtException', 'unhandledRejection', 'exit', 'beforeExit', 'message', 'disconnect', 'SIGINT', 'SIGBREAK', 'SIGHUP', 'SIGTERM'] as const;
type SandboxEvent = (typeof EVENTS)[number];

/** Thrown by process.exit under `exitThrows`. */
export class ExitCalled extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${code})`);
  }
}

export interface ProcessSandbox {
  /** The codes process.exit was called with. */
  exits: (number | undefined)[];
  /** What was written to stdout and stderr while captured here. */
  stdout: string[];
  stderr: string[];
  /** Calls the listeners the mode added for `event` (a signal, 'exit'), as Node would. */
  emitAdded(event: SandboxEvent, ...args: unknown[]): void;
  /** How many listeners the mode added for `event`. */
  added(event: SandboxEvent): number;
  restore(): void;
}

/** Signals whose listeners the test runner may own: detached while a mode runs, so its stop work never counts or calls them. */
const SIGNALS = ['SIGINT', 'SIGBREAK', 'SIGHUP', 'SIGTERM'] as const;

type Patched = { reallyExit: unknown; kill: unknown };
type Listener = (...args: unknown[]) => void;

export function sandboxProcess(opts: { exitThrows?: boolean } = {}): ProcessSandbox {
  const listeners = (event: SandboxEvent) => process.listeners(event as NodeJS.Signals) as Listener[];
  const detached = SIGNALS.map((signal) => [signal, listeners(signal)] as const);
  for (const [signal, list] of detached) for (const listener of list) process.removeListener(signal, listener);
  const before = new Map(EVENTS.map((event) => [event, new Set(listeners(event))]));
  const addedTo = (event: SandboxEvent) => listeners(event).filter((listener) => !before.get(event)!.has(listener));
  const patched = process as unknown as Patched;
  const saved = {
    reallyExit: patched.reallyExit,
    kill: patched.kill,
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
    cwd: process.cwd(),
    argv: [...process.argv],
    exitCode: process.exitCode,
  };
  const sandbox: ProcessSandbox = {
    exits: [],
    stdout: [],
    stderr: [],
    emitAdded(event, ...args) {
      for (const listener of addedTo(event)) listener(...args);
    },
    added: (event) => addedTo(event).length,
    restore() {
      exit.mockRestore();
      for (const event of EVENTS) for (const listener of addedTo(event)) process.removeListener(event, listener);
      for (const [signal, list] of detached) for (const listener of list) process.on(signal, listener);
      patched.reallyExit = saved.reallyExit;
      patched.kill = saved.kill;
      process.stdout.write = saved.stdoutWrite;
      process.stderr.write = saved.stderrWrite;
      process.chdir(saved.cwd);
      process.argv.splice(0, process.argv.length, ...saved.argv);
      process.exitCode = saved.exitCode;
    },
  };
  const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    sandbox.exits.push(code);
    if (opts.exitThrows) throw new ExitCalled(code);
    return undefined as never;
  }) as typeof process.exit);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    sandbox.stdout.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    sandbox.stderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  return sandbox;
}
