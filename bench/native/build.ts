/**
 * Builds the benchmarks' native Windows helpers with mingw-w64 and runs the SCM timer under Wine.
 *
 * - floor-service.exe: the smallest possible service, the floor any service costs on this SCM;
 * - wrap-service.exe: an NSSM/WinSW-style wrapper, `wrap-service.exe <program> [args...]`;
 * - scm-timer.exe: times start/stop through the SCM API and writes one JSON object to a file.
 *
 * The exes go to `<toolsDir>/native/<sha256 of compiler version, flags and sources>/` and are
 * reused while that hash holds. A build happens in a temp folder renamed into place, so concurrent
 * callers (two suites, two vitest workers) never see half-written exes: whoever renames first wins
 * and the others use its exes.
 *
 * Needs `x86_64-w64-mingw32-gcc` (Debian/Ubuntu: apt-get install -y gcc-mingw-w64-x86-64).
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, spawnExe, winPath } from '../../test/support/wine';

export interface NativeTools {
  /** Linux path of floor-service.exe. */
  floorService: string;
  /** Linux path of wrap-service.exe. */
  wrapService: string;
  /** Linux path of scm-timer.exe. */
  scmTimer: string;
}

export const MINGW_CC = 'x86_64-w64-mingw32-gcc';
export const MINGW_APT_PACKAGE = 'gcc-mingw-w64-x86-64';

const sourceDir = path.dirname(fileURLToPath(import.meta.url));

/** Each exe, its source, and the libraries it links. */
const PROGRAMS = [
  { key: 'floorService', exe: 'floor-service.exe', source: 'floor-service.c', libs: ['-ladvapi32'] },
  { key: 'wrapService', exe: 'wrap-service.exe', source: 'wrap-service.c', libs: ['-ladvapi32'] },
  { key: 'scmTimer', exe: 'scm-timer.exe', source: 'scm-timer.c', libs: ['-ladvapi32'] },
] as const satisfies readonly { key: keyof NativeTools; exe: string; source: string; libs: readonly string[] }[];

/**
 * -municode: wmain; -static: no libgcc/winpthread DLLs beside the exe (only Windows' own DLLs and
 * msvcrt.dll, which Wine and every Windows ship); -s: stripped.
 */
const CFLAGS = ['-O2', '-s', '-municode', '-static', '-Wall', '-Wextra'] as const;

