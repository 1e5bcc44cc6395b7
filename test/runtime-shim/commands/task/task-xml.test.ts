import { describe, expect, it } from 'vitest';
import { durationMs, elements, readTaskDefinition, text, unescapeXml } from '../../../../runtime-shim/commands/task/task-xml';

/** A definition as Windows returns it (get_Xml / schtasks /Query /XML), trimmed to what matters. */
const WINDOWS_EXPORT = `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Nightly &amp; hourly</Description>
    <URI>\\MySvc</URI>
  </RegistrationInfo>
  <Triggers>
    <CalendarTrigger>
      <StartBoundary>2026-12-02T03:00:00</StartBoundary>
      <Enabled>true</Enabled>
      <ScheduleByDay>
        <DaysInterval>1</DaysInterval>
      </ScheduleByDay>
    </CalendarTrigger>
    <TimeTrigger>
      <Repetition>
        <Interval>PT1H</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
      <StartBoundary>2026-12-02T11:42:00</StartBoundary>
      <Enabled>true</Enabled>
    </TimeTrigger>
    <BootTrigger>
      <Enabled>true</Enabled>
    </BootTrigger>
    <LogonTrigger id="L1">
      <Enabled>true</Enabled>
    </LogonTrigger>
    <CalendarTrigger>
      <StartBoundary>2026-12-02T03:00:00</StartBoundary>
      <ScheduleByWeek><WeeksInterval>1</WeeksInterval><DaysOfWeek><Monday /></DaysOfWeek></ScheduleByWeek>
    </CalendarTrigger>
    <IdleTrigger />
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>S-1-5-19</UserId>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>"C:\\Program Files\\My Svc\\MySvc.exe"</Command>
      <Arguments>--task --name &quot;x y&quot;</Arguments>
      <WorkingDirectory>C:\\Program Files\\My Svc</WorkingDirectory>
    </Exec>
  </Actions>
</Task>`;

/** What Wine 10 keeps of a definition (its reader skips triggers, principals and actions). */
const WINE_KEPT = `<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
  </RegistrationInfo>
  <Triggers/>
  <Principals>
    <Principal>
    </Principal>
  </Principals>
  <Settings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
  </Settings>
  <Actions>
    <Exec/>
  </Actions>
</Task>`;

describe('readTaskDefinition', () => {
  it('reads a Windows definition: triggers as install writes them, action, principal, settings', () => {
    const view = readTaskDefinition(WINDOWS_EXPORT);
    expect(view.triggers).toEqual(['daily 03:00', 'every 1h', 'boot', 'logon', 'other (CalendarTrigger)', 'other (IdleTrigger)']);
    expect(view.command).toBe('"C:\\Program Files\\My Svc\\MySvc.exe"');
    expect(view.arguments).toBe('--task --name "x y"');
    expect(view.workingDirectory).toBe('C:\\Program Files\\My Svc');
    expect(view.userId).toBe('S-1-5-19');
    expect(view.logonType).toBeNull();
    expect(view.description).toBe('Nightly & hourly');
    expect(view.settings).toEqual({ MultipleInstancesPolicy: 'IgnoreNew', ExecutionTimeLimit: 'PT0S' });
    expect(view.restartOnFailure).toEqual({ interval: 'PT1M', count: 3 });
  });

  it('reads what Wine keeps: no triggers, no action, no principal', () => {
    const view = readTaskDefinition(WINE_KEPT);
    expect(view).toMatchObject({ triggers: [], command: null, arguments: null, workingDirectory: null, userId: null, description: null, restartOnFailure: null });
    expect(view.settings).toEqual({ AllowStartOnDemand: 'true', ExecutionTimeLimit: 'PT0S' });
  });
});

describe('xml helpers', () => {
  it('elements, text, unescape', () => {
    expect(elements('<a>1</a><a x="y">2</a><a/><ab>3</ab>', 'a')).toEqual(['1', '2', '']);
    expect(text('<b> &lt;x&gt; &#65;&#x42; </b>', 'b')).toBe('<x> AB');
    expect(text('<b/>', 'c')).toBeNull();
    expect(unescapeXml('&amp;lt;')).toBe('&lt;');
  });
  it('durationMs', () => {
    expect(['PT0S', 'PT15M', 'PT1H', 'P1D', 'P1DT2H3M4S'].map(durationMs)).toEqual([0, 900_000, 3_600_000, 86_400_000, 93_784_000]);
    expect(['', 'P', 'PT', 'P1Y', '15m'].map(durationMs)).toEqual([null, null, null, null, null]);
  });
});
