import { describe, expect, it } from 'vitest';
import { enablement, restartSteps, unitAccount, unitFile, type UnitInput } from '../../../../runtime-shim/platform/systemd/unit-file';
import { DEFAULT_RUNTIME, resolveRuntime, type RuntimeInput } from '../../../../runtime-shim/settings/runtime-settings';
import { defaultSettings, type ServiceSettings } from '../../../../runtime-shim/settings/service-settings';
import { directives } from './unit-text';

const NAME = 'OrderSync';

/** A unit input: the defaults of service OrderSync with `service` and the runtime flags `runtime` applied. */
function input(service: Partial<ServiceSettings> = {}, runtime: RuntimeInput = {}, more: Partial<UnitInput> = {}): UnitInput {
  return {
    name: NAME,
    binaryPath: '/opt/order-sync/OrderSync',
    service: { ...defaultSettings(NAME, 'Order Sync', 'Copies orders'), ...service },
    runtime: resolveRuntime(runtime, DEFAULT_RUNTIME),
    systemdVersion: 252,
    ...more,
  };
}

/** The values of `key` in `section` of the unit of `i`. */
const values = (i: UnitInput, section: string, key: string): string[] =>
  directives(unitFile(i).text, section)
    .filter(([k]) => k === key)
    .map(([, v]) => v);
/** `i` with log folder `logDir` (the settings layer checks folders as Windows paths today, so set it directly). */
const withLogDir = (i: UnitInput, logDir: string): UnitInput => ({ ...i, runtime: { ...i.runtime, logging: { ...i.runtime.logging, logDir } } });
const value = (i: UnitInput, section: string, key: string): string | undefined => values(i, section, key)[0];

