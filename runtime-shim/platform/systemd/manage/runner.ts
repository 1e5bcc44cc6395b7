/**
 * How the systemd management commands run `systemctl` and `journalctl`: always a program and an
 * argument array (never a shell line), behind this small interface so that every command is
 * unit-tested with a fake runner and proven in the booted container with the real one.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface RunResult {
  /** The exit code; -1 when the program could not be started or was killed. */
  code: number;
  stdout: string;
  stderr: string;
  /** True when it was killed because `timeoutMs` passed. */
  timedOut: boolean;
}

export interface CommandRunner {
  /** Runs `file args` with stdout and stderr captured and waits for it, at most `timeoutMs` (then kills it). Never throws. */
  run(file: string, args: readonly string[], opts?: { timeoutMs?: number }): RunResult;
  /**
   * Runs `file args` with this process's stdin, stdout and stderr (`journalctl -f` until Ctrl+C);
   * resolves to its exit code (0 when Ctrl+C ended it). Never rejects.
   */
  attached(file: string, args: readonly string[]): Promise<number>;
}

/**
 * The environment systemctl and journalctl run with: plain, uncoloured, unpaged output in the C
 * locale, and never a password prompt of polkit's (the commands check for root themselves).
 */
function toolEnv(): NodeJS.ProcessEnv {
  return { ...process.env, SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '', PAGER: 'cat', LC_ALL: 'C.UTF-8' };
}

/** The real runner over child_process. */
export const processRunner: CommandRunner = {
  run(file, args, opts = {}) {
    const r = spawnSync(file, [...args], {
      encoding: 'utf8',
      env: toolEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs, killSignal: 'SIGTERM' } : {}),
    });
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    if (r.error && !timedOut) {
      const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
      return { code: -1, stdout: '', stderr: missing ? `${file} was not found on this system` : `${file}: ${r.error.message}`, timedOut: false };
    }
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut };
  },
  attached(file, args) {
    return new Promise((resolve) => {
      const child = spawn(file, [...args], { stdio: 'inherit', env: toolEnv() });
      // Ctrl+C reaches journalctl too (same process group); this process waits for it to end.
      const ignore = (): void => {};
      process.on('SIGINT', ignore);
      child.on('error', (err) => {
        process.off('SIGINT', ignore);
        process.stderr.write(`${file}: ${err.message}\n`);
        resolve(1);
      });
      child.on('close', (code, signal) => {
        process.off('SIGINT', ignore);
        resolve(signal === 'SIGINT' ? 0 : (code ?? 1));
      });
    });
  },
};
