import { describe, expect, it } from 'vitest';
import {
  children,
  contents,
  DerError,
  encoding,
  readElement,
  readIntegerHex,
  readOid,
  readString,
  readTime,
  TAG,
  withTag,
} from '../../src/inspect/der';
import { thrown } from '../support/thrown';

const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');

describe('readElement', () => {
  it('short and long lengths, as views into the buffer', () => {
    const short = readElement(hex('04 03 aabbcc ff'));
    expect(short).toMatchObject({ tag: TAG.OCTET_STRING, start: 0, contentStart: 2, end: 5 });
    expect(Buffer.from(contents(short)).toString('hex')).toBe('aabbcc');
    const long = readElement(Buffer.concat([hex('04 82 0100'), Buffer.alloc(256, 7)]));
    expect(long).toMatchObject({ contentStart: 4, end: 260 });
    expect(encoding(long).byteLength).toBe(260);
  });

  it('rejects indefinite lengths, high tag numbers, and elements running past their end', () => {
    expect(thrown(DerError, () => readElement(hex('30 80 0000'))).message).toMatch(/indefinite length/);
    expect(thrown(DerError, () => readElement(hex('1f 01 00'))).message).toMatch(/high tag number/);
    expect(thrown(DerError, () => readElement(hex('04 05 aabb'))).message).toMatch(/runs past its end/);
    expect(thrown(DerError, () => readElement(hex('04 85 0000000001 00'))).message).toMatch(/length of 5 octets/);
    expect(thrown(DerError, () => readElement(hex('04'))).message).toMatch(/truncated/);
  });

  it('children stay inside their parent', () => {
    const seq = readElement(hex('30 06 0201 05 0101 ff'));
    expect(children(seq).map((c) => c.tag)).toEqual([TAG.INTEGER, TAG.BOOLEAN]);
    expect(thrown(DerError, () => children(readElement(hex('30 03 0205 01')))).message).toMatch(/runs past/);
    expect(thrown(DerError, () => children(readElement(hex('04 01 00')))).message).toMatch(/not constructed/);
  });
});

describe('value readers', () => {
  it('object identifiers', () => {
    expect(readOid(readElement(hex('06 09 2a864886f70d010702')))).toBe('1.2.840.113549.1.7.2');
    expect(readOid(readElement(hex('06 0a 2b0601040182370201 04')))).toBe('1.3.6.1.4.1.311.2.1.4');
    expect(readOid(readElement(hex('06 09 608648016503040201')))).toBe('2.16.840.1.101.3.4.2.1');
  });

  it('integers as upper-case hex without leading zero octets', () => {
    expect(readIntegerHex(readElement(hex('02 03 00ff01')))).toBe('FF01');
    expect(readIntegerHex(readElement(hex('02 01 00')))).toBe('00');
  });

  it('UTCTime (two-digit years per RFC 5280) and GeneralizedTime with fractions', () => {
    const utc = (s: string) => readTime(readElement(Buffer.concat([Buffer.from([TAG.UTC_TIME, s.length]), Buffer.from(s)])));
    const gen = (s: string) => readTime(readElement(Buffer.concat([Buffer.from([TAG.GENERALIZED_TIME, s.length]), Buffer.from(s)])));
    expect(utc('261122125244Z').toISOString()).toBe('2026-11-22T12:52:44.000Z');
    expect(utc('991231235959Z').toISOString()).toBe('1999-12-31T23:59:59.000Z');
    expect(gen('20260324004532.564Z').toISOString()).toBe('2026-03-24T00:45:32.564Z');
    expect(thrown(DerError, () => utc('2611221252Z')).message).toMatch(/not a DER time/);
  });

  it('character strings: UTF8String, PrintableString, BMPString', () => {
    expect(readString(readElement(Buffer.concat([hex('0c 06'), Buffer.from('grüß', 'utf8')])))).toBe('grüß');
    expect(readString(readElement(Buffer.concat([hex('13 04'), Buffer.from('ACME')])))).toBe('ACME');
    expect(readString(readElement(hex('1e 04 004e006f')))).toBe('No');
    expect(thrown(DerError, () => readString(readElement(hex('1e 03 004e00')))).message).toMatch(/odd length/);
  });

  it('withTag re-encodes [0] IMPLICIT as a SET OF (what a signature over signed attributes covers)', () => {
    const attrs = readElement(hex('a0 03 020101'));
    expect(Buffer.from(withTag(attrs, TAG.SET)).toString('hex')).toBe('3103020101');
    expect(attrs.buf[0]).toBe(0xa0); // the original is untouched
  });
});
