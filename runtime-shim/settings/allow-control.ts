/**
 * The `allowControl` setting (`--allow-control`) as users write it: the accounts and groups that
 * may query, start, stop, pause/continue and send controls to the service without administrator
 * rights. What the setting becomes on the service (its security descriptor) is
 * commands/service-security.ts; looking the names up happens at install. Pure.
 *
 * One value is a comma-separated list (a config may also give a JSON list), each entry a name
 * LookupAccountNameW resolves — `Users`, `BUILTIN\Users`, `NT AUTHORITY\Authenticated Users`,
 * `DOMAIN\Helpdesk`, `.\alice`, `alice@example.com` — or a SID string such as `S-1-5-32-545`
 * (Users on a Windows in any language, where the group's name is translated). The word `none`
 * (any case) or an empty value means no one besides the Windows defaults.
 */
import { sidToBytes } from './sid';
import { hasControl, quoted } from './quoted';

/** The value that empties the list where an empty argument cannot be passed (Windows PowerShell 5.1). */
export const NO_ONE = 'none';

/** The hint for any problem with an entry: the accepted forms. */
export const ALLOW_CONTROL_FORMS =
  'list accounts or groups separated by commas, e.g. Users, BUILTIN\\Users, DOMAIN\\Helpdesk, .\\alice, alice@example.com or a SID such as S-1-5-32-545; none for no one';

/** A sanity limit: a domain name (≤ 255) and a user name (≤ 104) never come near it together. */
const MAX_ENTRY_LENGTH = 512;
/** Characters Windows does not allow in user or group names (the comma is the separator). */
const FORBIDDEN = /["/[\]:;|=+*?<>]/;
const SID_STRING = /^S-1-/i;

/** Whether `entry` is written as a SID string (`S-1-…`) rather than a name. */
export const isSidString = (entry: string): boolean => SID_STRING.test(entry);

/** A bad `allowControl` value: what is wrong (one line) and how to fix it. */
export class AllowControlProblem extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'AllowControlProblem';
  }
}

/**
 * The entries of `value` (a comma-separated string or a list), trimmed. `none`, `''` and `[]`
 * give []. Throws `AllowControlProblem` naming the first bad entry: empty, a control or forbidden
 * character, more than one backslash or an empty domain/name around it, a malformed SID string,
 * `none` among other entries, or an entry listed twice (any case).
 */
export function parseAllowControl(value: string | readonly string[]): string[] {
  const raw = typeof value === 'string' ? (value.trim() === '' ? [] : value.split(',')) : value;
  if (raw.length === 1 && raw[0]!.trim().toLowerCase() === NO_ONE) return [];
  const seen = new Set<string>();
  return raw.map((item) => {
    const entry = item.trim();
    const problem = entryProblem(entry);
    if (problem) throw new AllowControlProblem(problem, ALLOW_CONTROL_FORMS);
    if (seen.has(entry.toLowerCase())) throw new AllowControlProblem(`account or group ${quoted(entry)} is listed twice`, 'list each account or group once');
    seen.add(entry.toLowerCase());
    return entry;
  });
}

function entryProblem(entry: string): string | null {
  if (entry === '') return 'the list of accounts allowed to control the service has an empty entry';
  if (entry.toLowerCase() === NO_ONE) return `${NO_ONE} cannot be listed with other accounts or groups`;
  if (hasControl(entry)) return `account or group ${quoted(entry)} contains a control character`;
  if (entry.length > MAX_ENTRY_LENGTH) return `account or group ${quoted(entry)} is ${entry.length} characters long (at most ${MAX_ENTRY_LENGTH})`;
  if (isSidString(entry)) {
    try {
      sidToBytes(entry);
      return null;
    } catch {
      return `${quoted(entry)} is not a valid SID`;
    }
  }
  if (FORBIDDEN.test(entry)) return `account or group ${quoted(entry)} contains one of " / [ ] : ; | = + * ? < >, which account names cannot contain`;
  const parts = entry.split('\\');
  if (parts.length > 2) return `account or group ${quoted(entry)} has more than one backslash`;
  if (parts.length === 2 && (parts[0] === '' || parts[1] === '')) {
    return `account or group ${quoted(entry)} has an empty ${parts[0] === '' ? 'domain' : 'name'}`;
  }
  return null;
}
