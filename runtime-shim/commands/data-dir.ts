/**
 * The service's data folder, `%ProgramData%\<Name>` (logs, state): created by `install`, readable
 * and writable by the service and administrators only, kept by `uninstall` unless `--purge`.
 * The app finds it as `service.dataDir`.
 */
import { classifyAccount } from '../settings/account';
import type { ServiceSettings } from '../settings/service-settings';
import { serviceSid } from '../settings/sid';

/** `<programData>\\<name>`. */
export function dataDirFor(name: string, programData: string): string {
  return `${programData.replace(/[\\/]+$/, '')}\\${name}`;
}

/**
 * The ProgramData folder: from the known-folder API when it answers (`fromApi`), else from the
 * environment. The API comes first because a service's environment may lack ProgramData or
 * point it elsewhere than the management commands see (Wine 8 gave services C:\users\Public;
 * Wine 10 gives services and commands C:\ProgramData); they must agree on the folder.
 */
export function programData(fromApi: (() => string) | null, env: NodeJS.ProcessEnv = process.env): string {
  if (fromApi) {
    try {
      return fromApi();
    } catch {
      // fall back to the environment
    }
  }
  return env.ProgramData || env.PROGRAMDATA || `${env.SystemDrive || env.SYSTEMDRIVE || 'C:'}\\ProgramData`;
}

/**
 * Who gets full control besides SYSTEM and Administrators: with a service SID (sidType
 * unrestricted/restricted) the service's own SID `NT SERVICE\<Name>`, so no other service running
 * as the same account can touch the folder; else the account's SID (null for LocalSystem, which
 * SYSTEM already covers). `lookup` resolves user and gMSA accounts to SIDs.
 */
export function dataDirGrantee(name: string, settings: ServiceSettings, lookup: (account: string) => string): string | null {
  if (settings.sidType !== 'none') return serviceSid(name);
  const account = classifyAccount(settings.account, name);
  switch (account.kind) {
    case 'local-system':
      return null;
    case 'virtual':
      return serviceSid(settings.account.slice(settings.account.indexOf('\\') + 1));
    case 'local-service':
    case 'network-service':
      return account.wellKnownSid;
    case 'user':
    case 'gmsa':
      return lookup(settings.account);
  }
}

/**
 * The folder's DACL as SDDL: protected (`P`: nothing inherited from ProgramData, whose Users
 * entries would let every local user read the logs), full control for SYSTEM, Administrators and
 * the grantee, inherited by everything inside (`OICI`).
 */
export function dataDirSddl(grantee: string | null): string {
  const ace = (sid: string) => `(A;OICI;FA;;;${sid})`;
  return `D:PAI${ace('SY')}${ace('BA')}${grantee ? ace(grantee) : ''}`;
}
