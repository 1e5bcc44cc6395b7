/**
 * What the Wine drivers share: loading koffi.node as the exe does (process.dlopen), and a JSON
 * report of named steps, rewritten after every step so that a crash still leaves what happened
 * before it (node.exe under Wine cannot write to a Linux pipe, so the report is a file).
 */
import fs from 'node:fs';
import type { Koffi } from '../../../runtime-shim/addons/native-module';

export type StepResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; message: string; fn?: string; code?: number } };

export interface StepReport {
  steps: Record<string, StepResult>;
  done: boolean;
  fatal?: string;
}

export function loadKoffi(file: string): Koffi {
  const mod = { exports: {} as Koffi };
  process.dlopen(mod, file);
  return mod.exports;
}

export class StepRecorder {
  readonly report: StepReport = { steps: {}, done: false };

  constructor(private readonly file: string) {}

  /** Runs `work` and records its result; `show` turns a value that does not serialize (a handle) into one that does. */
  step<T>(name: string, work: () => T, show: (value: T) => unknown = (value) => value): T | undefined {
    try {
      const value = work();
      this.succeeded(name, value === undefined ? null : show(value));
      return value;
    } catch (err) {
      this.failed(name, err);
      return undefined;
    }
  }

  /** {@link step} for asynchronous work. */
  async stepAsync<T>(name: string, work: () => T | Promise<T>): Promise<T | undefined> {
    try {
      const value = await work();
      this.succeeded(name, value === undefined ? null : value);
      return value;
    } catch (err) {
      this.failed(name, err);
      return undefined;
    }
  }

  /** Records a value that was not the result of a step. */
  note(name: string, value: unknown): void {
    this.succeeded(name, value);
  }

  /** Runs the driver's body: `done` when it returns, `fatal` when it throws; saved either way. */
  async run(body: () => void | Promise<void>): Promise<void> {
    try {
      await body();
      this.report.done = true;
    } catch (err) {
      this.report.fatal = err instanceof Error ? (err.stack ?? err.message) : String(err);
    }
    this.save();
  }

  private succeeded(name: string, value: unknown): void {
    this.report.steps[name] = { ok: true, value };
    this.save();
  }

  private failed(name: string, err: unknown): void {
    const e = err as Error & { fn?: string; code?: number };
    this.report.steps[name] = { ok: false, error: { name: e.name, message: e.message, fn: e.fn, code: e.code } };
    this.save();
  }

  private save(): void {
    fs.writeFileSync(this.file, JSON.stringify(this.report, null, 2));
  }
}
