/**
 * A stop with its hooks: pre-stop, then the app's stop work, then post-stop — all inside ONE stop
 * budget (the stop timeout), never more. `deadline` resolves when the budget is spent (the
 * Lifecycle forces the stop then): each hook runs for at most min(hook timeout, what is left) —
 * it is ended at the deadline — and post-stop does not start once the budget is spent (logged).
 * Pure: the hooks, the app's stop work and the deadline are given.
 */
import type { StopReason } from '../lifecycle/lifecycle';
import type { HookName } from '../settings/operation-settings';
import { hookLabel, type ServiceHooks } from './service-hooks';

export interface StopWithHooks {
  reason: StopReason;
  /** Resolves when the stop timeout has passed. */
  deadline: Promise<void>;
  hooks: ServiceHooks;
  /** The app's stop work; resolves when the app has stopped. */
  appStop(): Promise<void>;
  /** The app's pid for pre-stop (null: none running). */
  appPid(): number | null;
  /** The app's exit code for post-stop, once it stopped. */
  appExitCode(): number | null;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export async function stopWithHooks(s: StopWithHooks): Promise<void> {
  let spent = false;
  let running: HookName | null = null;
  void s.deadline.then(() => {
    spent = true;
    // Logged now: the Lifecycle forces the stop (and the process may end) right after this.
    if (running) s.log('warn', `the ${hookLabel(running)} hook was ended: the stop timeout ran out`);
  });
  const run = async (hook: HookName, ctx: Parameters<ServiceHooks['run']>[1]) => {
    running = hook;
    try {
      await s.hooks.run(hook, ctx);
    } finally {
      running = null;
    }
  };
  await run('preStop', { reason: s.reason, pid: s.appPid(), until: s.deadline });
  if (spent) return; // the Lifecycle forces the stop: the app's stop work gets nothing left
  let failure: { err: unknown } | null = null;
  await Promise.race([s.appStop().catch((err: unknown) => void (failure = { err })), s.deadline]);
  if (spent) {
    if (s.hooks.configured('postStop')) s.log('warn', 'the post-stop hook was not run: the stop timeout was spent');
    return;
  }
  await run('postStop', { reason: s.reason, exitCode: s.appExitCode(), until: s.deadline });
  if (failure) throw (failure as { err: unknown }).err;
}
