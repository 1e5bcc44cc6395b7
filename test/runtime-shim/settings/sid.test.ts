import { describe, expect, it } from 'vitest';
import { serviceSid, sidFromBytes, sidToBytes } from '../../../runtime-shim/settings/sid';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sidToBytes / sidFromBytes', () => {
  it('encodes the binary layout (revision, count, big-endian authority, little-endian sub-authorities)', () => {
    expect(hex(sidToBytes('S-1-5-19'))).toBe('010100000000000513000000');
    expect(hex(sidToBytes('S-1-5-32-544'))).toBe('01020000000000052000000020020000');
    expect(hex(sidToBytes('S-1-1-0'))).toBe('010100000000000100000000');
    // A domain user SID (binary and string forms as published in a worked example).
    expect(hex(sidToBytes('S-1-5-21-347728882-1813064083-908604766-1038'))).toBe(
      '010500000000000515000000f2ebb9149329116c5e3528360e040000',
    );
  });

  it('round-trips', () => {
    for (const sid of [
      'S-1-0-0',
      'S-1-5-18',
      'S-1-5-21-0-0-0-1000',
      'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
      'S-1-5-21-4294967295-1-2-3',
      'S-1-16-12288',
      `S-1-5-${Array.from({ length: 14 }, (_, i) => i + 1).join('-')}`,
    ]) {
      expect(sidFromBytes(sidToBytes(sid))).toBe(sid);
    }
  });

  it('writes an identifier authority of 2^32 or more in hex, as Windows does', () => {
    const bytes = sidToBytes('S-1-0x123456789ABC-7');
    expect(hex(bytes)).toBe('0101123456789abc07000000');
    expect(sidFromBytes(bytes)).toBe('S-1-0x123456789ABC-7');
    expect(sidFromBytes(sidToBytes('S-1-4294967296-1'))).toBe('S-1-0x000100000000-1');
    expect(sidFromBytes(sidToBytes('S-1-0x5-1'))).toBe('S-1-5-1');
  });

  it('reads only the bytes the SID spans (buffers may be larger, subarrays offset)', () => {
    const padded = new Uint8Array(32);
    padded.set(sidToBytes('S-1-5-19'), 4);
    expect(sidFromBytes(padded.subarray(4))).toBe('S-1-5-19');
  });

  it.each([
    '',
    'S-1',
    'S-2-5-18',
    's-1-5-18-',
    'S-1-5--18',
    'S-1-5-18 ',
    'S-1-5-4294967296',
    'S-1-281474976710656-1',
    'S-1-0x1000000000000-1',
    'S-1-5-x',
    `S-1-5-${Array.from({ length: 16 }, () => 1).join('-')}`,
    'NT AUTHORITY\\LocalService',
  ])('sidToBytes rejects %j', (bad) => {
    expect(() => sidToBytes(bad)).toThrow(/malformed SID/);
  });

  it('sidFromBytes rejects bytes that are not a SID', () => {
    expect(() => sidFromBytes(new Uint8Array([1, 1, 0, 0]))).toThrow(/not a SID/);
    expect(() => sidFromBytes(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 5]))).toThrow(/not a SID/);
    expect(() => sidFromBytes(new Uint8Array([1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0]))).toThrow(/not a SID/);
    expect(() => sidFromBytes(new Uint8Array([1, 16, 0, 0, 0, 0, 0, 5, ...new Array(64).fill(0)]))).toThrow(/not a SID/);
  });
});

describe('serviceSid', () => {
  it('matches the SID Windows gives NT SERVICE\\TrustedInstaller', () => {
    expect(serviceSid('TrustedInstaller')).toBe('S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464');
  });

  it('is case-insensitive (the name is upper-cased first)', () => {
    expect(serviceSid('trustedinstaller')).toBe(serviceSid('TRUSTEDINSTALLER'));
    expect(serviceSid('MyApp')).toBe(serviceSid('myapp'));
  });

  it('has five sub-authorities after S-1-5-80 and survives the binary round trip', () => {
    const sid = serviceSid('SvcpackE2EHello');
    expect(sid).toMatch(/^S-1-5-80(-\d+){5}$/);
    expect(sidFromBytes(sidToBytes(sid))).toBe(sid);
  });

  it('upper-cases per UTF-16 unit: a character whose upper case is longer stays', () => {
    // 'ß'.toUpperCase() is 'SS'; RtlUpcaseUnicodeString leaves ß alone.
    expect(serviceSid('straße')).toBe(serviceSid('STRAßE'));
    expect(serviceSid('straße')).not.toBe(serviceSid('STRASSE'));
  });
});
