/**
 * The generated Task Scheduler definition, field by field, for each trigger and account kind.
 * Fields are read with the same small reader `status` uses (task-xml.ts, tested on its own in
 * task-xml.test.ts) and, where the exact text matters, matched as text.
 */
import { describe, expect, it } from 'vitest';
import { classifyAccount } from '../../../../runtime-shim/settings/account';
import { DEFAULT_RECOVERY } from '../../../../runtime-shim/settings/service-settings';
import {
  escapeXml,
  isoDuration,
  localBoundary,
  taskArguments,
  taskDefinitionXml,
  taskPrincipal,
  taskRestart,
  TASK_LOGON_PASSWORD,
  TASK_LOGON_SERVICE_ACCOUNT,
  type TaskDefinitionInput,
} from '../../../../runtime-shim/commands/task/task-definition';
import { elements, readTaskDefinition, text } from '../../../../runtime-shim/commands/task/task-xml';

const NOW = new Date(2026, 11, 2, 11, 42, 17); // local time
const principal = (account: string) => taskPrincipal(account, classifyAccount(account, 'MySvc'));

function input(over: Partial<TaskDefinitionInput> = {}): TaskDefinitionInput {
  return {
    name: 'MySvc',
    description: 'does <things> & more',
    exePath: 'C:\\Program Files\\My Svc\\MySvc.exe',
    taskArg: '--task',
    args: [],
    workingDirectory: 'C:\\Program Files\\My Svc',
    principal: principal('LocalService'),
    triggers: [{ kind: 'boot' }],
    restart: { intervalMs: 60_000, count: 3 },
    now: NOW,
    ...over,
  };
}

describe('taskDefinitionXml', () => {
  const xml = taskDefinitionXml(input());

  it('is a version 1.2 task in the Task Scheduler namespace, declared UTF-16 (passed as a BSTR)', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">')).toBe(true);
    expect(xml.trimEnd().endsWith('</Task>')).toBe(true);
  });

  it('registration info: escaped description and the URI \\<Name>', () => {
    const info = elements(xml, 'RegistrationInfo')[0]!;
    expect(info).toContain('<Description>does &lt;things&gt; &amp; more</Description>');
    expect(text(info, 'Description')).toBe('does <things> & more');
    expect(text(info, 'URI')).toBe('\\MySvc');
    expect(taskDefinitionXml(input({ description: '' }))).not.toContain('<Description>');
  });

  it('settings: no time limit, runs on battery, start when available, IgnoreNew, restart on failure', () => {
    const view = readTaskDefinition(xml);
    expect(view.settings).toEqual({
      MultipleInstancesPolicy: 'IgnoreNew',
      DisallowStartIfOnBatteries: 'false',
      StopIfGoingOnBatteries: 'false',
      AllowHardTerminate: 'true',
      StartWhenAvailable: 'true',
      RunOnlyIfNetworkAvailable: 'false',
      AllowStartOnDemand: 'true',
      Enabled: 'true',
      Hidden: 'false',
      RunOnlyIfIdle: 'false',
      WakeToRun: 'false',
      ExecutionTimeLimit: 'PT0S',
      Priority: '7',
    });
    expect(view.restartOnFailure).toEqual({ interval: 'PT1M', count: 3 });
    const idle = elements(xml, 'IdleSettings')[0]!;
    expect(text(idle, 'StopOnIdleEnd')).toBe('false');
    expect(text(idle, 'RestartOnIdle')).toBe('false');
    expect(taskDefinitionXml(input({ restart: null }))).not.toContain('RestartOnFailure');
  });

  it('action: the exe in quotes, the task argument then the app args, the working folder unquoted', () => {
    const view = readTaskDefinition(taskDefinitionXml(input({ args: ['--port', '8080', 'two words', 'say "hi"'] })));
    expect(view.command).toBe('"C:\\Program Files\\My Svc\\MySvc.exe"');
    expect(view.arguments).toBe('--task --port 8080 "two words" "say \\"hi\\""');
    expect(view.workingDirectory).toBe('C:\\Program Files\\My Svc');
    expect(xml).toContain('<Actions Context="Author">');
    expect(readTaskDefinition(xml).arguments).toBe('--task');
    expect(() => taskDefinitionXml(input({ exePath: 'C:\\a"b\\MySvc.exe' }))).toThrow(/double quote/);
  });

  it('principal: a built-in account as its SID without LogonType, least privilege', () => {
    for (const [account, sid] of [
      ['LocalSystem', 'S-1-5-18'],
      ['LocalService', 'S-1-5-19'],
      ['NT AUTHORITY\\NetworkService', 'S-1-5-20'],
    ] as const) {
      const def = taskDefinitionXml(input({ principal: principal(account) }));
      const p = elements(def, 'Principal')[0]!;
      expect(text(p, 'UserId')).toBe(sid);
      expect(text(p, 'LogonType')).toBeNull();
      expect(text(p, 'RunLevel')).toBe('LeastPrivilege');
      expect(def).toContain('<Principal id="Author">');
    }
  });

  it('principal: a user or gMSA account as written, LogonType Password (runs whether logged on or not)', () => {
    for (const account of ['.\\alice', 'CORP\\svc-batch$']) {
      const view = readTaskDefinition(taskDefinitionXml(input({ principal: principal(account) })));
      expect(view.userId).toBe(account);
      expect(view.logonType).toBe('Password');
    }
  });

  it('boot trigger', () => {
    expect(elements(xml, 'Triggers')[0]).toBe('\r\n    <BootTrigger>\r\n      <Enabled>true</Enabled>\r\n    </BootTrigger>\r\n  ');
  });

  it('logon trigger: any user for a built-in account, the account itself for a user', () => {
    const any = elements(taskDefinitionXml(input({ triggers: [{ kind: 'logon' }] })), 'LogonTrigger')[0]!;
    expect(text(any, 'Enabled')).toBe('true');
    expect(text(any, 'UserId')).toBeNull();
    const own = elements(taskDefinitionXml(input({ triggers: [{ kind: 'logon' }], principal: principal('.\\alice') })), 'LogonTrigger')[0]!;
    expect(text(own, 'UserId')).toBe('.\\alice');
  });

  it('daily trigger: a calendar trigger every day at the time, from the registration date', () => {
    const t = elements(taskDefinitionXml(input({ triggers: [{ kind: 'daily', hour: 3, minute: 5 }] })), 'CalendarTrigger')[0]!;
    expect(text(t, 'StartBoundary')).toBe('2026-12-02T03:05:00');
    expect(text(t, 'Enabled')).toBe('true');
    expect(text(t, 'DaysInterval')).toBe('1');
  });

  it('every trigger: a time trigger from the registration minute, repeated without end', () => {
    const t = elements(taskDefinitionXml(input({ triggers: [{ kind: 'every', intervalMs: 15 * 60_000 }] })), 'TimeTrigger')[0]!;
    expect(text(t, 'StartBoundary')).toBe('2026-12-02T11:42:00');
    expect(text(t, 'Interval')).toBe('PT15M');
    expect(text(t, 'StopAtDurationEnd')).toBe('false');
    expect(text(t, 'Duration')).toBeNull();
    expect(text(t, 'Enabled')).toBe('true');
  });

  it('several triggers, in the order given, read back as install writes them', () => {
    const def = taskDefinitionXml(input({ triggers: [{ kind: 'every', intervalMs: 3_600_000 }, { kind: 'boot' }, { kind: 'daily', hour: 23, minute: 0 }, { kind: 'logon' }] }));
    expect(readTaskDefinition(def).triggers).toEqual(['every 1h', 'boot', 'daily 23:00', 'logon']);
  });
});

