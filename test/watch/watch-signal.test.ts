/**
 * `svcpack build --watch` as its own process (the CLI from src/, through the ts loader the scripts
 * use), ended by real signals: SIGINT while watching and SIGTERM while a build writes its outputs
 * both end it with exit code 0, the outputs whole and nothing left staged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProjects } from '../support/temp-project';

const REPO = path.resolve(import.meta.dirname, '../..');
const project = tempProjects('svcpack-watch-signal-');
const files = {
  'package.json': JSON.stringify({ name: 'w', version: '1.0.0', type: 'module' }),
  'app.ts': `console.log('one');\n`,
};

/** `svcpack build app.ts --name SigWatch --watch` in `dir`; its stdout collected. */
function svcpackWatch(dir: string): { child: ChildProcess; stdout: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const main = `const { main } = await import(${JSON.stringify(new URL('../../src/cli.ts', import.meta.url).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', path.join(REPO, 'scripts/ts-register.js'), '--input-type=module', '-e', main, 'build', 'app.ts', '--name', 'SigWatch', '--watch'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, exited };
}

async function until(check: () => boolean, what: string, ms = 30_000, pollMs = 20): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const staged = (dist: string) => (fs.existsSync(dist) ? fs.readdirSync(dist).filter((f) => f.startsWith('.svcpack-staging')) : []);

describe('svcpack build --watch and signals', { timeout: 60_000 }, () => {
  it('SIGINT while watching: exit code 0', async () => {
    const dir = project(files);
    const p = svcpackWatch(dir);
    await until(() => p.stdout().includes('watching'), 'the first build');
    p.child.kill('SIGINT');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout().trim().split('\n')).toHaveLength(1);
  });

  it('SIGTERM while a build writes its outputs: the build finishes, exit code 0, nothing half-written', async () => {
    const dir = project(files);
    const dist = path.join(dir, 'dist');
    const p = svcpackWatch(dir);
    // The output folder appears when the first build starts writing (emit): signal then.
    await until(() => fs.existsSync(dist) || p.stdout() !== '', 'the first build to write', 30_000, 2);
    const duringTheBuild = p.stdout() === '';
    p.child.kill('SIGTERM');
    expect(duringTheBuild, 'the signal came after the build had ended').toBe(true);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout()).toMatch(/ built SigWatch\.exe in /);
    expect(staged(dist)).toEqual([]);
    const record = JSON.parse(fs.readFileSync(path.join(dist, 'SigWatch.build.json'), 'utf8')) as { outputs: Record<string, { bytes: number }> };
    expect(fs.statSync(path.join(dist, 'SigWatch.exe')).size).toBe(record.outputs['SigWatch.exe']!.bytes);
  });
});
