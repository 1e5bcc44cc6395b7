/**
 * Service accounts as users write them (`--account`): which kind each is, what the SCM must be
 * told (lpServiceStartName), and whether it needs a password. Pure; recognition is
 * case-insensitive, like Windows account names.
 */
import { hasControl, quoted } from './quoted';
import { virtualAccount } from './service-settings';

export type AccountKind = 'local-system' | 'local-service' | 'network-service' | 'virtual' | 'gmsa' | 'user';

export interface AccountClass {
  kind: AccountKind;
  /** lpServiceStartName for CreateService/ChangeServiceConfig; null means LocalSystem. */
  startName: string | null;
  /** True only for ordinary user accounts; built-in, virtual and gMSA accounts have none. */
  needsPassword: boolean;
  /** The SID of a built-in account; null for the others (looked up or computed elsewhere). */
  wellKnownSid: string | null;
}

const BUILT_IN: ReadonlyArray<{ names: readonly string[]; class: AccountClass }> = [
  {
    names: ['localsystem', '.\\localsystem', 'nt authority\\system', 'system'],
    class: { kind: 'local-system', startName: null, needsPassword: false, wellKnownSid: 'S-1-5-18' },
  },
  {
    names: ['localservice', 'nt authority\\localservice', 'nt authority\\local service'],
    class: { kind: 'local-service', startName: 'NT AUTHORITY\\LocalService', needsPassword: false, wellKnownSid: 'S-1-5-19' },
  },
  {
    names: ['networkservice', 'nt authority\\networkservice', 'nt authority\\network service'],
    class: { kind: 'network-service', startName: 'NT AUTHORITY\\NetworkService', needsPassword: false, wellKnownSid: 'S-1-5-20' },
  },
];

const VIRTUAL_PREFIX = 'nt service\\';
/** A sanity limit (user principal names stop at 256 characters). */
const MAX_ACCOUNT_LENGTH = 256;

/**
 * Classifies a valid account (see `accountProblem`). `NT SERVICE\<anything>` is a virtual
 * account; when it names `serviceName` itself, startName is written with the service's own
 * spelling (`NT SERVICE\<serviceName>`), otherwise as given. A name ending in `$` is a group
 * managed service account; anything else is a user account that needs a password.
 */
export function classifyAccount(account: string, serviceName: string): AccountClass {
  const lower = account.toLowerCase();
  const builtIn = BUILT_IN.find((b) => b.names.includes(lower));
  if (builtIn) return { ...builtIn.class };
  if (lower.startsWith(VIRTUAL_PREFIX)) {
    const own = lower === `${VIRTUAL_PREFIX}${serviceName.toLowerCase()}`;
    return { kind: 'virtual', startName: own ? virtualAccount(serviceName) : account, needsPassword: false, wellKnownSid: null };
  }
  if (account.endsWith('$')) return { kind: 'gmsa', startName: account, needsPassword: false, wellKnownSid: null };
  return { kind: 'user', startName: account, needsPassword: true, wellKnownSid: null };
}

/**
 * What is wrong with `account`, or null when it has a valid form: a built-in name, `NT SERVICE\<Name>`,
 * `DOMAIN\user`, `.\user`, `user@domain` or `DOMAIN\name$`. A bare name that is not a built-in one
 * is refused (usually a typo such as `LocalSytem`; local users are written `.\user`).
 */
export function accountProblem(account: string): string | null {
  if (account.length === 0) return 'the account is empty';
  if (hasControl(account)) return `account ${quoted(account)} contains a control character`;
  if (account.trim() !== account) return `account ${quoted(account)} starts or ends with a space`;
  if (account.length > MAX_ACCOUNT_LENGTH) return `account ${quoted(account)} is ${account.length} characters long (at most ${MAX_ACCOUNT_LENGTH})`;
  if (BUILT_IN.some((b) => b.names.includes(account.toLowerCase()))) return null;

  const parts = account.split('\\');
  if (parts.length > 2) return `account ${quoted(account)} has more than one backslash`;
  if (parts.length === 2) {
    const [domain, user] = parts as [string, string];
    if (domain === '' || user === '') return `account ${quoted(account)} has an empty ${domain === '' ? 'domain' : 'user name'}`;
    return null;
  }
  const at = account.split('@');
  if (at.length > 2) return `account ${quoted(account)} has more than one @`;
  if (at.length === 2) {
    if (at[0] === '' || at[1] === '') return `account ${quoted(account)} has an empty ${at[0] === '' ? 'user name' : 'domain'}`;
    return null;
  }
  return `account ${quoted(account)} is neither a built-in account nor DOMAIN\\user, .\\user or user@domain`;
}

/** The hint for any account problem: the accepted forms. */
export const ACCOUNT_FORMS =
  'use LocalSystem, LocalService, NetworkService, NT SERVICE\\<Name> (virtual account), DOMAIN\\user, .\\user, user@domain or DOMAIN\\name$ (gMSA)';
