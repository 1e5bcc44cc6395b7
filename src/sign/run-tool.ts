/**
 * Runs a signer as a child process (the side-effect edge of src/sign/): finds a program on PATH,
 * runs it with stdin closed (so a tool that would prompt for a password fails instead of
 * waiting) and collects its output.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ToolRun {
  /** Exit code; null when the process was killed (see `timedOut`). */
  code: number | null;
  /** stdout then stderr, at most the last 64 KB of each. */
  output: string;
  timedOut: boolean;
  /** The time limit the run had, ms. */
  limitMs?: number;
}

/** Default limit for one signer run: cloud signers and slow timestamp servers take seconds, not minutes. */
export const SIGNER_TIMEOUT_MS = 10 * 60_000;

const KEEP = 64 * 1024;

/**
 * Runs `program args` (or, with `shell`, the command line `program` through /bin/sh -c or
 * cmd.exe /d /s /c). Never rejects for the program's own failure: the caller classifies `code`
 * and `output`. Rejects only when the process cannot be started at all.
 */
export function runTool(program: string, args: string[], opts: { env: NodeJS.ProcessEnv; shell?: boolean; timeoutMs?: number }): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: opts.env, shell: opts.shell ?? false, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    const keep = (text: string) => (text.length > KEEP ? text.slice(-KEEP) : text);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = keep(stdout + chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = keep(stderr + chunk)));
    let timedOut = false;
    const limitMs = opts.timeoutMs ?? SIGNER_TIMEOUT_MS;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: `${stdout}${stdout && !stdout.endsWith('\n') ? '\n' : ''}${stderr}`, timedOut, limitMs });
    });
  });
}

/**
 * The absolute path of `name` on `env.PATH` (on Windows also trying PATHEXT's extensions), or
 * null. For signtool, which is rarely on PATH outside a Developer Command Prompt, the Windows
 * SDK's `%ProgramFiles(x86)%\Windows Kits\10\bin\<newest version>\x64\signtool.exe` is tried too.
 */
export function findProgram(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | null {
  const pathVar = (platform === 'win32' ? (env.Path ?? env.PATH) : env.PATH) ?? '';
  const separator = platform === 'win32' ? ';' : ':';
  const extensions = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of pathVar.split(separator)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const file = path.join(dir, `${name}${ext}`);
      if (isExecutable(file, platform)) return file;
    }
  }
  if (platform === 'win32' && name === 'signtool') return windowsKitsSigntool(env);
  return null;
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** signtool.exe of the newest Windows 10/11 SDK installed, or null. */
function windowsKitsSigntool(env: NodeJS.ProcessEnv): string | null {
  const base = path.win32.join(env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)', 'Windows Kits', '10', 'bin');
  let versions: string[];
  try {
    versions = fs.readdirSync(base).filter((v) => /^\d+\.\d+\.\d+\.\d+$/.test(v));
  } catch {
    return null;
  }
  const numeric = (v: string) => v.split('.').map(Number);
  versions.sort((a, b) => {
    const [x, y] = [numeric(a), numeric(b)];
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return (y[i] ?? 0) - (x[i] ?? 0);
    return 0;
  });
  for (const version of versions) {
    const file = path.win32.join(base, version, 'x64', 'signtool.exe');
    if (fs.existsSync(file)) return file;
  }
  return null;
}
