/**
 * `svcpack build --watch --restart`: after a successful rebuild, the locally installed service of
 * the build's name is stopped, its exe replaced by the new one and started again, through the
 * exe's own commands (`<exe> status --json`, `<exe> stop`, `<exe> start`; runtime-shim/commands/).
 *
 * Where the installed exe is: `status --json`'s `binaryPath` (the SCM's command line). The install
 * scripts register the exe where it lies, so it usually IS the build's output: then the service is
 * stopped before the new exe is moved over it (Windows locks a running exe; build.ts's
 * `beforeCommit` hook) and started after. An exe elsewhere (an MSI install under Program Files) is
 * stopped, overwritten with a copy of the new exe and started.
 *
 * Everything the sequence does to the machine goes through a {@link ServiceHost}: on Windows the
 * exe runs directly ({@link localServiceHost}); the tests run it under Wine, or fake it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { imagePathExe } from '../../runtime-shim/commands/scm-config';
import { failure } from '../errors';

/** What one run of an exe's command gave. */
export interface HostRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The machine the service is installed on, as the restart sequence uses it. */
export interface ServiceHost {
  /** Runs `<exe> <args>` (a local path) to its end; rejects only when it cannot be run at all. */
  run(exe: string, args: string[]): Promise<HostRunResult>;
  /** Copies `from` over `to` (local paths), replacing it. */
  copy(from: string, to: string): Promise<void>;
  /** The local path of a path the SCM stores (`C:\…` on Windows; `Z:\tmp\…` under Wine is `/tmp/…`). */
  localPath(scmPath: string): string;
  /** Whether two local paths name the same file (case-insensitive on Windows). */
  samePath(a: string, b: string): boolean;
  /**
   * Resolves once `file` (a stopped service's exe) can be replaced: Windows keeps a process's
   * image locked for a moment after the service reports STOPPED. Optional: resolves at once.
   */
  released?(file: string): Promise<void>;
}

/** What a restart after a rebuild did, for the rebuild's line. */
export type RestartOutcome =
  /** Stopped (when it ran), replaced and started; `copiedTo`: the installed exe lies elsewhere and was overwritten. */
  | { kind: 'restarted'; ms: number; copiedTo?: string }
  /** No service of that name is installed: nothing was done. */
  | { kind: 'not-installed' }
  /** A step failed: the line `<what> — <how to fix>` of a SvcpackError (SERVICE_RESTART_FAILED). */
  | { kind: 'failed'; message: string; hint: string };

/** The part of `status --json` the sequence reads. */
interface InstalledService {
  installed: boolean;
  state?: string;
  /** The installed exe, local path. */
  exe?: string;
}

/**
 * The restart sequence for one watch session: service `name`, whose exe the build writes to
 * `outputExe` (absolute). Per rebuild: {@link beforeCommit} (as build()'s hook), then
 * {@link afterBuild} when the build succeeded or {@link afterFailure} when it did not.
 */
export class ServiceRestarter {
  /** Set by beforeCommit for the rebuild under way. */
  private probed: InstalledService | undefined;
  private stoppedAt: number | undefined;

  constructor(
    readonly name: string,
    readonly outputExe: string,
    private readonly host: ServiceHost,
  ) {}

  /**
   * Right before the new outputs are moved into place: when the installed service runs the output
   * exe itself, stops it (waiting for the exe to be released). Throws SERVICE_RESTART_FAILED when it
   * cannot be stopped: the build then fails and the old exe stays.
   */
  async beforeCommit(): Promise<void> {
    const t = performance.now();
    this.probed = undefined;
    this.stoppedAt = undefined;
    try {
      if (!(await exists(this.outputExe))) return; // the first build: asked after it, with the new exe
      const service = await this.status(this.outputExe);
      this.probed = service;
      if (!service.installed || !service.exe || !this.host.samePath(service.exe, this.outputExe)) return;
      const stopping = performance.now();
      await this.command(this.outputExe, 'stop');
      this.stoppedAt = stopping; // stopped: a build failing from here on starts it again (afterFailure)
      await this.host.released?.(this.outputExe);
    } finally {
      this.hookMs = performance.now() - t;
    }
  }

  /**
   * How long the last {@link beforeCommit} took, in ms: time spent on the service inside build(),
   * which a rebuild's own time leaves out (the restart's time holds the stop).
   */
  hookMs = 0;

