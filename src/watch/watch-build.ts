/**
 * `svcpack build --watch` and the API's `watchBuild(options, hooks)`: one build, then a rebuild
 * whenever one of the app's inputs changes, until {@link Watcher.stop} (the CLI: Ctrl-C).
 *
 * What is watched, refreshed after every build: the last successful build's bundle inputs (its
 * record's `inputs`, project-relative), the project's package.json, tsconfig.json and
 * package-lock.json, and `hooks.files` (the CLI: the config file). While the last build failed,
 * also every folder of the project but node_modules, the output folder and hidden folders, so a
 * newly imported file whose error broke the build is seen when it is fixed. Folders are watched
 * with Node's `fs.watch`, one watcher per folder (an editor that saves by writing a new file and
 * renaming it over the old one is seen, as it would not be by a watcher of the file).
 *
 * Changes are debounced (`debounceMs`, 40 ms: an editor's several writes make one rebuild). A
 * change during a build queues one rebuild after it (at most one is pending). A failed build is
 * reported and watching goes on; only at the start does a usage error that is not about the
 * app's sources (bad options: an entry that does not exist, a bad name, a missing MSI tool) end
 * it, as watchBuild's rejection. Stopping waits for the build (and restart) under way: build()
 * stages its outputs and moves them into place together, and that is never cut short.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type BuildEvent, type BuildResult } from '../build';
import { BundleSession } from '../bundle/bundle-session';
import { resolveBuildOptions, type BuildOptions } from '../config/options';
import { recordFileName } from '../emit/build-record';
import { errorLine, SvcpackError, usageError } from '../errors';
import { TARGET_INFO } from '../targets';
import { localServiceHost, ServiceRestarter, type RestartOutcome, type ServiceHost } from './restart';

/** What one build of a watch session gave: its line and its JSON object. */
export interface RebuildReport {
  ok: boolean;
  /** When the build ended. */
  at: Date;
  /** Wall time of the build in ms, from the call to build() to its outputs in place, less the time spent stopping the service for `restart`. */
  ms: number;
  /** The first build of the session (the one before watching starts) or a rebuild. */
  first: boolean;
  /** The built executable (absolute), when ok. */
  executable?: string;
  /** The build's result, when ok. */
  result?: BuildResult;
  /** Why it failed, when not ok: the error (a SvcpackError, normally) and its one CLI line. */
  error?: { code?: string; message: string; hint?: string; line: string; cause: unknown };
  /** With `restart`: what the restart did (after a failed build: only when the service had been stopped for it). */
  restart?: RestartOutcome;
}

export interface WatchHooks {
  /** Every build's progress event (warnings included), as build()'s onEvent. */
  onEvent?: (e: BuildEvent) => void;
  /** Called after every build (the first included), in order. */
  onRebuild?: (report: RebuildReport) => void;
  /** Cache folder for Node runtimes, as build()'s. */
  cacheDir?: string;
  /** The options of each rebuild (the CLI reads the config again); default: the options given. A rejection is that rebuild's failure. */
  reload?: () => Promise<BuildOptions>;
  /** More files to watch (absolute), besides the app's inputs: the config file. */
  files?: string[];
  /** Debounce in ms (default 40). */
  debounceMs?: number;
  /**
   * Restart the installed service after each successful build (`--restart`): `true` runs the exe
   * directly (Windows only; elsewhere a usage error), a ServiceHost runs it its own way (under Wine).
   */
  restart?: boolean | ServiceHost;
  /** Called when the set of watched paths changes (tests). */
  onWatching?: (paths: string[]) => void;
}

export interface Watcher {
  /** Stops watching; resolves when the build (and restart) under way has finished. Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when the session ends (after stop()). */
  readonly done: Promise<void>;
  /** The folders and files watched now (absolute; a folder watched whole ends with the path separator). */
  watching(): string[];
}

/** The default debounce, ms. */
export const DEBOUNCE_MS = 40;

/** The error codes of a build whose sources are wrong: fixing a watched file fixes them, so they never end watch mode. */
const SOURCE_ERRORS = new Set(['BUNDLE_SYNTAX', 'BUNDLE_UNRESOLVED', 'BUNDLE_FAILED']);

/** The project files watched besides the bundle's inputs. */
const PROJECT_FILES = ['package.json', 'tsconfig.json', 'package-lock.json'];

/** At most this many folders are watched whole while the build is broken. */
const MAX_FALLBACK_FOLDERS = 2000;

/**
 * Checks the options (a usage error throws, as `build` does, before anything is built), builds
 * once, then watches; resolves once the first build has ended and watching has begun. Rejects with
 * the first build's error when it is a usage error not about the app's sources.
 */
