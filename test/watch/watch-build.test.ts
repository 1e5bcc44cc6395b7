/**
 * Watch mode (src/watch/watch-build.ts) with the real build on hello-sized temp projects: a change
 * rebuilds once however many writes make it, a change during a build queues one more, a compile
 * error is a report and watching goes on, a new import is watched after the rebuild that found
 * it, a usage error at the start rejects, and stop() waits for the build under way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildEvent } from '../../src/build';
import { watchBuild, type RebuildReport, type Watcher, type WatchHooks } from '../../src/watch/watch-build';
import { rebuildJson, rebuildLine } from '../../src/watch/watch-line';
import { tempProjects } from '../support/temp-project';

const project = tempProjects('svcpack-watch-');

const APP = `import http from 'node:http';\nimport { text } from './text';\nhttp.createServer((_q, r) => r.end(text)).listen(0);\n`;
const files = (text = 'one') => ({
  'package.json': JSON.stringify({ name: 'w', version: '1.0.0', type: 'module' }),
  'src/app.ts': APP,
  'src/text.ts': `export const text = '${text}';\n`,
});

/** Polls `check` every 20 ms until it holds (or fails after `ms`). */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts watching `dir`'s app; `reports` fills with every build's report. */
async function watch(dir: string, hooks: WatchHooks = {}): Promise<{ watcher: Watcher; reports: RebuildReport[] }> {
  const reports: RebuildReport[] = [];
  const watcher = await watchBuild(
    { entry: path.join(dir, 'src/app.ts'), name: 'WatchSvc', outDir: path.join(dir, 'dist'), cwd: dir },
    { ...hooks, onRebuild: (r) => (reports.push(r), hooks.onRebuild?.(r)) },
  );
  return { watcher, reports };
}

