/**
 * What the compatibility suites share, whichever platform runs the apps: the shape of an app and
 * of a suite (the lists are test/e2e/compat-apps.ts), the service names, the builds (two at a
 * time), the PostgreSQL companion some apps need, and the figures row of docs/compatibility.md.
 * Used by the Wine suites (test/e2e/compat-suite.ts), the systemd suite
 * (test/systemd/compat.test.ts) and the benchmarks (bench/suites); free of vitest.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildResult } from '../../src/build';
import type { BuildOptions } from '../../src/config/options';
import { ensurePortFree } from './wine';

/** The PGlite server script (plain JavaScript, run by the host's Node or by the container's). */
export const PGLITE_SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pglite-server.mjs');

/**
 * A PostgreSQL server an app needs beside it while it runs: pglite-server.mjs on 127.0.0.1:`port`
 * with PGlite from `fixtureDir`'s packages (no database service on the machine). The app gets the
 * port as `db=<port>`.
 */
export interface PostgresCompanion {
  readonly kind: 'postgres';
  /** The fixture whose node_modules holds @electric-sql/pglite and @electric-sql/pglite-socket. */
  readonly fixtureDir: string;
  readonly port: number;
}

/** A running companion: the service's extra arguments, and how to end it. */
export interface Companion {
  /** Extra `name=value` arguments for the service (Wine gives services no custom environment). */
  args: string[];
  close(): Promise<void>;
}

/**
 * Why an app is not run on the Linux target. Apps without one run there like on Windows; these
 * exceptions live in the app list only (test/e2e/compat-apps.ts), beside their reason.
 */
export type LinuxException =
  /** The Linux suite leaves the app out, for `reason`. */
  { readonly leftOut: string };

/** One app of a suite: its file name, what it stands for and its package(s), for the table. */
export interface CompatApp {
  readonly app: string;
  readonly kind: string;
  readonly packages: string;
  /** The entry, relative to the fixture folder; apps/<app>.ts when not given. */
  readonly entry?: string;
  /** Run before the app is built (compiling it with tsc, say). */
  readonly prepare?: () => Promise<void>;
  /** Build options beside entry, name and outDir. */
  readonly build?: Partial<BuildOptions>;
  /** Started before the service, closed after it stopped (or failed). */
  readonly companion?: PostgresCompanion;
  /** Set when the app does not run on the Linux target, with the reason. */
  readonly linux?: LinuxException;
}

export interface CompatSuite {
  /** The fixture folder: package.json, package-lock.json, apps/. */
  fixtureDir: string;
  apps: readonly CompatApp[];
  /** App i listens on firstPort + i. */
  firstPort: number;
  /** Service names are the prefix and the app's name in PascalCase. */
  servicePrefix: string;
  /** The describe block's title. */
  title: string;
  /** Tag of the printed figures, e.g. `[compat]`. */
  tag: string;
}

/** One app as a suite runs it: its suite, its service name and its port. */
export interface CompatRun {
  suite: CompatSuite;
  app: CompatApp;
  /** The service name (compatServiceName, or its kebab-case form on Linux). */
  name: string;
  port: number;
}

/** A built app: the executable, the build's record and how long the build took (ms). */
export interface BuiltApp {
  exe: string;
  result: BuildResult;
  buildMs: number;
}

/** The figures of a table row: build (ms), executable size (MB), start → running/active and → answering HTTP (ms). */
export interface Figures {
  buildMs: number;
  exeMB: number;
  runningMs: number;
  answeringMs: number;
}

/** `express` → `<prefix>Express`, `sql-js` → `<prefix>SqlJs`. */
export function compatServiceName(prefix: string, app: string): string {
  return `${prefix}${app.replace(/(^|-)([a-z])/g, (_, _d: string, c: string) => c.toUpperCase())}`;
}

/** The suite's apps as runs: app i on firstPort + i, named by `name` (compatServiceName by default). */
export function compatRuns(suite: CompatSuite, name: (suite: CompatSuite, app: CompatApp) => string = (s, a) => compatServiceName(s.servicePrefix, a.app)): CompatRun[] {
  return suite.apps.map((app, i) => ({ suite, app, name: name(suite, app), port: suite.firstPort + i }));
}

/**
 * Starts building the runs' apps, `concurrency` at a time, in order (each into `outDir(run)`, with
 * `options` beside the app's own); returns each run's build by service name at once. A failed
 * build's promise rejects with the build's error (the caller's test fails with it, or expects it).
 * Every promise settles; none is left unhandled.
 */
export function buildCompatApps(runs: readonly CompatRun[], opts: { concurrency: number; outDir: (run: CompatRun) => string; options?: Partial<BuildOptions> }): Map<string, Promise<BuiltApp>> {
  const settle = new Map<string, { resolve: (b: BuiltApp) => void; reject: (e: unknown) => void }>();
  const out = new Map<string, Promise<BuiltApp>>();
  for (const run of runs) {
    const p = new Promise<BuiltApp>((resolve, reject) => settle.set(run.name, { resolve, reject }));
    p.catch(() => undefined);
    out.set(run.name, p);
  }
  const queue = [...runs];
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const { resolve, reject } = settle.get(run.name)!;
      try {
        await run.app.prepare?.();
        const t = performance.now();
        const entry = path.join(run.suite.fixtureDir, run.app.entry ?? path.join('apps', `${run.app.app}.ts`));
        const result = await build({ stopTimeout: 10_000, ...opts.options, ...run.app.build, entry, name: run.name, outDir: opts.outDir(run) });
        resolve({ exe: result.files[0]!, result, buildMs: performance.now() - t });
      } catch (err) {
        reject(err);
      }
    }
  };
  for (let i = 0; i < opts.concurrency; i++) void worker();
  return out;
}

/** The docs/compatibility.md table row of one app. */
export function figuresRow(app: CompatApp, f: Figures): string {
  return `| ${app.app} | ${app.kind} | ${app.packages} | ${(f.buildMs / 1000).toFixed(1)} s | ${f.exeMB.toFixed(1)} MB | ${Math.round(f.runningMs)} ms | ${Math.round(f.answeringMs)} ms |`;
}

/** The service's arguments for the companion: its port as `db=<port>`. */
export function companionArgs(spec: PostgresCompanion): string[] {
  return [`db=${spec.port}`];
}

/**
 * Starts the companion on this machine: pglite-server.mjs run by this process's Node, resolved
 * once it listens (rejects with its stderr when it ends first, or after 30 s). close() ends it
 * with SIGTERM and waits for its exit.
 */
export async function startHostCompanion(spec: PostgresCompanion | undefined): Promise<Companion | undefined> {
  if (!spec) return undefined;
  await ensurePortFree(spec.port);
  const child = spawn(process.execPath, [PGLITE_SERVER_SCRIPT, spec.fixtureDir, String(spec.port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the PGlite server on port ${spec.port} did not listen within 30 s: ${err.trim()}`));
    }, 30_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('pglite listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the PGlite server on port ${spec.port} ended (exit code ${code}) before it listened: ${err.trim()}`));
    });
  });
  return {
    args: companionArgs(spec),
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
