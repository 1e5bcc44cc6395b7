/**
 * Task Scheduler mode under Wine 10. What Wine's Task Scheduler does, found by
 * trying it and in its source (dlls/taskschd, dlls/schedsvc, programs/schtasks):
 * - ITaskFolder::RegisterTask parses the definition (xmllite: well-formed, known settings checked)
 *   and stores Wine's re-serialization as C:\windows\system32\tasks\<Name>; GetTask/get_Xml read it
 *   back and DeleteTask removes it; IRegisteredTask::get_State answers.
 * - Its reader skips triggers, principals and actions (read_triggers is a stub): what it stores
 *   keeps the registration info and the settings, not the triggers, account or command.
 * - Run, Stop, last/next run times: E_NOTIMPL; its scheduler never starts a Task Scheduler 2.0
 *   task. So the task's process is started here with the command line the definition names, and
 *   `stop`'s graceful path (the stop event, svcpack's own) is proven on that process.
 *
 * One exe (fixtures/task-mode, which records service.mode, its args and working folder in its data
 * folder), tasks named SvcpackE2ETask*.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { classifyAccount } from '../../runtime-shim/settings/account';
import { DEFAULT_RECOVERY } from '../../runtime-shim/settings/service-settings';
import { taskDefinitionXml, taskPrincipal, taskRestart } from '../../runtime-shim/commands/task/task-definition';
import { readTaskDefinition } from '../../runtime-shim/commands/task/task-xml';
import { parseTrigger } from '../../runtime-shim/commands/task/trigger';
import type { TaskStatusReport } from '../../runtime-shim/commands/task/task-commands';
import {
  buildFixture,
  createService,
  dataDirOf,
  e2eFile,
  expectInOrder,
  readText,
  removeService,
  runExe,
  spawnExe,
  waitForText,
  wine,
  winePrefix,
  type BuiltFixture,
} from './wine';

const NAME = 'SvcpackE2ETask';

const file = e2eFile<{ app: BuiltFixture }>({
  services: [NAME],
  setup: async () => ({ app: await buildFixture('task-mode', NAME) }),
});

/** Where Wine's Task Scheduler keeps task `name`'s definition. */
const storedFile = (name: string) => path.join(winePrefix, 'drive_c', 'windows', 'system32', 'tasks', name);

afterAll(async () => {
  // A test that failed half-way may leave the task registered: Wine's schtasks can delete it.
  if (fs.existsSync(storedFile(NAME))) await wine(['schtasks', '/delete', '/tn', NAME, '/f']).catch(() => undefined);
});

const exe = (args: string[], tag: string) => runExe(file.ctx.app.exe, args, { tag, timeoutMs: 30_000 });

const TRIGGERS = ['boot', 'logon', 'daily 03:00', 'every 15m'];

/** The definition install generates for `triggers` (LocalService, default recovery), for comparison. */
function generated(triggers: string[]): string {
  return taskDefinitionXml({
    name: NAME,
    description: '',
    exePath: 'C:\\x\\SvcpackE2ETask.exe',
    taskArg: '--task',
    args: [],
    workingDirectory: 'C:\\x',
    principal: taskPrincipal('LocalService', classifyAccount('LocalService', NAME)),
    triggers: triggers.map(parseTrigger),
    restart: taskRestart(DEFAULT_RECOVERY),
    now: new Date(),
  });
}