describe('watchBuild', { timeout: 60_000 }, () => {
  it('builds once, then rebuilds once for several quick writes (debounced), with the new source in the exe', async () => {
    const dir = project(files());
    const { watcher, reports } = await watch(dir);
    try {
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ ok: true, first: true, executable: path.join(dir, 'dist', 'WatchSvc.exe') });
      expect(watcher.watching()).toEqual(expect.arrayContaining([path.join(dir, 'src', 'app.ts'), path.join(dir, 'src', 'text.ts'), path.join(dir, 'package.json')]));
      // An editor's save: several writes within a few ms.
      for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'two-${i}';\n`);
      await until(() => reports.length >= 2, 'the rebuild');
      await sleep(300); // no second rebuild follows
      expect(reports).toHaveLength(2);
      expect(reports[1]).toMatchObject({ ok: true, first: false });
      expect(fs.readFileSync(path.join(dir, 'dist', 'WatchSvc.exe')).includes('two-3')).toBe(true);
      expect(rebuildLine(reports[1]!, 'WatchSvc')).toMatch(/^\d\d:\d\d:\d\d rebuilt WatchSvc\.exe in \d+\.\d\d s\n$/);
    } finally {
      await watcher.stop();
    }
  });

  it('a compile error is a failed build with the CLI\'s line, and watching goes on until it is fixed', async () => {
    const dir = project(files());
    const { watcher, reports } = await watch(dir);
    try {
      fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = ;\n`);
      await until(() => reports.length >= 2, 'the failed build');
      expect(reports[1]).toMatchObject({ ok: false, error: { code: 'BUNDLE_SYNTAX' } });
      expect(reports[1]!.error!.line).toMatch(/^svcpack: src\/text\.ts:1:21: Unexpected ";" — fix the source and build again$/);
      expect(rebuildLine(reports[1]!, 'WatchSvc')).toMatch(/^\d\d:\d\d:\d\d svcpack: src\/text\.ts:1:21: Unexpected ";" — fix the source and build again\n$/);
      expect(JSON.parse(rebuildJson(reports[1]!))).toMatchObject({ ok: false, first: false, ms: expect.any(Number), error: { code: 'BUNDLE_SYNTAX', message: 'src/text.ts:1:21: Unexpected ";"' } });
      fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'fixed';\n`);
      await until(() => reports.length >= 3, 'the build after the fix');
      expect(reports[2]).toMatchObject({ ok: true });
      expect(JSON.parse(rebuildJson(reports[2]!))).toMatchObject({ ok: true, ms: expect.any(Number), executable: path.join(dir, 'dist', 'WatchSvc.exe') });
    } finally {
      await watcher.stop();
    }
  });

  it('a change during a build queues one rebuild after it, however many changes come', async () => {
    const dir = project(files());
    let poke = false;
    let lastWrite = 0;
    const starts: number[] = [];
    const onEvent = (e: BuildEvent) => {
      if (e.type === 'step' && e.step === 'resolve' && e.status === 'start') starts.push(performance.now());
      // While the second build runs: three changes, each after the debounce.
      if (poke && e.type === 'step' && e.step === 'resolve' && e.status === 'done') {
        poke = false;
        void (async () => {
          for (let i = 0; i < 3; i++) {
            fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'during-${i}';\n`);
            lastWrite = performance.now();
            await sleep(60);
          }
        })();
      }
    };
    const { watcher, reports } = await watch(dir, { onEvent });
    try {
      poke = true;
      fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'two';\n`);
      await until(() => reports.length >= 3, 'the queued rebuild');
      await sleep(400);
      // Three changes during build 2 (the last one, if it came after build 2 ended, starts build 3 itself): one build more.
      expect(reports.map((r) => r.ok)).toEqual([true, true, true]);
      expect(starts).toHaveLength(3);
      expect(starts[2]).toBeGreaterThan(lastWrite);
    } finally {
      await watcher.stop();
    }
  });

  it('an edit saved while a build bundles is in the exe of the rebuild it queues', async () => {
    const dir = project(files());
    let poke = false;
    const onEvent = (e: BuildEvent) => {
      // While the second build bundles (after esbuild has read the sources, before the build ends): the edit.
      if (poke && e.type === 'step' && e.step === 'bundle' && e.status === 'start') {
        poke = false;
        setTimeout(() => fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'saved-while-bundling';\n`), 120);
      }
    };
    const { watcher, reports } = await watch(dir, { onEvent });
    try {
      poke = true;
      fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'two';\n`);
      await until(() => reports.length >= 3, 'the rebuild the edit queued');
      await sleep(300);
      expect(reports.map((r) => r.ok)).toEqual([true, true, true]);
      // A build must never keep (or reuse) what it bundled as the result for sources changed under it.
      expect(fs.readFileSync(path.join(dir, 'dist', 'WatchSvc.exe')).includes('saved-while-bundling'), 'the exe holds the last edit').toBe(true);
    } finally {
      await watcher.stop();
    }
  });

  it('a new import is watched after the rebuild that found it; a removed one no longer is', async () => {
    const dir = project(files());
    const { watcher, reports } = await watch(dir);
    try {
      const extra = path.join(dir, 'src', 'lib', 'extra.ts');
      fs.mkdirSync(path.dirname(extra));
      fs.writeFileSync(extra, `export const extra = 'x1';\n`);
      expect(watcher.watching()).not.toContain(extra);
      fs.writeFileSync(path.join(dir, 'src/app.ts'), `${APP}import { extra } from './lib/extra';\nconsole.log(extra);\n`);
      await until(() => reports.length >= 2, 'the rebuild with the new import');
      expect(watcher.watching()).toContain(extra);
      fs.writeFileSync(extra, `export const extra = 'x2';\n`);
      await until(() => reports.length >= 3, 'the rebuild after the new file changed');
      expect(fs.readFileSync(path.join(dir, 'dist', 'WatchSvc.exe')).includes('x2')).toBe(true);
      fs.writeFileSync(path.join(dir, 'src/app.ts'), APP);
      await until(() => reports.length >= 4, 'the rebuild without the import');
      expect(watcher.watching()).not.toContain(extra);
    } finally {
      await watcher.stop();
    }
  });

  it('a first build that fails on the sources watches the project folders, and a fix builds', async () => {
    const dir = project({ ...files(), 'src/text.ts': 'export const text = ;\n' });
    const { watcher, reports } = await watch(dir);
    try {
      expect(reports).toEqual([expect.objectContaining({ ok: false, first: true })]);
      expect(watcher.watching()).toEqual(expect.arrayContaining([dir + path.sep, path.join(dir, 'src') + path.sep]));
      fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'ok';\n`);
      await until(() => reports.length >= 2, 'the build after the fix');
      expect(reports[1]).toMatchObject({ ok: true });
      // Built: back to the inputs alone.
      expect(watcher.watching()).not.toContain(path.join(dir, 'src') + path.sep);
    } finally {
      await watcher.stop();
    }
  });

  it('a usage error at the start rejects (the CLI exits 2); --restart without a win-x64 target or on a non-Windows host is one', async () => {
    const dir = project(files());
    await expect(watchBuild({ entry: path.join(dir, 'src/app.ts'), name: 'bad/name', cwd: dir })).rejects.toMatchObject({ code: 'INVALID_NAME', exitCode: 2 });
    await expect(watchBuild({ entry: path.join(dir, 'src/nope.ts'), name: 'X', cwd: dir })).rejects.toMatchObject({ code: 'ENTRY_NOT_FOUND', exitCode: 2 });
    const host = { run: async () => ({ code: 0, stdout: '', stderr: '' }), copy: async () => {}, localPath: (p: string) => p, samePath: () => true };
    await expect(watchBuild({ entry: path.join(dir, 'src/app.ts'), name: 'X', cwd: dir, targets: 'linux-x64' }, { restart: host })).rejects.toMatchObject({
      exitCode: 2,
      message: '--restart restarts the win-x64 service, and this build has no win-x64 target',
    });
    if (process.platform !== 'win32') {
      await expect(watchBuild({ entry: path.join(dir, 'src/app.ts'), name: 'X', cwd: dir }, { restart: true })).rejects.toMatchObject({
        exitCode: 2,
        message: `--restart restarts the Windows service installed on this machine, and this machine runs ${process.platform}`,
      });
    }
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('stop() during a build waits for it: its outputs are all in place and nothing is left staged', async () => {
    const dir = project(files());
    let building: () => void = () => {};
    const started = new Promise<void>((resolve) => (building = resolve));
    const { watcher, reports } = await watch(dir, { onEvent: (e) => e.type === 'step' && e.step === 'bundle' && e.status === 'start' && reports.length === 1 && building() });
    fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'last';\n`);
    await started;
    await watcher.stop();
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatchObject({ ok: true });
    expect(fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.startsWith('.svcpack-staging'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'dist', 'WatchSvc.exe')).includes('last')).toBe(true);
    expect(watcher.watching()).toEqual([]);
    // Nothing is watched any more: a change builds nothing.
    fs.writeFileSync(path.join(dir, 'src/text.ts'), `export const text = 'after';\n`);
    await sleep(300);
    expect(reports).toHaveLength(2);
  });
});
