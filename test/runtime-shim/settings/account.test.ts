import { describe, it, expect } from 'vitest';
import { accountProblem, classifyAccount } from '../../../runtime-shim/settings/account';

describe('classifyAccount', () => {
  it('recognises LocalSystem in every spelling, case-insensitively: no start name, SID S-1-5-18', () => {
    for (const a of ['LocalSystem', 'localsystem', '.\\LocalSystem', 'NT AUTHORITY\\SYSTEM', 'nt authority\\system', 'SYSTEM']) {
      expect(classifyAccount(a, 'MySvc')).toEqual({ kind: 'local-system', startName: null, needsPassword: false, wellKnownSid: 'S-1-5-18' });
    }
  });

  it('recognises LocalService and NetworkService with their NT AUTHORITY start names', () => {
    for (const a of ['LocalService', 'LOCALSERVICE', 'NT AUTHORITY\\LocalService', 'NT AUTHORITY\\LOCAL SERVICE']) {
      expect(classifyAccount(a, 'MySvc')).toEqual({ kind: 'local-service', startName: 'NT AUTHORITY\\LocalService', needsPassword: false, wellKnownSid: 'S-1-5-19' });
    }
    for (const a of ['NetworkService', 'networkservice', 'NT AUTHORITY\\NetworkService', 'nt authority\\network service']) {
      expect(classifyAccount(a, 'MySvc')).toEqual({ kind: 'network-service', startName: 'NT AUTHORITY\\NetworkService', needsPassword: false, wellKnownSid: 'S-1-5-20' });
    }
  });

  it('NT SERVICE\\<name> is a virtual account without a password; its own one is spelled like the service', () => {
    expect(classifyAccount('NT SERVICE\\MySvc', 'MySvc')).toEqual({ kind: 'virtual', startName: 'NT SERVICE\\MySvc', needsPassword: false, wellKnownSid: null });
    expect(classifyAccount('nt service\\mysvc', 'MySvc').startName).toBe('NT SERVICE\\MySvc');
    expect(classifyAccount('NT SERVICE\\Other', 'MySvc')).toEqual({ kind: 'virtual', startName: 'NT SERVICE\\Other', needsPassword: false, wellKnownSid: null });
  });

  it('a name ending in $ is a gMSA without a password', () => {
    expect(classifyAccount('CORP\\web01$', 'MySvc')).toEqual({ kind: 'gmsa', startName: 'CORP\\web01$', needsPassword: false, wellKnownSid: null });
  });

  it('anything else is a user that needs a password, start name as given', () => {
    for (const a of ['CORP\\svc-web', '.\\svcuser', 'svc@corp.example.com']) {
      expect(classifyAccount(a, 'MySvc')).toEqual({ kind: 'user', startName: a, needsPassword: true, wellKnownSid: null });
    }
  });
});

describe('accountProblem', () => {
  it('accepts built-in names and the DOMAIN\\user, .\\user, user@domain, gMSA and virtual forms', () => {
    for (const a of ['LocalSystem', 'SYSTEM', 'NT AUTHORITY\\LOCAL SERVICE', 'NetworkService', 'NT SERVICE\\MySvc', 'CORP\\svc', '.\\svc', 'svc@corp.example', 'CORP\\gmsa$']) {
      expect(accountProblem(a), a).toBeNull();
    }
  });

  it('names what is wrong', () => {
    expect(accountProblem('')).toBe('the account is empty');
    expect(accountProblem('CORP\\s\nvc')).toBe('account "CORP\\s\\x0avc" contains a control character');
    expect(accountProblem(' CORP\\svc')).toMatch(/starts or ends with a space/);
    expect(accountProblem('A\\B\\C')).toMatch(/more than one backslash/);
    expect(accountProblem('\\svc')).toMatch(/empty domain/);
    expect(accountProblem('CORP\\')).toMatch(/empty user name/);
    expect(accountProblem('NT SERVICE\\')).toMatch(/empty user name/);
    expect(accountProblem('@corp')).toMatch(/empty user name/);
    expect(accountProblem('svc@')).toMatch(/empty domain/);
    expect(accountProblem('a@b@c')).toMatch(/more than one @/);
    expect(accountProblem(`CORP\\${'x'.repeat(300)}`)).toMatch(/305 characters long \(at most 256\)/);
  });

  it('refuses a bare name that is not built in (typos such as LocalSytem)', () => {
    expect(accountProblem('LocalSytem')).toBe('account "LocalSytem" is neither a built-in account nor DOMAIN\\user, .\\user or user@domain');
  });
});
