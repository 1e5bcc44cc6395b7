/**
 * The service's hooks as the service modes use them: the command and timeout of each hook are
 * read from the effective settings when it runs (a reload reaches the next run), its variables
 * are filled in, and its outcome is logged in one line. The stop hooks' budget lives in
 * stop-hooks.ts; the start hooks' handling in the modes (service-mode.ts, supervise/supervisor.ts).
 */
import { flagName } from '../settings/flag-name';
import type { HookName } from '../settings/operation-settings';
import type { StopReason } from '../lifecycle/lifecycle';
import type { HookResult } from './run-hook';

export interface HookContext {
  /** The app's process id, where there is one. */
  pid?: number | null;
  /** The app's exit code (post-stop). */
  exitCode?: number | null;
  reason?: StopReason;
  /** Resolves when the hook's time is up regardless of its own timeout (the stop budget). */
  until?: Promise<void>;
}

/** A hook that ran: its result and whether it counts as succeeded (exit code 0 in time). */
export type HookOutcome = HookResult & { ok: boolean };

export interface ServiceHooks {
  /** True when a command is set for `hook` now. */
  configured(hook: HookName): boolean;
  /** Runs `hook` if a command is set (null otherwise); logs a failed or timed-out run. Never rejects. */
  run(hook: HookName, ctx?: HookContext): Promise<HookOutcome | null>;
}

export interface ServiceHooksDeps {
  /** The hook settings in effect now (effectiveSettings().operation.hooks). */
  settings(): { commands: Record<HookName, string | null>; timeoutMs: number };
  /** Starts the command with its context; resolves when it ended or was ended. */
  exec(command: string, hook: HookName, timeoutMs: number, ctx: HookContext): Promise<HookResult>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** `pre-start` for `preStart`: how hooks are named in log lines (their flags without dashes). */
export const hookLabel = (hook: HookName): string => flagName(hook).slice(2);

/** What a failed outcome is, for a log line: `exited with code 1`, `timed out after 30 s`. */
export function describeOutcome(outcome: HookResult, elapsedMs: number): string {
  if (outcome.timedOut) return `was ended after ${(elapsedMs / 1000).toFixed(1)} s (its time ran out)`;
  return outcome.code === null ? 'could not be run' : `exited with code ${outcome.code}`;
}

export function serviceHooks(deps: ServiceHooksDeps): ServiceHooks {
  return {
    configured: (hook) => deps.settings().commands[hook] !== null,
    async run(hook, ctx = {}) {
      const { commands, timeoutMs } = deps.settings();
      const command = commands[hook];
      if (command === null) return null;
      const started = Date.now();
      deps.log('info', `running the ${hookLabel(hook)} hook`);
      const result = await deps.exec(command, hook, timeoutMs, ctx).catch((): HookResult => ({ code: null, timedOut: false }));
      const ok = !result.timedOut && result.code === 0;
      const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (ok) deps.log('info', `the ${hookLabel(hook)} hook finished in ${took}`);
      else if (hook !== 'preStart') deps.log('warn', `the ${hookLabel(hook)} hook ${describeOutcome(result, Date.now() - started)}`);
      return { ...result, ok };
    },
  };
}
