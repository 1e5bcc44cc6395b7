/**
 * `install --allow-control` under Wine 10: the exe looks the group up with
 * Wine's LookupAccountNameW, sets the service's DACL with SetServiceObjectSecurity, stores the
 * names in the service's Parameters key, and `status` shows them; `--force` refuses an unknown
 * name (exit 2, nothing changed) and `none` restores the default. A driver
 * (test/e2e/drivers/service-security.ts) then reads the DACL back through the same bindings.
 *
 * What Wine cannot show (docs/wine10-facts.md, "Service security"): its SetServiceObjectSecurity
 * succeeds but keeps nothing, and its QueryServiceObjectSecurity answers an empty DACL `D:` for
 * every service and handle; every program runs as an administrator. So that the DACL really
 * grants the group start/stop, and that Windows refuses others, is not provable here: the SDDL
 * and the rights start/stop/status ask for are checked by the unit tests
 * (test/runtime-shim/commands/allow-control.test.ts, service-security.test.ts).
 */
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_SERVICE_DACL } from '../../runtime-shim/commands/service-security';
import { acquireRuntime } from '../../src/runtime/acquire';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import type { DriverConfig } from './drivers/service-security';
import {
  besidesWineScmWarnings,
  buildFixture,
  bundleDriver,
  driverSteps,
  e2eFile,
  regQuery,
  removeService,
  repoRoot,
  runDriver,
  runExe,
  scratchDir,
  winPath,
  type BuiltFixture,
} from './wine';

const NAME = 'SvcpackE2EAllowCtl';
const SCRATCH = 'SvcpackE2EAllowCtlScratch';
const KOFFI_NODE = path.join(repoRoot, 'node_modules/koffi/build/koffi/win32_x64/koffi.node');
/** Group names an administrator would write, and one that does not exist. */
const NAMES = ['Users', 'BUILTIN\\Users', 'Authenticated Users', 'INTERACTIVE', 'Remote Desktop Users', 'SvcpackNoSuchGroup42'];

interface Ctx {
  built: BuiltFixture;
  nodeExe: string;
  driver: string;
  dir: string;
}

const file = e2eFile<Ctx>({
  services: [NAME, SCRATCH],
  setup: async () => {
    const dir = scratchDir('allowctl');
    const driver = path.join(dir, 'driver.cjs');
    const [built, runtime] = await Promise.all([
      buildFixture('hello-http', NAME, { stopTimeout: 5_000 }),
      acquireRuntime({ version: DEFAULT_NODE_VERSION }),
      bundleDriver('service-security', driver),
    ]);
    return { built, nodeExe: runtime.targetExe, driver, dir };
  },
});

const exe = (...args: string[]) => runExe(file.ctx.built.exe, args, { timeoutMs: 60_000 });
const parameters = () => regQuery(`HKLM\\System\\CurrentControlSet\\Services\\${NAME}\\Parameters`);
const statusJson = async () => JSON.parse((await exe('status', '--json')).stdout) as { allowControl?: string[] };

