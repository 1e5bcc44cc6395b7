/**
 * The exe started in Node's shape on one of its embedded modules (embedded/node-style-run.ts):
 * a `child_process.fork()` child, or a spawned module. Runs that module as Node would run it as
 * the main script — `process.argv` is `[exe, <module's virtual path>, …args]`, IPC (when the
 * parent forked it) is the app's own — with `svcpack/runtime` answering for the service (its name
 * and data folder; `isService` false, `service.log` to this process's stdout/stderr). No lifecycle
 * and no service: the process ends when the module's work does, with its exit code.
 */
import { installHost } from '../api';
import { importByUrl } from '../embedded/import-module';
import { virtualPath, virtualUrl } from '../embedded/manifest';
import type { ExeContext } from '../exe-context';

/** Never settles: the bundle's own app must not run in this process (boot.ts awaits it). */
export function startModuleMode(exe: ExeContext, rel: string, args: readonly string[]): Promise<never> {
  const { config, platform } = exe;
  installHost({
    name: config.name,
    isService: false,
    dataDir: process.env.SVCPACK_DATA_DIR || platform.dataDir(config.name, 'environment'),
    write: (level, message) => (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`[${level}] ${message}\n`),
    trackStart: () => {},
  });
  process.argv.splice(1, process.argv.length, virtualPath(rel), ...args);
  // Node 26: the bundle is the SEA main module, whose top-level await (boot.ts, held forever here)
  // would end the process with code 13 once the module's work is done. Exit as Node would then:
  // when the loop has drained and nothing the app scheduled in its own 'beforeExit' revived it.
  process.on('beforeExit', () => {
    queueMicrotask(() => {
      if (process.getActiveResourcesInfo().length === 0) process.exit(process.exitCode ?? 0);
    });
  });
  importByUrl(virtualUrl(rel)).catch((err: unknown) =>
    process.nextTick(() => {
      throw err;
    }),
  );
  return new Promise<never>(() => {});
}
