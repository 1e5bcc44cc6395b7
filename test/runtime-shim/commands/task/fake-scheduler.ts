/**
 * An in-memory Task Scheduler behind TaskSchedulerApi: stores definitions as registered (or, with
 * `lossy`, as Wine 10 keeps them: no triggers, principal or Exec), records registrations (the
 * password too, so tests can check it arrived and was never printed) and can refuse calls.
 */
import {
  E_NOTIMPL,
  HRESULT_FILE_NOT_FOUND,
  TaskSchedulerError,
  type TaskRegistration,
  type TaskRunInfo,
  type TaskSchedulerApi,
} from '../../../../runtime-shim/platform/scheduler-api';

export class FakeScheduler implements TaskSchedulerApi {
  tasks = new Map<string, string>();
  registrations: Array<{ name: string; xml: string; as: TaskRegistration }> = [];
  info: TaskRunInfo = { state: 'ready', lastRunTime: '', lastResult: 0x41303, nextRunTime: '2026-12-03T03:00:00' };
  runs: string[] = [];
  stops: string[] = [];
  /** Methods that fail with this HRESULT. */
  failing = new Map<keyof TaskSchedulerApi, number>();

  constructor(readonly opts: { lossy?: boolean } = {}) {}

  private check(fn: keyof TaskSchedulerApi): void {
    const hr = this.failing.get(fn);
    if (hr !== undefined) throw new TaskSchedulerError(`fake ${fn}`, hr);
  }

  definition(name: string): string | null {
    this.check('definition');
    return this.tasks.get(name.toLowerCase()) ?? null;
  }
  register(name: string, xml: string, as: TaskRegistration): void {
    this.check('register');
    this.registrations.push({ name, xml, as });
    const stored = this.opts.lossy
      ? xml.replace(/<Triggers>[\s\S]*<\/Triggers>/, '<Triggers/>').replace(/<Principal [\s\S]*<\/Principal>/, '<Principal>\n</Principal>').replace(/<Exec>[\s\S]*<\/Exec>/, '<Exec/>')
      : xml;
    this.tasks.set(name.toLowerCase(), stored);
  }
  remove(name: string): boolean {
    this.check('remove');
    return this.tasks.delete(name.toLowerCase());
  }
  private existing(name: string): void {
    if (!this.tasks.has(name.toLowerCase())) throw new TaskSchedulerError('fake GetTask', HRESULT_FILE_NOT_FOUND);
  }
  runInfo(name: string): TaskRunInfo {
    this.check('runInfo');
    this.existing(name);
    return { ...this.info };
  }
  run(name: string): void {
    this.check('run');
    this.existing(name);
    this.runs.push(name);
  }
  stop(name: string): void {
    this.check('stop');
    this.existing(name);
    this.stops.push(name);
  }
}

/** Wine 10: no Run, no Stop. */
export function wineScheduler(): FakeScheduler {
  const s = new FakeScheduler({ lossy: true });
  s.failing.set('run', E_NOTIMPL);
  s.failing.set('stop', E_NOTIMPL);
  s.info = { state: 'ready', lastRunTime: '', lastResult: null, nextRunTime: null };
  return s;
}