export async function watchBuild(options: BuildOptions, hooks: WatchHooks = {}): Promise<Watcher> {
  const plan = resolveBuildOptions(options);
  const host = restartHost(hooks.restart, plan, path.resolve(options.cwd ?? process.cwd()));
  const restarter = host
    ? new ServiceRestarter(plan.name, path.join(plan.outDir, TARGET_INFO['win-x64'].executable(plan.name)), host)
    : undefined;
  const session = new WatchSession(options, hooks, restarter, plan.projectDir, plan.outDir);
  const first = await session.runBuild(true);
  if (!first.ok && first.error?.cause instanceof SvcpackError && first.error.cause.exitCode === 2 && !SOURCE_ERRORS.has(first.error.cause.code)) {
    await session.stop();
    throw first.error.cause;
  }
  session.start();
  return { stop: () => session.stop(), done: session.done, watching: () => session.watchedPaths() };
}

/** The host restart runs on, or undefined without `restart`; a usage error when it cannot restart here. */
function restartHost(restart: WatchHooks['restart'], plan: { name: string; targets: readonly string[]; outDir: string }, cwd: string): ServiceHost | undefined {
  if (!restart) return undefined;
  const outDir = path.relative(cwd, plan.outDir).split(path.sep).join('/') || '.';
  if (restart === true && process.platform !== 'win32') {
    throw usageError(
      'USAGE',
      `--restart restarts the Windows service installed on this machine, and this machine runs ${process.platform}`,
      `run it on the Windows machine the service is installed on, or drop --restart (a Linux service: sudo sh ${outDir}/install-${plan.name}.sh after a build)`,
    );
  }
  if (!plan.targets.includes('win-x64')) {
    throw usageError('USAGE', '--restart restarts the win-x64 service, and this build has no win-x64 target', 'drop --restart, or add --target win-x64');
  }
  return restart === true ? localServiceHost() : restart;
}

/** A folder's watcher and what in it counts: a set of names, or every name (`'all'`). */
interface FolderWatch {
  watcher: fs.FSWatcher;
  names: Set<string> | 'all';
}

class WatchSession {
  private readonly folders = new Map<string, FolderWatch>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private stopped = false;
  private started = false;
  /** The last successful build's inputs (absolute) and output names (never a trigger). */
  private inputs: string[] = [];
  private outputs = new Set<string>();
  private lastOk = false;
  private options: BuildOptions;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  /** The last build's removal of its staging folder, run after the build was reported (BuildHooks.afterOutputs). */
  private removal: Promise<void> | undefined;

  /** Waits for the last build's staging folder to be gone (a failure was a warning: the outputs are in place). */
  private async settleRemoval(): Promise<void> {
    const removal = this.removal;
    this.removal = undefined;
    await removal;
  }

  /** A failed removal of a staging folder (OutputStage.close) as a warning: the outputs are in place. */
  private warnRemoval(err: unknown): void {
    this.hooks.onEvent?.({ type: 'warning', message: err instanceof SvcpackError ? err.text() : `cannot remove the staging folder: ${String(err)}` });
  }

  /** The rebuilds' esbuild contexts: an edit re-parses only what changed. */
  private readonly bundles = new BundleSession();

  constructor(
    options: BuildOptions,
    private readonly hooks: WatchHooks,
    private readonly restarter: ServiceRestarter | undefined,
    private projectDir: string,
    private outDir: string,
  ) {
    this.options = options;
  }

