/**
 * The app's working folder under Wine's SCM: fixtures/working-dir reads settings.json
 * from its working folder and prints where it started. As a service it starts in the exe's folder
 * by default (Wine, like Windows, starts services in the system folder), in the folder given with
 * `install --working-dir` (a path, or `data`), and a folder that does not exist fails the start
 * with one log line; the supervised child starts in its folder too (here the baked `data`, with
 * nothing stored: registered by sc.exe); `run` starts the app in the exe's folder whatever the
 * console's folder, and refuses a folder that does not exist with one line.
 *
 * No ports: the fixture reports through stdout, i.e. the service log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import {
  besidesWineScmWarnings,
  buildFixture,
  dataDirOf,
  e2eFile,
  readText,
  regQuery,
  removeService,
  runExe,
  scratchDir,
  startService,
  waitForText,
  winPath,
  type BuiltFixture,
} from './wine';

const NAME = 'SvcpackE2EWorkDir';
const SUP = 'SvcpackE2EWorkDirSup';
const BAD = 'SvcpackE2EWorkDirBad';

interface Ctx {
  plain: BuiltFixture;
  /** Supervised, built with `workingDir: 'data'`. */
  sup: BuiltFixture;
  /** Built with a baked working folder that does not exist (only `run` here). */
  bad: BuiltFixture;
  /** A folder given with `install --working-dir`, with its own settings.json. */
  other: string;
  /** A folder that does not exist (yet). */
  missing: string;
}

const file = e2eFile<Ctx>({
  services: [NAME, SUP],
  setup: async () => {
    const other = scratchDir('WorkDirOther');
    fs.writeFileSync(path.join(other, 'settings.json'), '{"from":"other folder"}\n');
    const missing = path.join(scratchDir('WorkDirMissing'), 'not', 'yet');
    const [plain, sup, bad] = await Promise.all([
      buildFixture('working-dir', NAME, { stopTimeout: '5s' }),
      buildFixture('working-dir', SUP, { supervise: true, workingDir: 'data', stopTimeout: '5s' }),
      buildFixture('working-dir', BAD, { workingDir: winPath(missing) }),
    ]);
    fs.writeFileSync(path.join(plain.outDir, 'settings.json'), '{"from":"exe folder"}\n');
    return { plain, sup, bad, other, missing };
  },
});

const REPORT = /\[stdout\] working folder (.*); settings\.json (.*)$/gm;

/** Every `working folder …; settings.json …` line of a service log, in order. */
function reports(logFile: string): Array<{ folder: string; settings: string }> {
  return [...readText(logFile).matchAll(REPORT)].map((m) => ({ folder: m[1]!, settings: m[2]! }));
}