  /** After a successful build: starts the service on the new exe (copying it first when it lies elsewhere). Never throws. */
  async afterBuild(): Promise<RestartOutcome> {
    const started = this.stoppedAt ?? performance.now();
    try {
      const service = this.probed ?? (await this.status(this.outputExe));
      if (!service.installed || !service.exe) return { kind: 'not-installed' };
      if (this.host.samePath(service.exe, this.outputExe)) {
        // Stopped before the commit, unless the output exe did not exist then (nothing ran it).
        if (this.stoppedAt === undefined) await this.command(this.outputExe, 'stop');
        await this.command(this.outputExe, 'start');
        return { kind: 'restarted', ms: performance.now() - started };
      }
      await this.command(service.exe, 'stop');
      await this.host.released?.(service.exe);
      try {
        await this.host.copy(this.outputExe, service.exe);
      } catch (err) {
        throw failure('SERVICE_RESTART_FAILED', `cannot replace ${service.exe} with the new exe: ${(err as Error).message}`, 'run svcpack from an elevated prompt (the installed exe is where only administrators may write)', err);
      }
      await this.command(service.exe, 'start');
      return { kind: 'restarted', ms: performance.now() - started, copiedTo: service.exe };
    } catch (err) {
      return outcomeOf(err);
    } finally {
      this.probed = undefined;
      this.stoppedAt = undefined;
    }
  }

  /**
   * After a failed build: when beforeCommit had stopped the service, starts it again on the old exe
   * (still in place). Resolves to undefined when nothing was stopped. Never throws.
   */
  async afterFailure(): Promise<RestartOutcome | undefined> {
    if (this.stoppedAt === undefined) return undefined;
    const started = this.stoppedAt;
    this.probed = undefined;
    this.stoppedAt = undefined;
    try {
      await this.command(this.outputExe, 'start');
      return { kind: 'restarted', ms: performance.now() - started };
    } catch (err) {
      return outcomeOf(err);
    }
  }

  /** `<exe> status --json`, read. */
  private async status(exe: string): Promise<InstalledService> {
    const r = await this.runExe(exe, ['status', '--json']);
    let report: { installed?: unknown; state?: unknown; binaryPath?: unknown };
    try {
      report = JSON.parse(r.stdout) as typeof report;
    } catch {
      throw failure('SERVICE_RESTART_FAILED', `${path.basename(exe)} status --json did not print a status (exit ${r.code}): ${firstLine(r.stderr || r.stdout)}`, `run "${exe} status" to see why`);
    }
    if (r.code !== 0 || typeof report.installed !== 'boolean') {
      throw failure('SERVICE_RESTART_FAILED', `${path.basename(exe)} status --json failed (exit ${r.code}): ${firstLine(r.stderr || r.stdout)}`, `run "${exe} status" to see why`);
    }
    if (!report.installed) return { installed: false };
    const exePath = typeof report.binaryPath === 'string' && report.binaryPath !== '' ? this.host.localPath(imagePathExe(report.binaryPath)) : undefined;
    return { installed: true, ...(typeof report.state === 'string' ? { state: report.state } : {}), ...(exePath ? { exe: exePath } : {}) };
  }

  /** `<exe> stop` or `<exe> start`; throws SERVICE_RESTART_FAILED with the exe's own message when it fails. */
  private async command(exe: string, verb: 'stop' | 'start'): Promise<void> {
    const r = await this.runExe(exe, [verb]);
    if (r.code === 0) return;
    const said = firstLine(r.stderr || r.stdout).replace(/^\S+?: /, '');
    throw failure(
      'SERVICE_RESTART_FAILED',
      `cannot ${verb} ${this.name}: ${said || `${path.basename(exe)} ${verb} exited with ${r.code}`}`,
      /access|denied|administrator|elevat/i.test(said) ? 'run svcpack from an elevated prompt (stopping and starting a service needs administrator rights)' : `run "${exe} ${verb}" to see why`,
    );
  }

  private async runExe(exe: string, args: string[]): Promise<HostRunResult> {
    try {
      return await this.host.run(exe, args);
    } catch (err) {
      throw failure('SERVICE_RESTART_FAILED', `cannot run ${exe} ${args.join(' ')}: ${(err as Error).message}`, 'check that the exe exists and can run here', err);
    }
  }
}

/** The outcome of a failed step: a SvcpackError's what and how, or an unexpected error's message. */
function outcomeOf(err: unknown): RestartOutcome {
  const e = err as { message?: string; hint?: string };
  return { kind: 'failed', message: e.message ?? String(err), hint: e.hint ?? '' };
}

const firstLine = (text: string): string => text.trim().split(/\r?\n/)[0] ?? '';

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * The host svcpack runs on, when that is the Windows machine the service is installed on: runs
 * the exe directly, copies with fs, waits (at most 10 s) for a stopped service's exe to be
 * released by opening it for writing.
 */
export function localServiceHost(): ServiceHost {
  return {
    run: (exe, args) =>
      new Promise((resolve, reject) => {
        const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      }),
    copy: (from, to) => fs.copyFile(from, to),
    localPath: (scmPath) => scmPath,
    samePath: (a, b) => (process.platform === 'win32' ? path.resolve(a).toLowerCase() === path.resolve(b).toLowerCase() : path.resolve(a) === path.resolve(b)),
    released: async (file) => {
      const deadline = performance.now() + 10_000;
      for (;;) {
        try {
          await (await fs.open(file, 'r+')).close();
          return;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if ((code !== 'EBUSY' && code !== 'EPERM' && code !== 'EACCES') || performance.now() > deadline) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
