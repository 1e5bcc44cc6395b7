/**
 * `svcpack build --watch` through the CLI's main(), in-process: one line (or JSON object) per
 * build on stdout, the config file watched and read again, SIGINT ends it with exit 0, and the
 * usage errors of --restart exit 2 with one line before anything is built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import { captureOutput } from '../support/capture-output';
import { tempProjects } from '../support/temp-project';

const project = tempProjects('svcpack-watch-cli-');
const out = captureOutput();

const files = {
  'package.json': JSON.stringify({ name: 'w', version: '1.0.0', type: 'module' }),
  'app.ts': `console.log('one');\n`,
  'svcpack.config.json': JSON.stringify({ entry: 'app.ts', name: 'CliWatch', version: '1.0.0' }),
};

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout so far:\n${out.stdout}\nstderr:\n${out.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lines = () => out.stdout.split('\n').filter(Boolean);

describe('svcpack build --watch', { timeout: 60_000 }, () => {
  it('prints a line per build, rebuilds when the config changes (read again), and SIGINT ends it with exit 0', async () => {
    const dir = project(files);
    const before = process.listenerCount('SIGINT');
    const exit = main(['build', '--watch'], { cwd: dir });
    await until(() => lines().length >= 1, 'the first build');
    expect(lines()[0]).toMatch(/^\d\d:\d\d:\d\d built CliWatch\.exe in \d+\.\d\d s; watching \d+ paths for changes \(Ctrl-C to stop\)$/);
    fs.writeFileSync(path.join(dir, 'svcpack.config.json'), JSON.stringify({ entry: 'app.ts', name: 'CliWatch', version: '2.0.0' }));
    await until(() => lines().length >= 2, 'the rebuild after the config changed');
    expect(lines()[1]).toMatch(/^\d\d:\d\d:\d\d rebuilt CliWatch\.exe in \d+\.\d\d s$/);
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'CliWatch.build.json'), 'utf8')) as { version: string };
    expect(record.version).toBe('2.0.0');
    process.emit('SIGINT', 'SIGINT');
    expect(await exit).toBe(0);
    expect(lines()).toHaveLength(2);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('--json: one JSON object per line per build; a compile error is a line and watching goes on', async () => {
    const dir = project(files);
    const before = process.listenerCount('SIGTERM');
    const exit = main(['build', '--watch', '--json'], { cwd: dir });
    await until(() => lines().length >= 1, 'the first build');
    fs.writeFileSync(path.join(dir, 'app.ts'), `console.log(;\n`);
    await until(() => lines().length >= 2, 'the failed build');
    fs.writeFileSync(path.join(dir, 'app.ts'), `console.log('two');\n`);
    await until(() => lines().length >= 3, 'the build after the fix');
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(before);
    const objects = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toEqual([
      expect.objectContaining({ first: true, ok: true, ms: expect.any(Number), executable: path.join(dir, 'dist', 'CliWatch.exe') }),
      expect.objectContaining({ first: false, ok: false, ms: expect.any(Number), error: expect.objectContaining({ code: 'BUNDLE_SYNTAX', line: expect.stringMatching(/^svcpack: app\.ts:1:13: /) }) }),
      expect.objectContaining({ first: false, ok: true }),
    ]);
  });

  it('a usage error at the start exits 2 with one line, as without --watch', async () => {
    const dir = project(files);
    expect(await main(['build', '--watch', '--name', 'bad/name'], { cwd: dir })).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^svcpack: .+ — .+/)]);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('--restart without --watch, or on a host that is not Windows: exit 2, one line, nothing built', async () => {
    const dir = project(files);
    expect(await main(['build', '--restart'], { cwd: dir })).toBe(2);
    expect(out.stderr).toBe('svcpack: --restart needs --watch — add --watch: svcpack build … --watch --restart\n');
    if (process.platform !== 'win32') {
      out.stderr = '';
      expect(await main(['build', '--watch', '--restart'], { cwd: dir })).toBe(2);
      expect(out.stderr).toBe(
        `svcpack: --restart restarts the Windows service installed on this machine, and this machine runs ${process.platform} — run it on the Windows machine the service is installed on, or drop --restart (a Linux service: sudo sh dist/install-CliWatch.sh after a build)\n`,
      );
    }
    if (process.platform !== 'win32') {
      // A Linux build on Linux is refused the same way.
      out.stderr = '';
      expect(await main(['build', '--watch', '--restart', '--target', 'linux-x64'], { cwd: dir })).toBe(2);
      expect(out.stderr).toMatch(/^svcpack: --restart restarts the Windows service installed on this machine, and this machine runs linux — .*sudo sh dist\/install-CliWatch\.sh after a build\)\n$/);
    }
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    expect(out.stdout).toBe('');
  });
});