function run(file: string, args: readonly string[], timeoutMs = 120_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

function isMissingCommand(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** `x86_64-w64-mingw32-gcc --version`'s first line; throws the one-line "install it" error when missing. */
async function compilerVersion(): Promise<string> {
  try {
    const { stdout } = await run(MINGW_CC, ['--version'], 30_000);
    return stdout.split('\n')[0]?.trim() ?? '';
  } catch (err) {
    if (isMissingCommand(err)) {
      throw new Error(`${MINGW_CC} not found: the native benchmark helpers need mingw-w64 (apt-get install -y ${MINGW_APT_PACKAGE})`);
    }
    throw new Error(`${MINGW_CC} --version failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

function toolsIn(dir: string): NativeTools {
  const tools = {} as NativeTools;
  for (const p of PROGRAMS) tools[p.key] = path.join(dir, p.exe);
  return tools;
}

function complete(dir: string): boolean {
  return PROGRAMS.every((p) => fs.existsSync(path.join(dir, p.exe)));
}

/**
 * Compiles the three programs with x86_64-w64-mingw32-gcc into
 * `<toolsDir>/native/<sha256-of-sources-and-flags>/`, reusing a previous build; throws a one-line
 * Error naming the apt package when the compiler is missing.
 */
export async function buildNativeTools(toolsDir: string, log: (message: string) => void = () => undefined): Promise<NativeTools> {
  const version = await compilerVersion();
  const hash = createHash('sha256');
  hash.update(`${MINGW_CC}\0${version}\0${CFLAGS.join(' ')}\0`);
  const sources = new Map<string, string>();
  for (const p of PROGRAMS) {
    const text = fs.readFileSync(path.join(sourceDir, p.source), 'utf8');
    sources.set(p.source, text);
    hash.update(`${p.source}\0${p.libs.join(' ')}\0${text}\0`);
  }
  const digest = hash.digest('hex');
  const root = path.join(toolsDir, 'native');
  const finalDir = path.join(root, digest);
  if (complete(finalDir)) {
    log(`native tools: reusing ${finalDir}`);
    return toolsIn(finalDir);
  }

  fs.mkdirSync(root, { recursive: true });
  const tempDir = fs.mkdtempSync(path.join(root, `.tmp-${digest.slice(0, 12)}-`));
  const t0 = performance.now();
  try {
    await Promise.all(
      PROGRAMS.map(async (p) => {
        const out = path.join(tempDir, p.exe);
        const args = [...CFLAGS, '-o', out, path.join(sourceDir, p.source), ...p.libs];
        try {
          const { stderr } = await run(MINGW_CC, args);
          if (stderr.trim()) log(`native tools: ${p.source}: ${stderr.trim()}`);
        } catch (err) {
          const e = err as Error & { stderr?: string };
          if (isMissingCommand(err)) throw new Error(`${MINGW_CC} not found (apt-get install -y ${MINGW_APT_PACKAGE})`);
          throw new Error(`${MINGW_CC} failed on ${p.source}:\n${e.stderr?.trim() || e.message}`);
        }
      }),
    );
    try {
      fs.renameSync(tempDir, finalDir);
    } catch (err) {
      // Someone else finished the same build first (rename onto a non-empty folder fails): theirs
      // is identical, use it.
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') && complete(finalDir)) {
        fs.rmSync(tempDir, { recursive: true, force: true });
      } else {
        throw err;
      }
    }
  } catch (err) {
    fs.rmSync(tempDir, { recursive: true, force: true });
    throw err;
  }
  log(`native tools: built ${PROGRAMS.map((p) => p.exe).join(', ')} in ${Math.round(performance.now() - t0)} ms → ${finalDir}`);
  return toolsIn(finalDir);
}

// ---------------------------------------------------------------- scm-timer.exe

export interface TimerResult {
  op: 'start' | 'stop' | 'query';
  service: string;
  ok: boolean;
  /** Milliseconds from the SCM call to the final state being seen (query: one status query). */
  ms: number;
  /** RUNNING, STOPPED, ... (UNKNOWN when the service could not be queried). */
  state: string;
  /** The service process: at RUNNING for start; the one asked to stop for stop; 0 if none. */
  pid: number;
  win32ExitCode: number;
  serviceExitCode: number;
  /** What saw the final state: notify (NotifyServiceStatusChangeW), poll (QueryServiceStatusEx),
   * control (ControlService's own answer, stop only), query (op query), none (failed before). */
  method: string;
  /** QueryServiceStatusEx calls inside the timed span. */
  polls?: number;
  /** "<Win32 error number> <text>" when ok is false. */
  error?: string;
  /** stop: milliseconds (same origin as ms) until the service process had exited. */
  processExitMs?: number;
  /** Why NotifyServiceStatusChangeW could not be used (polling was). */
  notifyError?: string;
}

/** How scm-timer detects the end of a transition (see scm-timer.c). */
export type TimerMethod = 'auto' | 'notify' | 'poll' | 'spin';

const DEFAULT_TIMEOUT_MS = 30_000;

function parseTimerResult(text: string, file: string): TimerResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`scm-timer wrote invalid JSON to ${file}: ${text.slice(0, 200)}`);
  }
  const r = value as Partial<TimerResult>;
  if (
    typeof r !== 'object' ||
    r === null ||
    (r.op !== 'start' && r.op !== 'stop' && r.op !== 'query') ||
    typeof r.ok !== 'boolean' ||
    typeof r.ms !== 'number' ||
    typeof r.state !== 'string' ||
    typeof r.pid !== 'number'
  ) {
    throw new Error(`scm-timer's JSON lacks fields: ${text.slice(0, 200)}`);
  }
  return value as TimerResult;
}

/**
 * Runs scm-timer.exe under Wine (via the harness's spawnExe) and parses its JSON. A failed
 * operation is a result with `ok: false` and `error`, not an exception; this throws only when the
 * timer itself could not run or wrote no result. `timeoutMs` bounds the wait for the final state
 * (not used by query); `method` overrides how the timer detects it (default auto: see scm-timer.c).
 */
export async function timeServiceOp(
  tools: NativeTools,
  op: 'start' | 'stop' | 'query',
  service: string,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
  opts: { method?: TimerMethod } = {},
): Promise<TimerResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-scm-timer-'));
  const outFile = path.join(workDir, 'result.json');
  const args = [winPath(outFile), op, service];
  if (op !== 'query') {
    args.push(String(Math.max(1, Math.round(timeoutMs))));
    if (opts.method) args.push(opts.method);
  }
  // spawnExe puts the exe's stdout/stderr in files beside the exe: a unique tag, removed after.
  const tag = `scm-timer-${process.pid}-${randomUUID().slice(0, 8)}`;
  const p = spawnExe(tools.scmTimer, args, { tag });
  try {
    // Wine's own start-up (a few hundred ms, more on a cold prefix) comes on top of timeoutMs.
    const limit = timeoutMs + 30_000;
    const exited = await Promise.race([p.exited, sleep(limit).then(() => null)]);
    if (exited === null) {
      await p.kill();
      throw new Error(`scm-timer ${op} ${service} did not exit within ${limit} ms\nstderr: ${p.stderr()}`);
    }
    if (!fs.existsSync(outFile)) {
      throw new Error(`scm-timer ${op} ${service} exited with ${exited.code ?? exited.signal} and wrote no result\nstderr: ${p.stderr()}`);
    }
    return parseTimerResult(fs.readFileSync(outFile, 'utf8'), outFile);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.rmSync(p.stdoutFile, { force: true });
    fs.rmSync(p.stderrFile, { force: true });
  }
}