describe('the unit of the default settings', () => {
  const unit = unitFile(input());

  it('is named after the service', () => {
    expect(unit.unitName).toBe('OrderSync.service');
  });

  it('is a notify service started with --service, reloaded by SIGHUP', () => {
    const service = Object.fromEntries(directives(unit.text, 'Service'));
    expect(service.Type).toBe('notify');
    expect(service.NotifyAccess).toBe('main');
    expect(service.ExecStart).toBe('/opt/order-sync/OrderSync --service');
    expect(service.ExecReload).toBe('/bin/kill -HUP $MAINPID');
  });

  it('runs as a dynamic user with its state and log folders, in the least-privilege sandbox', () => {
    const service = Object.fromEntries(directives(unit.text, 'Service'));
    expect(service).toMatchObject({
      DynamicUser: 'yes',
      StateDirectory: NAME,
      CacheDirectory: NAME,
      LogsDirectory: NAME,
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      RestrictSUIDSGID: 'yes',
      CapabilityBoundingSet: '',
      SystemCallFilter: '@system-service pkey_alloc pkey_free pkey_mprotect',
      RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      UMask: '0077',
    });
    expect(service.User).toBeUndefined();
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
    expect(service.ProcSubset).toBeUndefined();
  });

  it('restarts on failure by the default restart policy', () => {
    expect(directives(unit.text, 'Unit')).toEqual([
      ['Description', 'Order Sync'],
      ['After', 'network.target'],
      ['StartLimitIntervalSec', '300s'],
      ['StartLimitBurst', '6'],
    ]);
    const service = Object.fromEntries(directives(unit.text, 'Service'));
    expect(service).toMatchObject({ Restart: 'on-failure', RestartSec: '100ms', TimeoutStopSec: '21s', WatchdogSec: '0', KillMode: 'mixed' });
    expect(service.SuccessExitStatus).toBeUndefined();
    expect(service.RestartForceExitStatus).toBeUndefined();
  });

  it('starts in the binary\'s folder, logs to the journal under its name, is wanted by multi-user.target', () => {
    expect(value(input(), 'Service', 'WorkingDirectory')).toBe('/opt/order-sync');
    expect(value(input(), 'Service', 'SyslogIdentifier')).toBe(NAME);
    expect(directives(unit.text, 'Install')).toEqual([['WantedBy', 'multi-user.target']]);
  });

  it('says where it came from and carries the description as a comment', () => {
    expect(unit.text).toMatch(/^# OrderSync\.service: written by svcpack's install/);
    expect(unit.text).toContain('# Copies orders\n[Unit]');
    expect(unit.text.endsWith('WantedBy=multi-user.target\n')).toBe(true);
  });

  it('has no warnings', () => {
    expect(unit.warnings).toEqual([]);
  });
});

describe('systemd versions', () => {
  it('uses Type=notify-reload from 253 (systemd waits for the reload itself)', () => {
    const i = input({}, {}, { systemdVersion: 253 });
    expect(value(i, 'Service', 'Type')).toBe('notify-reload');
    expect(value(i, 'Service', 'ReloadSignal')).toBe('SIGHUP');
    expect(value(i, 'Service', 'ExecReload')).toBeUndefined();
  });

  it('grows the restart delay with RestartSteps= from 254', () => {
    expect(value(input(), 'Service', 'RestartSteps')).toBeUndefined();
    const i = input({}, {}, { systemdVersion: 257 });
    // 100 ms doubling up to 60 s: 2^9.2 = 600, so 10 steps.
    expect(value(i, 'Service', 'RestartSteps')).toBe('10');
    expect(value(i, 'Service', 'RestartMaxDelaySec')).toBe('60s');
    const fixed = input({}, { restartFactor: 1 }, { systemdVersion: 257 });
    expect(value(fixed, 'Service', 'RestartSteps')).toBe('0');
    expect(value(fixed, 'Service', 'RestartMaxDelaySec')).toBeUndefined();
  });

  it('refuses a systemd older than 247', () => {
    expect(() => unitFile(input({}, {}, { systemdVersion: 245 }))).toThrow('systemd 245 is older than 247');
  });

  it('counts restart steps as the factor would', () => {
    expect(restartSteps(100, 2, 60_000)).toBe(10);
    expect(restartSteps(1_000, 2, 8_000)).toBe(3);
    expect(restartSteps(1_000, 3, 8_000)).toBe(2);
    expect(restartSteps(0, 2, 8_000)).toBe(0);
    expect(restartSteps(1_000, 2, 1_000)).toBe(0);
  });
});

describe('service settings', () => {
  it('start type: enabled for auto and delayed-auto (with a warning), disabled otherwise', () => {
    expect(enablement('auto')).toBe('enable');
    expect(enablement('delayed-auto')).toBe('enable');
    expect(enablement('manual')).toBe('disable');
    expect(enablement('disabled')).toBe('disable');
    expect(unitFile(input({ startType: 'delayed-auto' })).warnings).toEqual(['--start-type delayed-auto: systemd has no delayed start; the unit is enabled like auto']);
  });

  it('display name: Description=, % doubled; an empty one falls back to the name', () => {
    expect(value(input({ displayName: '100% Orders' }), 'Unit', 'Description')).toBe('100%% Orders');
    expect(value(input({ displayName: ' ' }), 'Unit', 'Description')).toBe(NAME);
  });

  it('dependencies: After= and Requires=, bare names as .service, unit names as they are', () => {
    const i = input({ dependencies: ['postgresql', 'network-online.target', 'redis-server.service'] });
    expect(value(i, 'Unit', 'After')).toBe('network.target postgresql.service network-online.target redis-server.service');
    expect(value(i, 'Unit', 'Requires')).toBe('postgresql.service network-online.target redis-server.service');
  });

  it('dependencies: a load-order group is left out with a warning; a name systemd cannot hold is refused', () => {
    const grouped = input({ dependencies: ['+NetworkProvider', 'postgresql'] });
    expect(value(grouped, 'Unit', 'Requires')).toBe('postgresql.service');
    expect(unitFile(grouped).warnings).toEqual(['dependency +NetworkProvider is a Windows load-order group, which systemd does not have; left out']);
    expect(() => unitFile(input({ dependencies: ['My Db'] }))).toThrow('dependency "My Db" is not a systemd unit name');
  });

  it('env: no Environment= line (systemctl show prints them to any user); EnvironmentFile= names the root-only file, a comment names the variables', () => {
    const i = input({ env: { NODE_ENV: 'production', API_KEY: 's3cret "x"', RATE: '50%' } });
    const text = unitFile(i).text;
    expect(values(i, 'Service', 'Environment')).toEqual([]);
    expect(values(i, 'Service', 'EnvironmentFile')).toEqual(['/etc/systemd/system/OrderSync.service.d/svcpack.env']);
    expect(text).toContain('# The --env variables (NODE_ENV, API_KEY, RATE) are in /etc/systemd/system/OrderSync.service.d/svcpack.env, root\'s only');
    for (const secret of ['s3cret', 'production', '50%']) expect(text).not.toContain(secret);
    expect(values({ ...i, environmentFile: '/tmp/units/OrderSync.service.d/svcpack.env' }, 'Service', 'EnvironmentFile')).toEqual(['/tmp/units/OrderSync.service.d/svcpack.env']);
    expect(values(input(), 'Service', 'EnvironmentFile')).toEqual([]);
    expect(() => unitFile(input({ env: { 'ProgramFiles(x86)': 'x' } }))).toThrow('is not one systemd accepts');
  });

  it('args: after --service, each one quoted as systemd reads it back', () => {
    const i = input({ args: ['--port', '8080', 'two words', '$HOME', '100%', ';', 'back\\slash', 'q"uote'] });
    expect(value(i, 'Service', 'ExecStart')).toBe('/opt/order-sync/OrderSync --service --port 8080 "two words" "$$HOME" "100%%" ";" "back\\\\slash" "q\\"uote"');
  });

  it('binary path: quoted when it has spaces, % doubled; refused when relative, not normalized, or holding a quote, backslash or $', () => {
    const i = input({}, {}, { binaryPath: '/opt/Order Sync 100%/OrderSync' });
    expect(value(i, 'Service', 'ExecStart')).toBe('"/opt/Order Sync 100%%/OrderSync" --service');
    expect(value(i, 'Service', 'WorkingDirectory')).toBe('/opt/Order Sync 100%%');
    expect(() => unitFile(input({}, {}, { binaryPath: 'OrderSync' }))).toThrow('is not absolute');
    expect(() => unitFile(input({}, {}, { binaryPath: '/opt/../OrderSync' }))).toThrow('is not a normalized path');
    for (const c of ['$', '"', "'", '\\']) expect(() => unitFile(input({}, {}, { binaryPath: `/opt/a${c}b/OrderSync` }))).toThrow(`contains ${c}, which systemd does not run`);
  });

  it('working folder: exe, data (/var/lib/<name>), an absolute Linux path; a Windows path is refused', () => {
    expect(value(input({ workingDir: 'data' }), 'Service', 'WorkingDirectory')).toBe('/var/lib/OrderSync');
    expect(value(input({ workingDir: '/srv/orders' }), 'Service', 'WorkingDirectory')).toBe('/srv/orders');
    expect(() => unitFile(input({ workingDir: 'D:\\apps' }))).toThrow(
      expect.objectContaining({ message: 'working folder "D:\\apps" is a Windows path; this is Linux', hint: 'give an absolute path such as /srv/OrderSync with --working-dir (or exe, data)' }),
    );
  });

  it('Windows-only settings changed from their defaults are reported and left out', () => {
    const unit = unitFile(
      input({
        sidType: 'restricted',
        preshutdownTimeoutMs: 60_000,
        recovery: { actions: [{ action: 'reboot', delayMs: 0 }], resetAfterMs: 1_000, onNonCrashFailures: true },
        allowControl: ['Users'],
      }),
    );
    expect(unit.warnings).toEqual([
      '--sid-type does not apply on Linux (a dynamic user already gives the service an identity of its own); ignored',
      '--preshutdown-timeout does not apply on Linux (at shutdown systemd stops services with their stop timeout); ignored',
      'the recovery settings does not apply on Linux (systemd restarts the service by the restart policy: --restart-delay, --max-restarts, --restart-window); ignored',
      '--allow-control does not apply on Linux (systemd decides who may start and stop units through polkit); ignored',
    ]);
    expect(unit.text).toBe(unitFile(input()).text);
  });
});

describe('accounts', () => {
  it.each([
    ['NT SERVICE\\OrderSync', { kind: 'dynamic' }],
    ['nt service\\ordersync', { kind: 'dynamic' }],
    ['LocalService', { kind: 'dynamic' }],
    ['NetworkService', { kind: 'dynamic' }],
    ['LocalSystem', { kind: 'root' }],
    ['.\\orders', { kind: 'user', user: 'orders' }],
    ['orders@corp.example', { kind: 'user', user: 'orders@corp.example' }],
  ])('%s runs as %j', (account, expected) => {
    expect(unitAccount(account, NAME)).toEqual(expected);
  });

  it.each([
    ['CORP\\orders', 'is a Windows domain account'],
    ['CORP\\orders$', 'is a group managed service account'],
    ['NT SERVICE\\Other', "is another service's virtual account"],
    ['.\\1bad', 'is not a Linux user name'],
  ])('%s has no Linux form: %s', (account, message) => {
    expect(() => unitAccount(account, NAME)).toThrow(message);
  });

  it('a named user gets User= and the whole sandbox', () => {
    const text = unitFile(input({ account: '.\\orders' })).text;
    expect(text).toContain('\nUser=orders\n');
    expect(text).not.toContain('DynamicUser');
    expect(text).toContain('\nPrivateUsers=yes\n');
  });

  it('LocalSystem runs as root without the sandbox, keeping its state and log folders', () => {
    const service = Object.fromEntries(directives(unitFile(input({ account: 'LocalSystem' })).text, 'Service'));
    expect(service.User).toBeUndefined();
    expect(service.DynamicUser).toBeUndefined();
    expect(service.ProtectSystem).toBeUndefined();
    expect(service.CapabilityBoundingSet).toBeUndefined();
    expect(service).toMatchObject({ StateDirectory: NAME, LogsDirectory: NAME });
  });
});

describe('runtime settings', () => {
  it('stop timeout: TimeoutStopSec= one second later, so svcpack\'s own forced stop comes first', () => {
    expect(value(input({}, { stopTimeout: '1m' }), 'Service', 'TimeoutStopSec')).toBe('61s');
    expect(value(input({}, { stopTimeout: '1500ms' }), 'Service', 'TimeoutStopSec')).toBe('2500ms');
    expect(value(input({}, { stopTimeout: 0 }), 'Service', 'TimeoutStopSec')).toBe('1s');
  });

  it('heartbeat: WatchdogSec=', () => {
    expect(value(input({}, { supervise: true, heartbeatTimeout: '30s' }), 'Service', 'WatchdogSec')).toBe('30s');
  });

  it('restart policy: RestartSec=, StartLimitIntervalSec=, StartLimitBurst= (starts, the first included)', () => {
    const i = input({}, { restartDelay: '2s', restartMaxDelay: '1m', maxRestarts: 3, restartWindow: '10m' });
    expect(value(i, 'Service', 'RestartSec')).toBe('2s');
    expect(value(i, 'Unit', 'StartLimitIntervalSec')).toBe('600s');
    expect(value(i, 'Unit', 'StartLimitBurst')).toBe('4');
  });

  it('restart policy: no restarts at all is Restart=no with systemd\'s own start limit, so manual starts are not limited to one', () => {
    const i = input({}, { maxRestarts: 0, restartExitCodes: '2' });
    expect(value(i, 'Service', 'Restart')).toBe('no');
    expect(value(i, 'Service', 'RestartSec')).toBeUndefined();
    expect(value(i, 'Service', 'RestartForceExitStatus')).toBeUndefined();
    expect(value(i, 'Unit', 'StartLimitIntervalSec')).toBe('10s');
    expect(value(i, 'Unit', 'StartLimitBurst')).toBe('5');
  });

  it('exit codes: success codes are SuccessExitStatus=; a restart list is Restart=on-abnormal + RestartForceExitStatus=', () => {
    const i = input({}, { successExitCodes: '0,3', restartExitCodes: '2,75' });
    expect(value(i, 'Service', 'SuccessExitStatus')).toBe('3');
    expect(value(i, 'Service', 'Restart')).toBe('on-abnormal');
    expect(value(i, 'Service', 'RestartForceExitStatus')).toBe('2 75');
    const none = input({}, { restartExitCodes: 'none' });
    expect(value(none, 'Service', 'Restart')).toBe('on-abnormal');
    expect(value(none, 'Service', 'RestartForceExitStatus')).toBeUndefined();
  });

  it('exit codes above 255 cannot be a Linux exit status: left out with a warning', () => {
    const unit = unitFile(input({}, { successExitCodes: '3,1066', restartExitCodes: '4,70000' }));
    expect(directives(unit.text, 'Service')).toContainEqual(['SuccessExitStatus', '3']);
    expect(directives(unit.text, 'Service')).toContainEqual(['RestartForceExitStatus', '4']);
    expect(unit.warnings).toEqual([
      '--success-exit-codes 1066: a Linux exit status is at most 255; left out of the unit',
      '--restart-exit-codes 70000: a Linux exit status is at most 255; left out of the unit',
    ]);
  });

  it('log folder: a Linux path is ReadWritePaths= instead of LogsDirectory=, with a warning for a dynamic user; a Windows path is refused', () => {
    const i = withLogDir(input(), '/srv/logs/order sync');
    expect(value(i, 'Service', 'ReadWritePaths')).toBe('"/srv/logs/order sync"');
    expect(value(i, 'Service', 'LogsDirectory')).toBeUndefined();
    expect(unitFile(i).warnings[0]).toMatch(/^--log-dir \/srv\/logs\/order sync: a dynamic user can write there only if/);
    expect(unitFile(withLogDir(input({ account: '.\\orders' }), '/srv/logs')).warnings).toEqual([]);
    expect(() => unitFile(input({}, { logDir: 'D:\\logs' }))).toThrow(
      expect.objectContaining({ message: 'log folder "D:\\logs" is a Windows path; this is Linux', hint: 'leave --log-dir out for /var/log/OrderSync, or give an absolute path such as /srv/logs/OrderSync' }),
    );
  });
});
