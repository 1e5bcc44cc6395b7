/**
 * What the benchmarks ran on: the host machine and the versions of the tools measured. The runner
 * calls these once per run for the report's header.
 */

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { MachineInfo } from './types';

/** CPU model, logical cores, memory (GiB, one decimal), OS name and kernel release of this machine. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || 'unknown',
    cores: cpus.length || os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: (os.platform() === 'linux' && linuxPrettyName()) || `${os.type()} ${os.release()}`,
    kernel: os.release(),
  };
}

/** PRETTY_NAME from /etc/os-release ("Debian GNU/Linux 12 (bookworm)"), or undefined. */
function linuxPrettyName(): string | undefined {
  let text: string;
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    return undefined;
  }
  const value = /^PRETTY_NAME=(.*)$/m.exec(text)?.[1]?.trim();
  return value?.replace(/^(["'])(.*)\1$/, '$2') || undefined;
}

/**
 * The first non-empty line `cmd args` prints (stdout, else stderr), e.g. `toolVersion('wine',
 * ['--version'])` → "wine-9.0"; 'not found' when the command cannot be run, fails without output,
 * or takes longer than 20 s.
 */
export function toolVersion(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, windowsHide: true }, (error, stdout, stderr) => {
      const line = [stdout, stderr]
        .flatMap((text) => text.split(/\r?\n/))
        .map((l) => l.trim())
        .find((l) => l !== '');
      // A tool may print its version and still exit non-zero; a spawn failure or a timeout prints nothing useful.
      const spawnFailed = error !== null && (typeof error.code === 'string' || error.killed);
      resolve(line !== undefined && !spawnFailed ? line : 'not found');
    });
  });
}