describe('install --allow-control under Wine', { timeout: 120_000 }, () => {
  beforeEach(async () => {
    await removeService(NAME);
  });

  // One test, one installation: each exe run costs seconds under Wine.
  test('Users is looked up, stored and shown; the DACL as Wine reports it; --force refuses an unknown name and none restores the default', async () => {
    const installed = await exe('install', '--allow-control', 'Users,Remote Desktop Users');
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`${NAME}: Users, Remote Desktop Users may query, start and stop it without administrator rights`);
    expect(besidesWineScmWarnings(installed.stderr)).toBe('');
    expect((await parameters())?.AllowControl).toEqual({ type: 'REG_SZ', data: 'Users,Remote Desktop Users' });
    expect((await statusJson()).allowControl).toEqual(['Users', 'Remote Desktop Users']);
    expect((await exe('status')).stdout).toMatch(/^ {2}allowed to control +Users, Remote Desktop Users\r?$/m);

    const t0 = performance.now();
    const config: Omit<DriverConfig, 'report'> = { koffi: winPath(KOFFI_NODE), installed: NAME, scratch: SCRATCH, names: NAMES };
    const report = await runDriver({ nodeExe: file.ctx.nodeExe, driver: file.ctx.driver, dir: file.ctx.dir, config, timeoutMs: 60_000 });
    console.log(`[e2e] service-security driver ran in ${Math.round(performance.now() - t0)} ms (exit ${report.code})`);
    expect(report.fatal).toBeUndefined();
    expect(report.done).toBe(true);
    const { ok, failure } = driverSteps(async () => report);

    // Wine's LookupAccountNameW knows the built-in groups by their English names.
    expect(await ok('lookup:Users')).toEqual({ sid: 'S-1-5-32-545', domain: 'BUILTIN', use: 4 });
    expect(await ok('lookup:BUILTIN\\Users')).toEqual({ sid: 'S-1-5-32-545', domain: 'BUILTIN', use: 4 });
    expect(await ok('lookup:Authenticated Users')).toEqual({ sid: 'S-1-5-11', domain: 'NT AUTHORITY', use: 5 });
    expect(await ok('lookup:INTERACTIVE')).toEqual({ sid: 'S-1-5-4', domain: 'NT AUTHORITY', use: 5 });
    expect(await ok('lookup:Remote Desktop Users')).toEqual({ sid: 'S-1-5-32-555', domain: 'BUILTIN', use: 4 });
    expect(await ok('lookup:SvcpackNoSuchGroup42')).toBeNull();

    // Wine: QueryServiceObjectSecurity answers an empty DACL for every service and handle (even
    // one opened without READ_CONTROL); SetServiceObjectSecurity succeeds and keeps nothing. On
    // Windows daclInstalled would be the default plus (A;;CCLCSWRPWPDTLOCRRC;;;BU) and (…;;;RD).
    expect(await ok('daclInstalled')).toBe('D:');
    expect(await ok('daclWithoutReadControl')).toBe('D:');
    expect(await ok('daclFresh')).toBe('D:');
    expect(await ok('daclWanted')).toBe(`${DEFAULT_SERVICE_DACL}(A;;CCLCSWRPWPDTLOCRRC;;;S-1-5-32-545)`);
    // Wine's own SDDL parser and printer take the DACL install builds entry for entry (Users as BU).
    expect(await ok('daclWantedRoundTrip')).toBe(`${DEFAULT_SERVICE_DACL}(A;;CCLCSWRPWPDTLOCRRC;;;BU)`);
    await ok('setDacl');
    expect(await ok('daclAfterSet')).toBe('D:');
    expect(await ok('daclNewHandle')).toBe('D:');
    // No D: part would be a NULL DACL (everyone full access): refused before SetServiceObjectSecurity.
    expect(await failure('setNoDacl')).toMatchObject({ name: 'Error', message: expect.stringMatching(/has no DACL/) });
    expect(await failure('setBadSddl')).toMatchObject({ name: 'Win32Error', fn: 'ConvertStringSecurityDescriptorToSecurityDescriptorW', code: 1336 });

    const unknown = await exe('install', '--force', '--allow-control', 'Users,SvcpackNoSuchGroup42');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trimEnd().split(/\r?\n/)).toEqual([
      `${NAME}: cannot allow SvcpackNoSuchGroup42 to control the service: no such account or group — check the spelling (BUILTIN\\Users, DOMAIN\\Group, .\\user), or give its SID, e.g. S-1-5-32-545 for Users on a Windows in any language`,
    ]);
    expect((await parameters())?.AllowControl?.data).toBe('Users,Remote Desktop Users');

    const none = await exe('install', '--force', '--allow-control', 'none');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain(`${NAME}: only administrators may start and stop it (the Windows default)`);
    expect((await parameters())?.AllowControl).toBeUndefined();
    expect((await statusJson()).allowControl).toEqual([]);
  });
});
