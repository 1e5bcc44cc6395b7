import { describe, expect, it } from 'vitest';
import { AllowControlProblem, ALLOW_CONTROL_FORMS, isSidString, parseAllowControl } from '../../../runtime-shim/settings/allow-control';
import { thrown } from '../../support/thrown';

const problem = (value: string | string[]): AllowControlProblem => thrown(AllowControlProblem, () => parseAllowControl(value));

describe('parseAllowControl', () => {
  it('reads names in every form LookupAccountNameW takes, and SID strings, trimmed, in order', () => {
    const names = [
      'Users',
      'BUILTIN\\Users',
      'NT AUTHORITY\\Authenticated Users',
      'CORP\\Help Desk',
      '.\\alice',
      'alice@corp.example',
      'CORP\\gmsa$',
      'Grüße-Team',
      'S-1-5-32-545',
      's-1-5-21-1-2-3-1001',
    ];
    expect(parseAllowControl(names.join(' , '))).toEqual(names);
    expect(parseAllowControl(names)).toEqual(names);
  });

  it('none (any case, alone), an empty or blank string and an empty list mean no one', () => {
    for (const value of ['', '  ', 'none', 'None', ' NONE ', ['none'], []]) expect(parseAllowControl(value), JSON.stringify(value)).toEqual([]);
  });

  it('refuses entries an account name cannot be, each with one line and the accepted forms', () => {
    const cases: Array<[string | string[], string]> = [
      ['Users,,Admins', 'the list of accounts allowed to control the service has an empty entry'],
      [['Users', ' '], 'the list of accounts allowed to control the service has an empty entry'],
      ['Users,none', 'none cannot be listed with other accounts or groups'],
      [['a\tb'], 'account or group "a\\x09b" contains a control character'],
      ['Us:ers', 'account or group "Us:ers" contains one of " / [ ] : ; | = + * ? < >, which account names cannot contain'],
      ['a/b', 'account or group "a/b" contains one of " / [ ] : ; | = + * ? < >, which account names cannot contain'],
      ['(A;;GA;;;WD)', 'account or group "(A;;GA;;;WD)" contains one of " / [ ] : ; | = + * ? < >, which account names cannot contain'],
      ['A\\B\\C', 'account or group "A\\B\\C" has more than one backslash'],
      ['\\user', 'account or group "\\user" has an empty domain'],
      ['CORP\\', 'account or group "CORP\\" has an empty name'],
      ['S-1-5-x', '"S-1-5-x" is not a valid SID'],
      ['S-1-5-99999999999', '"S-1-5-99999999999" is not a valid SID'],
      [['x'.repeat(513)], `account or group "${'x'.repeat(59)}…" is 513 characters long (at most 512)`],
    ];
    for (const [value, message] of cases) {
      const err = problem(value);
      expect(err.message, JSON.stringify(value)).toBe(message);
      expect(err.hint).toBe(ALLOW_CONTROL_FORMS);
    }
  });

  it('refuses an entry listed twice, in any case', () => {
    expect(problem('Users, users')).toMatchObject({ message: 'account or group "users" is listed twice', hint: 'list each account or group once' });
    expect(problem(['S-1-5-32-545', 's-1-5-32-545']).message).toBe('account or group "s-1-5-32-545" is listed twice');
  });

  it('isSidString: S-1- in any case starts a SID string; names do not', () => {
    expect(isSidString('S-1-5-32-545')).toBe(true);
    expect(isSidString('s-1-5-18')).toBe(true);
    expect(isSidString('Users')).toBe(false);
    expect(isSidString('S-Team')).toBe(false);
  });
});
