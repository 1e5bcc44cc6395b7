/**
 * Reads a registered task's definition XML back (what Task Scheduler returns for `status`): its
 * triggers, action, principal and the settings svcpack sets. Pure and deliberately small: the
 * XML is Task Scheduler's own (no DTD, no CDATA, elements without prefixes), so elements are
 * found by name and their text unescaped. Missing elements read as null or empty lists.
 */
import { formatTrigger, type TaskTrigger } from './trigger';

export interface TaskDefinitionView {
  /** Each trigger as `install --trigger` writes it; a kind svcpack does not create as `other (<Element>)`. */
  triggers: string[];
  /** The Exec action's Command, Arguments and WorkingDirectory (null when absent). */
  command: string | null;
  arguments: string | null;
  workingDirectory: string | null;
  /** The principal's UserId and LogonType. */
  userId: string | null;
  logonType: string | null;
  description: string | null;
  /** Settings by element name (`ExecutionTimeLimit` → `PT0S`), for the ones svcpack sets. */
  settings: Record<string, string>;
  /** RestartOnFailure's Interval and Count, or null. */
  restartOnFailure: { interval: string; count: number } | null;
}

const SETTING_NAMES = [
  'MultipleInstancesPolicy',
  'DisallowStartIfOnBatteries',
  'StopIfGoingOnBatteries',
  'AllowHardTerminate',
  'StartWhenAvailable',
  'RunOnlyIfNetworkAvailable',
  'AllowStartOnDemand',
  'Enabled',
  'Hidden',
  'RunOnlyIfIdle',
  'WakeToRun',
  'ExecutionTimeLimit',
  'Priority',
] as const;

export function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-f]+|#\d+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    const lower = entity.toLowerCase();
    if (lower in named) return named[lower]!;
    return String.fromCodePoint(lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : Number(lower.slice(1)));
  });
}

/** The raw inner XML of every `<name>` element in `xml` (self-closing ones give ''). */
export function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}\\s*>)`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** The unescaped, trimmed text of the first `<name>` element, or null. */
export function text(xml: string, name: string): string | null {
  const found = elements(xml, name)[0];
  return found === undefined ? null : unescapeXml(found.trim());
}

const TRIGGER_ELEMENTS = /<(BootTrigger|LogonTrigger|CalendarTrigger|TimeTrigger|IdleTrigger|EventTrigger|RegistrationTrigger|SessionStateChangeTrigger)(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/\1\s*>)/g;

/** Reads the trigger in element `kind` with content `body` back into svcpack's form, if it is one. */
function readTrigger(kind: string, body: string): TaskTrigger | null {
  switch (kind) {
    case 'BootTrigger':
      return { kind: 'boot' };
    case 'LogonTrigger':
      return { kind: 'logon' };
    case 'CalendarTrigger': {
      const start = /T(\d{2}):(\d{2})/.exec(text(body, 'StartBoundary') ?? '');
      if (!start || text(body, 'DaysInterval') !== '1') return null;
      return { kind: 'daily', hour: Number(start[1]), minute: Number(start[2]) };
    }
    case 'TimeTrigger': {
      const ms = durationMs(text(body, 'Interval') ?? '');
      return ms === null ? null : { kind: 'every', intervalMs: ms };
    }
    default:
      return null;
  }
}

/** Milliseconds of an ISO 8601 duration without years or months (`PT15M`, `P1DT2H`); null otherwise. */
export function durationMs(iso: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return null;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}

export function readTaskDefinition(xml: string): TaskDefinitionView {
  const triggersXml = elements(xml, 'Triggers')[0] ?? '';
  const triggers = [...triggersXml.matchAll(TRIGGER_ELEMENTS)].map((m) => {
    const trigger = readTrigger(m[1]!, m[2] ?? '');
    return trigger ? formatTrigger(trigger) : `other (${m[1]})`;
  });
  const settingsXml = elements(xml, 'Settings')[0] ?? '';
  const settings: Record<string, string> = {};
  // Settings' own children only: IdleSettings and RestartOnFailure hold no element of these names.
  for (const name of SETTING_NAMES) {
    const value = text(settingsXml, name);
    if (value !== null) settings[name] = value;
  }
  const restartXml = elements(settingsXml, 'RestartOnFailure')[0];
  const exec = elements(xml, 'Exec')[0] ?? '';
  const principal = elements(xml, 'Principal')[0] ?? '';
  return {
    triggers,
    command: text(exec, 'Command'),
    arguments: text(exec, 'Arguments'),
    workingDirectory: text(exec, 'WorkingDirectory'),
    userId: text(principal, 'UserId'),
    logonType: text(principal, 'LogonType'),
    description: text(elements(xml, 'RegistrationInfo')[0] ?? '', 'Description'),
    settings,
    restartOnFailure:
      restartXml === undefined ? null : { interval: text(restartXml, 'Interval') ?? '', count: Number(text(restartXml, 'Count') ?? 0) },
  };
}
