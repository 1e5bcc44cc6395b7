/**
 * A command line in Node's shape (`[node options…] <module> [args…]`) rather than one of the exe's
 * commands: what `child_process.fork(modulePath)` and `cluster.fork()` start (the exe again,
 * with the module's path after the parent's execArgv), and what code that spawns
 * `process.execPath` like `node` passes. Such a line never reaches the exe's commands: it runs an
 * embedded module, runs the app as a cluster worker, or is refused in one line. Pure.
 *
 * In a SEA `process.argv[1]` is the exe again, so the line is `argv.slice(2)`. Node options there
 * are not applied by Node (the exe ignores them: SEA `execArgvExtension: "none"`) and are skipped.
 */
import path from 'node:path';
import type { EmbedManifest } from './manifest';
import { lookupModule } from './module-path';

export type NodeStyleRun =
  /** Run the embedded module `rel`, with `args` after it (a fork child, or a spawned module). */
  | { kind: 'module'; rel: string; args: string[] }
  /** A cluster worker (IPC channel, module = the exe): run the app. */
  | { kind: 'cluster-worker'; args: string[] }
  | { kind: 'refused'; message: string };

const SCRIPT = /\.(?:[cm]?[jt]s|jsx|tsx)$/i;

export interface NodeStyleContext {
  manifest: EmbedManifest | null;
  exePath: string;
  cwd: string;
  /** The process has an IPC channel (fork, cluster). */
  hasIpc: boolean;
  /** The exe's own flags, which are not Node's (`--help`, `--service`, …). */
  exeFlags: ReadonlySet<string>;
  pathApi?: typeof path.win32 | typeof path.posix;
}

/** Null: not a Node-style line (an exe command, or nothing); the exe's command parser takes it. */
export function nodeStyleRun(args: readonly string[], ctx: NodeStyleContext): NodeStyleRun | null {
  const pathApi = ctx.pathApi ?? path;
  const first = args[0];
  if (first === undefined || ctx.exeFlags.has(first)) return null;
  const looksLikeModule = (a: string) => a !== '/?' && (a.includes('/') || a.includes('\\') || SCRIPT.test(a));
  if (!first.startsWith('-') && !looksLikeModule(first)) return null;

  const at = args.findIndex((a) => !a.startsWith('-'));
  const target = at < 0 ? undefined : args[at]!;
  const rest = at < 0 ? [] : args.slice(at + 1);
  if (target === undefined) {
    return { kind: 'refused', message: `"${args.join(' ')}" is a Node.js option; this exe does not take Node.js options` };
  }
  if (pathApi.resolve(ctx.cwd, target).toLowerCase() === ctx.exePath.toLowerCase()) {
    if (ctx.hasIpc) return { kind: 'cluster-worker', args: rest };
    return { kind: 'refused', message: `"${target}" is this exe itself; run it without Node.js options` };
  }
  const found = lookupModule(target, ctx.manifest, ctx.exePath, ctx.cwd, pathApi);
  if (found.kind === 'module') return { kind: 'module', rel: found.rel, args: rest };
  if (found.kind === 'outside' && at > 0) {
    return { kind: 'refused', message: `"${args.join(' ')}" asks for Node.js options or a script; this exe does not take Node.js options and runs only the modules its build embedded` };
  }
  const where = found.kind === 'missing' ? `${found.path} was not embedded in this exe` : `${target} is not one of this exe's embedded modules`;
  return { kind: 'refused', message: `cannot run ${target}: ${where} — the exe runs only modules its build embedded (found from new Worker/fork calls and paths relative to a module)` };
}