describe('Task Scheduler mode under Wine', () => {
  test('install --as task with every trigger kind registers it; the definition reads back', async () => {
    const r = await exe(['install', '--as', 'task', ...TRIGGERS.flatMap((t) => ['--trigger', t])], 'install');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${NAME}: installed as scheduled task \\\\${NAME}; triggers ${TRIGGERS.join(', ')}; account LocalService`, 'm'));
    expect(r.stderr).toBe('');

    // Read back twice: the file Wine's Task Scheduler stored, and the exe's status (get_Xml, get_State).
    const stored = readTaskDefinition(readText(storedFile(NAME)));
    const ours = readTaskDefinition(generated(TRIGGERS));
    // Every setting Wine kept has our value, and the ones svcpack cares about are among them.
    for (const [key, value] of Object.entries(stored.settings)) expect([key, value]).toEqual([key, ours.settings[key]]);
    expect(stored.settings).toMatchObject({
      ExecutionTimeLimit: 'PT0S',
      MultipleInstancesPolicy: 'IgnoreNew',
      DisallowStartIfOnBatteries: 'false',
      StopIfGoingOnBatteries: 'false',
      StartWhenAvailable: 'true',
      AllowHardTerminate: 'true',
      Enabled: 'true',
    });
    // What Wine 10 drops (see the file comment); ours has them: they are checked against the definition only.
    expect(ours.triggers).toEqual(TRIGGERS);
    expect(stored).toMatchObject({ triggers: [], command: null, userId: null, restartOnFailure: null });

    const s = await exe(['status', '--json'], 'status');
    expect(s.code, s.stderr).toBe(0);
    const report = JSON.parse(s.stdout) as TaskStatusReport;
    expect(report).toMatchObject({ name: NAME, installed: true, kind: 'task', state: 'ready', executionTimeLimit: 'PT0S', triggers: [] });

    // Installed already: a second install needs --force, which replaces the definition.
    const again = await exe(['install', '--as', 'task', '--trigger', 'every 15m'], 'again');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^${NAME}: ${NAME} is already installed as a scheduled task — `));
  });

  test('start says Wine cannot run it; the command line the task runs starts the app in mode task', async () => {
    const start = await exe(['start'], 'start');
    expect(start.code).toBe(1);
    expect(start.stderr.trim()).toBe(
      `${NAME}: running scheduled task ${NAME}: this Task Scheduler does not implement it (IRegisteredTask::Run, HRESULT 0x80004001) — Wine cannot run or end scheduled tasks; on Windows this works`,
    );

    // Wine keeps no action, so the line comes from the definition install generates: "<exe>" --task <args>.
    fs.rmSync(path.join(dataDirOf(NAME), 'task-run.json'), { force: true });
    const run = await runExe(file.ctx.app.exe, ['--task', 'one', 'two words'], { tag: 'task', dir: file.ctx.app.outDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toBe(''); // no console output: it went to the log
    const record = JSON.parse(readText(path.join(dataDirOf(NAME), 'task-run.json'))) as Record<string, unknown>;
    expect(record).toEqual({ mode: 'task', isService: false, args: ['--task', 'one', 'two words'], cwd: expect.stringMatching(/svcpack-e2e-SvcpackE2ETask-/) });
    const log = readText(file.ctx.app.logFile);
    expect(log).toMatch(/info {2}\[lifecycle\] started by Task Scheduler in /);
    expect(log).toMatch(/info {2}\[stdout\] task fixture ran in mode task/);
    expect(log).toMatch(/info {2}\[app\] task fixture done/);
    expect(log).toMatch(/info {2}\[lifecycle\] app exited with code 0/);
  });

  test('stop asks the running task process to stop: its onStop handler runs, then it exits', async () => {
    const dataDir = dataDirOf(NAME);
    for (const f of ['task-run.json', 'task-stopped.txt']) fs.rmSync(path.join(dataDir, f), { force: true });
    const task = spawnExe(file.ctx.app.exe, ['--task', 'stay'], { tag: 'stay' });
    try {
      await waitForText(path.join(dataDir, 'task-run.json'), /"mode":"task"/, 20_000);
      const stop = await exe(['stop', '--timeout', '15s'], 'stop');
      expect(stop.code, stop.stderr).toBe(0);
      expect(stop.stdout).toMatch(/^SvcpackE2ETask: asked the task's process to stop\r?\nSvcpackE2ETask: stopped after \d+\.\d s/);
      expect(readText(path.join(dataDir, 'task-stopped.txt'))).toBe('onStop ran (stop)');
      expect((await task.exited).code).toBe(0);
      expectInOrder(readText(file.ctx.app.logFile), [/\[lifecycle\] started by Task Scheduler/, /\[lifecycle\] stopping \(stop\)/, /\[lifecycle\] stopped$/]);
    } finally {
      await task.kill();
    }
    // Nothing runs now: the stop goes to Task Scheduler, which Wine does not implement.
    const again = await exe(['stop'], 'stop2');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(IRegisteredTask::Stop, HRESULT 0x80004001)');
  });

  test('a name that is both a service and a task is refused; uninstall removes the task', async () => {
    await createService(NAME, file.ctx.app.exe);
    try {
      const both = await exe(['status'], 'both');
      expect(both.code).toBe(1);
      expect(both.stderr).toMatch(new RegExp(`^${NAME}: ${NAME} is installed both as a service and as a scheduled task — `));
    } finally {
      await removeService(NAME);
    }

    const u = await exe(['uninstall'], 'uninstall');
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain(`${NAME}: removed scheduled task \\${NAME}`);
    expect(fs.existsSync(storedFile(NAME))).toBe(false);
    const s = await exe(['status'], 'gone');
    expect(s.stdout.trim()).toBe(`${NAME}: not installed (this exe is version 1.0.0)`);
  });
});