/** Waits for the app's next report in the service log (after `seen` reports). */
async function nextReport(logFile: string, seen: number): Promise<{ folder: string; settings: string }> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const all = reports(logFile);
    if (all.length > seen) return all[seen]!;
    if (performance.now() > deadline) throw new Error(`no new report in ${logFile}; it holds:\n${readText(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function exe(built: BuiltFixture, ...args: string[]) {
  return runExe(built.exe, args, { timeoutMs: 60_000, tag: args.slice(0, 2).join('-') });
}

/** Stops the service with its `stop` command, which must succeed. */
async function stop(built: BuiltFixture): Promise<void> {
  const r = await exe(built, 'stop');
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
}

/** An install's stderr lines besides Wine's two expected warnings; its stdout must hold no warning. */
function installStderr(r: { stdout: string; stderr: string }): string[] {
  expect(r.stdout).not.toMatch(/warning/);
  const rest = besidesWineScmWarnings(r.stderr);
  return rest === '' ? [] : rest.split('\n');
}

/** The service's Parameters key values, or null when the key does not exist. */
const parameters = (name: string) => regQuery(`HKLM\\System\\CurrentControlSet\\Services\\${name}\\Parameters`);

describe('a service starts the app in its working folder', () => {
  let ctx: Ctx;
  beforeEach(async () => {
    ctx = file.ctx;
    await removeService(NAME);
    await removeService(SUP);
  });

  test("by default the exe's folder: settings.json next to the exe is found; install stores it, status shows it", async () => {
    const { plain } = ctx;
    const installed = await exe(plain, 'install', '--start-type', 'manual');
    expect(installStderr(installed)).toEqual([]);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`${NAME}: the app starts in ${winPath(plain.outDir)} (the exe's folder)`);
    expect(await parameters(NAME)).toEqual({ WorkingDirectory: { type: 'REG_SZ', data: 'exe' } });

    const seen = reports(plain.logFile).length;
    const started = await exe(plain, 'start');
    expect(started.code, started.stderr).toBe(0);
    expect(await nextReport(plain.logFile, seen)).toEqual({ folder: winPath(plain.outDir), settings: '{"from":"exe folder"}' });

    const status = JSON.parse((await exe(plain, 'status', '--json')).stdout);
    expect(status).toMatchObject({ state: 'RUNNING', workingDirSetting: 'exe', workingDir: winPath(plain.outDir) });
    const text = (await exe(plain, 'status')).stdout;
    expect(text).toMatch(new RegExp(`^ {2}working dir +${escapeRegExp(`${winPath(plain.outDir)} (the exe's folder)`)}$`, 'm'));
    await stop(plain);
  });

  test('install --working-dir: a folder, then (--force) data; uninstall takes the stored value with the service', async () => {
    const { plain, other } = ctx;
    const installed = await exe(plain, 'install', '--start-type', 'manual', '--working-dir', winPath(other));
    expect(installStderr(installed)).toEqual([]);
    expect(installed.code).toBe(0);
    expect(await parameters(NAME)).toEqual({ WorkingDirectory: { type: 'REG_SZ', data: winPath(other) } });
    let seen = reports(plain.logFile).length;
    expect((await exe(plain, 'start')).code).toBe(0);
    expect(await nextReport(plain.logFile, seen)).toEqual({ folder: winPath(other), settings: '{"from":"other folder"}' });
    expect((await exe(plain, 'status')).stdout).toMatch(new RegExp(`working dir +${winPath(other).replace(/\\/g, '\\\\')}$`, 'm'));

    // --force with --working-dir data; the data folder exists (install made it).
    fs.writeFileSync(path.join(dataDirOf(NAME), 'settings.json'), '{"from":"data folder"}\n');
    const forced = await exe(plain, 'install', '--force', '--working-dir', 'data');
    expect(forced.code, forced.stderr).toBe(0);
    expect(await parameters(NAME)).toEqual({ WorkingDirectory: { type: 'REG_SZ', data: 'data' } });
    seen = reports(plain.logFile).length;
    expect((await exe(plain, 'restart')).code).toBe(0);
    expect(await nextReport(plain.logFile, seen)).toEqual({ folder: `C:\\ProgramData\\${NAME}`, settings: '{"from":"data folder"}' });

    // An update that does not give --working-dir keeps it.
    expect((await exe(plain, 'install', '--force', '--description', 'kept')).code).toBe(0);
    expect((await parameters(NAME))?.WorkingDirectory?.data).toBe('data');

    expect((await exe(plain, 'uninstall')).code).toBe(0);
    expect(await parameters(NAME)).toBeNull();
  });

  test('a folder that does not exist: install warns on stderr; the start fails with one log line (service exit code 3); created, it starts', async () => {
    const { plain, missing } = ctx;
    // The folder is removed however this test ends: the `run` test below needs it missing.
    onTestFinished(() => fs.rmSync(missing, { recursive: true, force: true }));
    const installed = await exe(plain, 'install', '--start-type', 'manual', '--working-dir', winPath(missing));
    expect(installed.code).toBe(0);
    expect(installStderr(installed)).toEqual([
      `${NAME}: warning: the working folder ${winPath(missing)} does not exist; the service will not start until it does`,
    ]);

    const seen = reports(plain.logFile).length;
    const logBefore = readText(plain.logFile).length;
    const started = await exe(plain, 'start');
    expect(started.code).toBe(1);
    expect(started.stderr.trimEnd().split(/\r?\n/)).toHaveLength(1);
    expect(started.stderr).toMatch(new RegExp(`^${NAME}: ${NAME} stopped while starting \\(exit code 1066, service exit code 3\\) — `));
    const log = (await waitForText(plain.logFile, /stopped after failure \(exit code 3\)/, 10_000)).slice(logBefore);
    const errors = log.split('\n').filter((line) => / error \[/.test(line));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\[lifecycle\\] cannot start in working folder ${winPath(missing).replace(/\\/g, '\\\\')}: it does not exist — create it, ` +
            `or change it with "${NAME}.exe install --force --working-dir <exe\\|data\\|folder>"$`,
        ),
      ),
      expect.stringMatching(/\[lifecycle\] stopped after failure \(exit code 3\)$/),
    ]);
    expect(reports(plain.logFile)).toHaveLength(seen); // the app never ran

    fs.mkdirSync(missing, { recursive: true });
    const again = await exe(plain, 'start');
    expect(again.code, again.stderr).toBe(0);
    expect(await nextReport(plain.logFile, seen)).toEqual({ folder: winPath(missing), settings: 'unreadable (ENOENT)' });
    await stop(plain);
  });

  test('supervised: the child starts in the baked data folder (sc create: nothing stored), then in an install --working-dir folder', async () => {
    const { sup, other } = ctx;
    fs.mkdirSync(dataDirOf(SUP), { recursive: true });
    fs.writeFileSync(path.join(dataDirOf(SUP), 'settings.json'), '{"from":"supervised data folder"}\n');
    let seen = reports(sup.logFile).length;
    await startService(SUP, sup.exe);
    expect(await parameters(SUP)).toBeNull();
    expect(await nextReport(sup.logFile, seen)).toEqual({ folder: `C:\\ProgramData\\${SUP}`, settings: '{"from":"supervised data folder"}' });
    expect(readText(sup.logFile)).toMatch(/\[supervisor\] app started \(pid \d+\)/);

    await removeService(SUP);
    expect((await exe(sup, 'install', '--start-type', 'manual', '--working-dir', winPath(other))).code).toBe(0);
    seen = reports(sup.logFile).length;
    expect((await exe(sup, 'start')).code).toBe(0);
    expect(await nextReport(sup.logFile, seen)).toEqual({ folder: winPath(other), settings: '{"from":"other folder"}' });
    await stop(sup);
  });
});

describe('run starts the app in the working folder', () => {
  test("the exe's folder, whatever folder the console is in; the baked data folder (created when missing)", async () => {
    const { plain, sup } = file.ctx;
    const elsewhere = scratchDir('WorkDirConsole');
    fs.writeFileSync(path.join(elsewhere, 'settings.json'), '{"from":"console folder"}\n');
    let r = await runExe(plain.exe, ['run'], { dir: elsewhere, env: { WD_EXIT: '1' }, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`working folder ${winPath(plain.outDir)}; settings.json {"from":"exe folder"}`);

    fs.rmSync(dataDirOf(SUP), { recursive: true, force: true });
    r = await runExe(sup.exe, ['run'], { dir: elsewhere, env: { WD_EXIT: '1' }, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`working folder C:\\ProgramData\\${SUP}; settings.json unreadable (ENOENT)`);
    expect(fs.statSync(dataDirOf(SUP)).isDirectory()).toBe(true);
  });

  test('a baked folder that does not exist, or a file in the way: one line on stderr, exit 1, the app never runs', async () => {
    const { bad, sup, missing } = file.ctx;
    let r = await runExe(bad.exe, ['run'], { env: { WD_EXIT: '1' }, timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split(/\r?\n/)).toEqual([
      `${BAD}: cannot start in working folder ${winPath(missing)}: it does not exist — create it, or build with another --working-dir`,
    ]);

    fs.rmSync(dataDirOf(SUP), { recursive: true, force: true });
    fs.writeFileSync(dataDirOf(SUP), 'a file where the data folder should be\n');
    try {
      r = await runExe(sup.exe, ['run'], { env: { WD_EXIT: '1' }, timeoutMs: 30_000 });
    } finally {
      fs.rmSync(dataDirOf(SUP), { force: true });
    }
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split(/\r?\n/)).toEqual([
      `${SUP}: cannot start in working folder C:\\ProgramData\\${SUP} (the data folder): it is not a folder — replace the file of that name with a folder, or build with another --working-dir`,
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
