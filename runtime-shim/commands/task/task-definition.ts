/**
 * The Task Scheduler 2.0 definition (XML, schema version 1.2: Windows 7 / Server 2008 R2 and
 * later) of the scheduled task `install --as task` registers. Pure: every value comes from the
 * arguments, so each field is unit-tested here and the registration only hands the text over.
 *
 * What the definition says:
 * - Principal: a built-in account (LocalSystem, LocalService, NetworkService) as its well-known
 *   SID, with no LogonType element: the schema's logonType has no value for service accounts
 *   (TASK_LOGON_SERVICE_ACCOUNT exists only in the COM API, which `logon` carries to
 *   registration). A user or gMSA account as written, LogonType Password: the task runs whether
 *   the user is logged on or not (a gMSA has no password; Windows fetches it). RunLevel
 *   LeastPrivilege.
 * - Settings: no execution time limit (PT0S instead of the 72-hour default), restart on failure
 *   (interval and count, see `taskRestart`), start when available (a missed start runs as soon as
 *   possible), runs on battery and keeps running when the machine switches to battery,
 *   MultipleInstancesPolicy IgnoreNew (a trigger firing while the task runs starts nothing),
 *   not stopped when the computer stops being idle, no network condition, priority 7 (normal).
 * - Action: the exe, its path in quotes, with the task argument and the app's args quoted as
 *   CommandLineToArgvW reads them; WorkingDirectory unquoted (Task Scheduler takes the folder
 *   as is and fails with 0x8007010B on quotes).
 * - Triggers: boot (BootTrigger), logon (LogonTrigger; for a user account only that user's
 *   logon), daily HH:MM (CalendarTrigger every day from the registration date), every N minutes
 *   (TimeTrigger from the registration minute, repeated without end). Times are local: a
 *   StartBoundary without a zone follows the machine's clock and time zone.
 */
import type { AccountClass } from '../../settings/account';
import type { Recovery } from '../../settings/service-settings';
import { argsText } from '../scm-config';
import type { TaskTrigger } from './trigger';

export const TASK_SCHEMA_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task';

/** TASK_LOGON_TYPE values registration passes (taskschd.h). */
export const TASK_LOGON_PASSWORD = 1;
export const TASK_LOGON_SERVICE_ACCOUNT = 5;

/** Who the task runs as, in the definition and at registration. */
export interface TaskPrincipal {
  /** The Principal's UserId: a well-known SID for built-in accounts, else the account. */
  userId: string;
  /** The Principal's LogonType element; null for built-in accounts (see the module comment). */
  logonTypeElement: 'Password' | null;
  /** TASK_LOGON_TYPE for ITaskFolder::RegisterTask. */
  logon: typeof TASK_LOGON_PASSWORD | typeof TASK_LOGON_SERVICE_ACCOUNT;
  /** The user name registration passes (takes priority over the definition's UserId). */
  registerAs: string;
  /** Only ordinary user accounts: registration needs the password. */
  needsPassword: boolean;
}

const BUILT_IN_PRINCIPALS: Partial<Record<AccountClass['kind'], string>> = {
  'local-system': 'NT AUTHORITY\\SYSTEM',
  'local-service': 'NT AUTHORITY\\LOCAL SERVICE',
  'network-service': 'NT AUTHORITY\\NETWORK SERVICE',
};

/**
 * The principal of a task running as `account` (as written by the user) of class `cls`. Throws
 * for a virtual account: `NT SERVICE\<Name>` exists only for a service of that name.
 */
export function taskPrincipal(account: string, cls: AccountClass): TaskPrincipal {
  const builtIn = BUILT_IN_PRINCIPALS[cls.kind];
  if (builtIn !== undefined) {
    return { userId: cls.wellKnownSid!, logonTypeElement: null, logon: TASK_LOGON_SERVICE_ACCOUNT, registerAs: builtIn, needsPassword: false };
  }
  if (cls.kind === 'virtual') throw new Error(`a scheduled task cannot run as the virtual account ${account}`);
  return { userId: account, logonTypeElement: 'Password', logon: TASK_LOGON_PASSWORD, registerAs: account, needsPassword: cls.needsPassword };
}

/** RestartOnFailure: how often Task Scheduler retries a failed task, and how long it waits. */
export interface TaskRestart {
  /** Whole minutes, 1 minute to 31 days (the schema's limits). */
  intervalMs: number;
  /** 1 to 999. */
  count: number;
}

const MINUTE_MS = 60_000;
const MAX_RESTART_INTERVAL_MS = 31 * 86_400_000;
const MAX_RESTART_COUNT = 999;

/**
 * The task's restart on failure from the service recovery setting (`--recovery`): one retry per
 * restart action, waiting the first restart's delay rounded up to whole minutes (at least one
 * minute, Task Scheduler's minimum). No restart actions: no RestartOnFailure. Run and reboot
 * actions have no task equivalent and are left out.
 */