  /** Begins watching (after the first build). */
  start(): void {
    this.started = true;
    if (!this.stopped) this.refresh();
  }

  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      clearTimeout(this.timer);
      this.pending = false;
      for (const { watcher } of this.folders.values()) watcher.close();
      this.folders.clear();
    }
    await this.running;
    await this.settleRemoval();
    await this.bundles.dispose();
    this.resolveDone();
  }

  watchedPaths(): string[] {
    return [...this.folders].flatMap(([dir, w]) => (w.names === 'all' ? [dir + path.sep] : [...w.names].map((n) => path.join(dir, n)))).sort();
  }

  /** One build (with its restart), reported through onRebuild. */
  async runBuild(first: boolean): Promise<RebuildReport> {
    let report!: RebuildReport;
    const work = (async () => {
      await this.settleRemoval();
      const t = performance.now();
      try {
        if (!first && this.hooks.reload) this.options = await this.hooks.reload();
        if (this.restarter) this.restarter.hookMs = 0;
        const result = await build(this.options, {
          onEvent: this.hooks.onEvent,
          cacheDir: this.hooks.cacheDir,
          bundleSession: this.bundles,
          // Its failure becomes a warning at once: a rejection left unhandled until the next build would end the process.
          afterOutputs: (removal) => (this.removal = removal.catch((err: unknown) => this.warnRemoval(err))),
          ...(this.restarter ? { beforeCommit: () => this.restarter!.beforeCommit() } : {}),
        });
        const ms = performance.now() - t - (this.restarter?.hookMs ?? 0);
        this.remember(result);
        const restart = this.restarter ? await this.restarter.afterBuild() : undefined;
        report = { ok: true, at: new Date(), ms, first, executable: result.files[0], result, ...(restart ? { restart } : {}) };
      } catch (err) {
        const ms = performance.now() - t - (this.restarter?.hookMs ?? 0);
        this.lastOk = false;
        const restart = await this.restarter?.afterFailure();
        const e = err instanceof SvcpackError ? { code: err.code, message: err.message, hint: err.hint } : { message: (err as Error)?.message ?? String(err) };
        report = { ok: false, at: new Date(), ms, first, error: { ...e, line: errorLine(err), cause: err }, ...(restart ? { restart } : {}) };
      }
      this.hooks.onRebuild?.(report);
    })();
    this.running = work;
    await work;
    this.running = undefined;
    if (this.started) this.refresh();
    return report;
  }

  /** What a successful build tells about the watch set. */
  private remember(result: BuildResult): void {
    this.lastOk = true;
    try {
      const plan = resolveBuildOptions(this.options);
      this.projectDir = plan.projectDir;
      this.outDir = plan.outDir;
    } catch {
      // resolved a moment ago by build(); keep the last folders
    }
    this.inputs = Object.keys(result.record.inputs)
      .filter((file) => !/^[a-z][\w-]+:/i.test(file)) // esbuild namespaces (virtual modules), not files
      .map((file) => path.resolve(this.projectDir, file));
    this.outputs = new Set([...Object.keys(result.record.outputs), recordFileName(result.record.name)].map((f) => path.resolve(result.record.outDir, f)));
  }

  /** A change to `file` (or somewhere in `dir` when the name is unknown): rebuild after the debounce. */
  private changed(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.request(), this.hooks.debounceMs ?? DEBOUNCE_MS);
  }

  /** Starts a rebuild, or queues one when a build runs (at most one pending). */
  private request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    void this.loop();
  }

  private async loop(): Promise<void> {
    do {
      this.pending = false;
      await this.runBuild(false);
    } while (this.pending && !this.stopped);
  }

  /** The folders to watch and what in each, from the last build. */
  private wanted(): Map<string, Set<string> | 'all'> {
    const want = new Map<string, Set<string> | 'all'>();
    const add = (file: string) => {
      const dir = path.dirname(file);
      const names = want.get(dir);
      if (names === 'all') return;
      if (names) names.add(path.basename(file));
      else want.set(dir, new Set([path.basename(file)]));
    };
    for (const file of [...this.inputs, ...PROJECT_FILES.map((f) => path.join(this.projectDir, f)), ...(this.hooks.files ?? [])]) add(file);
    if (!this.lastOk) for (const dir of this.projectFolders()) want.set(dir, 'all');
    // Only folders that exist can be watched; a file whose folder is gone is seen again after the next build.
    for (const dir of want.keys()) if (!isFolder(dir)) want.delete(dir);
    return want;
  }

  /** The project's folders but node_modules, the output folder and hidden ones (at most MAX_FALLBACK_FOLDERS). */
  private projectFolders(): string[] {
    const found: string[] = [];
    const queue = [this.projectDir];
    while (queue.length > 0 && found.length < MAX_FALLBACK_FOLDERS) {
      const dir = queue.shift()!;
      found.push(dir);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
        const sub = path.join(dir, e.name);
        if (sub === this.outDir) continue;
        queue.push(sub);
      }
    }
    return found;
  }

  /** Brings the watchers in line with {@link wanted}. */
  private refresh(): void {
    if (this.stopped) return;
    const want = this.wanted();
    let changed = false;
    for (const [dir, w] of this.folders) {
      if (want.has(dir)) continue;
      w.watcher.close();
      this.folders.delete(dir);
      changed = true;
    }
    for (const [dir, names] of want) {
      const existing = this.folders.get(dir);
      if (existing) {
        if (!sameNames(existing.names, names)) changed = true;
        existing.names = names;
        continue;
      }
      try {
        const watcher = fs.watch(dir, { persistent: true }, (_event, name) => this.onFolderEvent(dir, name === null ? null : String(name)));
        watcher.on('error', () => {
          // The folder went away (or cannot be read any more): forget it; the next build's refresh looks again.
          watcher.close();
          if (this.folders.get(dir)?.watcher === watcher) this.folders.delete(dir);
          this.changed();
        });
        this.folders.set(dir, { watcher, names });
        changed = true;
      } catch {
        // vanished between the check and the watch: the next refresh tries again
      }
    }
    if (changed) this.hooks.onWatching?.(this.watchedPaths());
  }

  private onFolderEvent(dir: string, name: string | null): void {
    const w = this.folders.get(dir);
    if (!w) return;
    if (name === null) return this.changed(); // the platform did not say which file: assume one that counts
    if (w.names !== 'all') {
      if (w.names.has(name)) this.changed();
      return;
    }
    // A folder watched whole: anything but editors' temporary files, hidden files and the build's own outputs.
    const file = path.join(dir, name);
    if (name.startsWith('.') || name.endsWith('~') || name === 'node_modules' || file === this.outDir || this.outputs.has(file)) return;
    this.changed();
  }
}

function sameNames(a: Set<string> | 'all', b: Set<string> | 'all'): boolean {
  if (a === 'all' || b === 'all') return a === b;
  return a.size === b.size && [...a].every((n) => b.has(n));
}

function isFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