describe('taskPrincipal', () => {
  it('registers built-in accounts as service accounts and users with a password', () => {
    expect(principal('LocalSystem')).toEqual({ userId: 'S-1-5-18', logonTypeElement: null, logon: TASK_LOGON_SERVICE_ACCOUNT, registerAs: 'NT AUTHORITY\\SYSTEM', needsPassword: false });
    expect(principal('localservice').registerAs).toBe('NT AUTHORITY\\LOCAL SERVICE');
    expect(principal('NetworkService').registerAs).toBe('NT AUTHORITY\\NETWORK SERVICE');
    expect(principal('.\\alice')).toEqual({ userId: '.\\alice', logonTypeElement: 'Password', logon: TASK_LOGON_PASSWORD, registerAs: '.\\alice', needsPassword: true });
    expect(principal('CORP\\gmsa$')).toMatchObject({ logon: TASK_LOGON_PASSWORD, needsPassword: false });
    expect(() => principal('NT SERVICE\\MySvc')).toThrow(/virtual account/);
  });
});

describe('taskRestart', () => {
  it('one retry per restart action, the first delay in whole minutes (at least one)', () => {
    expect(taskRestart(DEFAULT_RECOVERY)).toEqual({ intervalMs: 60_000, count: 3 });
    expect(taskRestart({ ...DEFAULT_RECOVERY, actions: [{ action: 'restart', delayMs: 90_000 }, { action: 'reboot', delayMs: 0 }] })).toEqual({ intervalMs: 120_000, count: 1 });
    expect(taskRestart({ ...DEFAULT_RECOVERY, actions: [] })).toBeNull();
    expect(taskRestart({ ...DEFAULT_RECOVERY, actions: [{ action: 'reboot', delayMs: 0 }] })).toBeNull();
  });
});

describe('helpers', () => {
  it('isoDuration', () => {
    expect([0, 1000, 60_000, 900_000, 3_600_000, 86_400_000, 90_061_000].map(isoDuration)).toEqual(['PT0S', 'PT1S', 'PT1M', 'PT15M', 'PT1H', 'P1D', 'P1DT1H1M1S']);
  });
  it('localBoundary', () => {
    expect(localBoundary(new Date(2027, 0, 9, 4, 7, 59))).toBe('2027-01-09T04:07:00');
    expect(localBoundary(new Date(2027, 0, 9, 4, 7), 23, 30)).toBe('2027-01-09T23:30:00');
  });
  it('escapeXml and taskArguments', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(taskArguments('--task', [])).toBe('--task');
    expect(taskArguments('--task', ['C:\\my dir\\'])).toBe('--task "C:\\my dir\\\\"');
  });
});
