import { describe, expect, it } from 'vitest';
import { statusPipePath } from '../../../runtime-shim/status/status-pipe';

describe('statusPipePath', () => {
  it('is \\\\.\\pipe\\svcpack-<Name>', () => {
    expect(statusPipePath('MySvc')).toBe('\\\\.\\pipe\\svcpack-MySvc');
  });

  it('keeps a long name within the 256-character pipe name limit, unique by hash, case-insensitively', () => {
    const long = 'S'.repeat(256);
    const p = statusPipePath(long);
    const name = p.slice('\\\\.\\pipe\\'.length);
    expect(name).toHaveLength(256);
    expect(name).toMatch(/^svcpack-S+-[0-9a-f]{12}$/);
    expect(statusPipePath(`${'S'.repeat(255)}T`)).not.toBe(p);
    expect(statusPipePath(long.toLowerCase()).slice(-12)).toBe(p.slice(-12));
  });
});
