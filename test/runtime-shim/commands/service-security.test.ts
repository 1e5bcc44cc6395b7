import { describe, expect, it } from 'vitest';
import { CONTROL_RIGHTS, DEFAULT_SERVICE_DACL, serviceDacl } from '../../../runtime-shim/commands/service-security';
import { grantedAccess, sddlRights } from './fake-scm';

// winsvc.h / winnt.h
const SERVICE_QUERY_CONFIG = 0x1;
const SERVICE_CHANGE_CONFIG = 0x2;
const SERVICE_QUERY_STATUS = 0x4;
const SERVICE_ENUMERATE_DEPENDENTS = 0x8;
const SERVICE_START = 0x10;
const SERVICE_STOP = 0x20;
const SERVICE_PAUSE_CONTINUE = 0x40;
const SERVICE_INTERROGATE = 0x80;
const SERVICE_USER_DEFINED_CONTROL = 0x100;
const DELETE = 0x10000;
const READ_CONTROL = 0x20000;
const WRITE_DAC = 0x40000;
const WRITE_OWNER = 0x80000;
const SERVICE_ALL_ACCESS = 0xf01ff;

describe('service DACL for allowControl', () => {
  it("CONTROL_RIGHTS: query, start, stop, pause/continue, interrogate, user controls, read the descriptor — never change, delete or re-secure", () => {
    const mask = sddlRights(CONTROL_RIGHTS);
    expect(mask).toBe(
      SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS | SERVICE_START | SERVICE_STOP |
        SERVICE_PAUSE_CONTINUE | SERVICE_INTERROGATE | SERVICE_USER_DEFINED_CONTROL | READ_CONTROL,
    );
    expect(mask).toBe(0x201fd);
    for (const right of [SERVICE_CHANGE_CONFIG, DELETE, WRITE_DAC, WRITE_OWNER]) expect(mask & right).toBe(0);
  });

  it('the default: SYSTEM controls, Administrators have full control, interactive and service logons only query', () => {
    expect(grantedAccess(DEFAULT_SERVICE_DACL, ['S-1-5-18'])).toBe(sddlRights(CONTROL_RIGHTS));
    expect(grantedAccess(DEFAULT_SERVICE_DACL, ['S-1-5-32-544'])).toBe(SERVICE_ALL_ACCESS);
    for (const sid of ['S-1-5-4', 'S-1-5-6']) {
      const granted = grantedAccess(DEFAULT_SERVICE_DACL, [sid]);
      expect(granted & (SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG | SERVICE_INTERROGATE | SERVICE_USER_DEFINED_CONTROL)).not.toBe(0);
      expect(granted & (SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE)).toBe(0);
    }
    expect(grantedAccess(DEFAULT_SERVICE_DACL, ['S-1-5-32-545'])).toBe(0); // Users as such: nothing
  });

  it('no SIDs: exactly the default', () => {
    expect(serviceDacl([])).toBe(DEFAULT_SERVICE_DACL);
  });

  it('one allow entry per SID after the default ones, in order, each SID once', () => {
    expect(serviceDacl(['S-1-5-32-545', 'S-1-5-21-1-2-3-1001', 's-1-5-32-545'])).toBe(
      `${DEFAULT_SERVICE_DACL}(A;;CCLCSWRPWPDTLOCRRC;;;S-1-5-32-545)(A;;CCLCSWRPWPDTLOCRRC;;;S-1-5-21-1-2-3-1001)`,
    );
    const dacl = serviceDacl(['S-1-5-32-545']);
    expect(grantedAccess(dacl, ['S-1-5-32-545']) & (SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS)).toBe(SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS);
    expect(grantedAccess(dacl, ['S-1-5-32-544'])).toBe(SERVICE_ALL_ACCESS); // administrators keep everything
  });

  it('accepts only SID strings, so no name or SDDL fragment can reach the descriptor', () => {
    for (const bad of ['Users', 'BU', 'S-1-5-32-545)(A;;GA;;;WD', 'S-1-5', '', 'S-1-x-2']) {
      expect(() => serviceDacl([bad]), bad).toThrow(/^not a SID string/);
    }
    expect(serviceDacl(['S-1-0x000000000012-3'])).toContain('(A;;CCLCSWRPWPDTLOCRRC;;;S-1-0x000000000012-3)');
  });
});