export function taskRestart(recovery: Recovery): TaskRestart | null {
  const restarts = recovery.actions.filter((a) => a.action === 'restart');
  if (restarts.length === 0) return null;
  const minutes = Math.max(1, Math.ceil(restarts[0]!.delayMs / MINUTE_MS));
  return { intervalMs: Math.min(minutes * MINUTE_MS, MAX_RESTART_INTERVAL_MS), count: Math.min(restarts.length, MAX_RESTART_COUNT) };
}

export interface TaskDefinitionInput {
  /** The task's name (the service name), registered in the root folder as `\<name>`. */
  name: string;
  description: string;
  /** Absolute Windows path of the exe. */
  exePath: string;
  /** The argument that makes the exe run as the task (`--task`). */
  taskArg: string;
  /** The app's args, after the task argument. */
  args: readonly string[];
  /** The folder the app starts in (already resolved from the workingDir setting). */
  workingDirectory: string;
  principal: TaskPrincipal;
  triggers: readonly TaskTrigger[];
  restart: TaskRestart | null;
  /** The registration time: its local date and minute start the daily and every triggers. */
  now: Date;
}

/** XML text escaping for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An ISO 8601 duration (`PT0S`, `PT15M`, `PT2H`, `P1D`, `P1DT30M`) for whole seconds. */
export function isoDuration(ms: number): string {
  let s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  if (days === 0 && time === '') return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DDTHH:MM:00` in local time, with `hour`/`minute` overriding the date's own. */
export function localBoundary(date: Date, hour = date.getHours(), minute = date.getMinutes()): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(hour)}:${pad(minute)}:00`;
}

/** The exe path for the Command element, always in quotes. Throws if it holds a quote. */
export function taskCommand(exePath: string): string {
  if (exePath.includes('"')) throw new Error(`the exe path ${exePath} contains a double quote`);
  return `"${exePath}"`;
}

/** The Arguments element: the task argument, then the app's args quoted for CommandLineToArgvW. */
export function taskArguments(taskArg: string, args: readonly string[]): string {
  return [taskArg, argsText(args)].filter((part) => part !== '').join(' ');
}

function triggerXml(trigger: TaskTrigger, input: TaskDefinitionInput): string[] {
  switch (trigger.kind) {
    case 'boot':
      return ['    <BootTrigger>', '      <Enabled>true</Enabled>', '    </BootTrigger>'];
    case 'logon':
      return [
        '    <LogonTrigger>',
        '      <Enabled>true</Enabled>',
        ...(input.principal.logonTypeElement === 'Password' ? [`      <UserId>${escapeXml(input.principal.userId)}</UserId>`] : []),
        '    </LogonTrigger>',
      ];
    case 'daily':
      return [
        '    <CalendarTrigger>',
        `      <StartBoundary>${localBoundary(input.now, trigger.hour, trigger.minute)}</StartBoundary>`,
        '      <Enabled>true</Enabled>',
        '      <ScheduleByDay>',
        '        <DaysInterval>1</DaysInterval>',
        '      </ScheduleByDay>',
        '    </CalendarTrigger>',
      ];
    case 'every':
      return [
        '    <TimeTrigger>',
        '      <Repetition>',
        `        <Interval>${isoDuration(trigger.intervalMs)}</Interval>`,
        '        <StopAtDurationEnd>false</StopAtDurationEnd>',
        '      </Repetition>',
        `      <StartBoundary>${localBoundary(input.now)}</StartBoundary>`,
        '      <Enabled>true</Enabled>',
        '    </TimeTrigger>',
      ];
  }
}

/** The definition's XML text (UTF-16 declared: registration passes it as a BSTR). */
export function taskDefinitionXml(input: TaskDefinitionInput): string {
  const e = escapeXml;
  const { principal, restart } = input;
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    `<Task version="1.2" xmlns="${TASK_SCHEMA_NAMESPACE}">`,
    '  <RegistrationInfo>',
    ...(input.description ? [`    <Description>${e(input.description)}</Description>`] : []),
    `    <URI>\\${e(input.name)}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    ...input.triggers.flatMap((t) => triggerXml(t, input)),
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    `      <UserId>${e(principal.userId)}</UserId>`,
    ...(principal.logonTypeElement ? [`      <LogonType>${principal.logonTypeElement}</LogonType>`] : []),
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <AllowHardTerminate>true</AllowHardTerminate>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings>',
    '      <StopOnIdleEnd>false</StopOnIdleEnd>',
    '      <RestartOnIdle>false</RestartOnIdle>',
    '    </IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>false</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <WakeToRun>false</WakeToRun>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    ...(restart
      ? ['    <RestartOnFailure>', `      <Interval>${isoDuration(restart.intervalMs)}</Interval>`, `      <Count>${restart.count}</Count>`, '    </RestartOnFailure>']
      : []),
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${e(taskCommand(input.exePath))}</Command>`,
    `      <Arguments>${e(taskArguments(input.taskArg, input.args))}</Arguments>`,
    `      <WorkingDirectory>${e(input.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}
