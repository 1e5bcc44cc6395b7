/**
 * A minimal reader of DER (the ASN.1 encoding of PKCS#7 signatures and X.509 certificates), just
 * enough for Authenticode: elements are views into the original bytes, never copies. Strict:
 * indefinite lengths, high tag numbers and elements running past their parent throw a
 * {@link DerError}. Pure.
 */

/** Universal and context tags used by PKCS#7, CMS and X.509 (the whole identifier octet). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** `[n]` constructed (EXPLICIT, or IMPLICIT of a constructed type). */
  context: (n: number): number => 0xa0 | n,
  /** `[n]` primitive (IMPLICIT of a primitive type). */
  contextPrimitive: (n: number): number => 0x80 | n,
} as const;

/** Malformed or unexpected DER. The message says what was expected where. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One element (identifier, length, contents) inside `buf`. */
export interface DerElement {
  readonly buf: Uint8Array;
  /** The identifier octet. */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first contents octet. */
  readonly contentStart: number;
  /** Offset just after the last contents octet. */
  readonly end: number;
}

/** Reads the element starting at `offset`; it must end by `limit` (default: the end of `buf`). */
export function readElement(buf: Uint8Array, offset = 0, limit = buf.byteLength): DerElement {
  if (offset + 2 > limit) throw new DerError(`truncated element at offset ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`unsupported high tag number at offset ${offset}`);
  let len = buf[offset + 1]!;
  let contentStart = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError(`indefinite length at offset ${offset} (BER, not DER)`);
    if (n > 4) throw new DerError(`length of ${n} octets at offset ${offset}`);
    if (contentStart + n > limit) throw new DerError(`truncated length at offset ${offset}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[contentStart + i]!;
    contentStart += n;
  }
  const end = contentStart + len;
  if (end > limit) throw new DerError(`element at offset ${offset} runs past its end (${len} bytes)`);
  return { buf, tag, start: offset, contentStart, end };
}

/** Reads the element at `offset` and checks its tag. */
export function expectElement(buf: Uint8Array, tag: number, what: string, offset = 0, limit = buf.byteLength): DerElement {
  return expectTag(readElement(buf, offset, limit), tag, what);
}

/** Returns `el` if its tag is `tag`, else throws naming `what`. */
export function expectTag(el: DerElement, tag: number, what: string): DerElement {
  if (el.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${el.tag.toString(16)}`);
  return el;
}

/** The contents octets of `el`. */
export const contents = (el: DerElement): Uint8Array => el.buf.subarray(el.contentStart, el.end);

/** The whole encoding of `el` (identifier, length and contents). */
export const encoding = (el: DerElement): Uint8Array => el.buf.subarray(el.start, el.end);

/** The elements inside a constructed element. */
export function children(el: DerElement): DerElement[] {
  if ((el.tag & 0x20) === 0) throw new DerError(`element at offset ${el.start} is not constructed`);
  const out: DerElement[] = [];
  for (let at = el.contentStart; at < el.end; ) {
    const child = readElement(el.buf, at, el.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The child at `index`, or a DerError naming `what` when there is none. */
export function child(el: DerElement, index: number, what: string): DerElement {
  const found = children(el)[index];
  if (!found) throw new DerError(`${what} is missing`);
  return found;
}

/** An OBJECT IDENTIFIER in dotted form, e.g. `1.2.840.113549.1.7.2`. */
export function readOid(el: DerElement): string {
  expectTag(el, TAG.OID, 'object identifier');
  const c = contents(el);
  if (c.byteLength === 0) throw new DerError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of c) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** An INTEGER's contents as upper-case hex (the form X.509 serial numbers are shown in). */
export function readIntegerHex(el: DerElement): string {
  expectTag(el, TAG.INTEGER, 'integer');
  let c = contents(el);
  while (c.byteLength > 1 && c[0] === 0) c = c.subarray(1);
  return Buffer.from(c).toString('hex').toUpperCase();
}

/** A UTCTime or GeneralizedTime (UTC, `Z` form as DER requires) as a Date. */
export function readTime(el: DerElement): Date {
  const text = Buffer.from(contents(el)).toString('latin1');
  const m =
    el.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : el.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(text)
        : null;
  if (!m) throw new DerError(`not a DER time: ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (el.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900; // RFC 5280 4.1.2.5.1
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

/** A character string (UTF8String, PrintableString, IA5String, T61String or BMPString). */
export function readString(el: DerElement): string {
  const c = Buffer.from(contents(el));
  switch (el.tag) {
    case TAG.UTF8_STRING:
      return c.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return c.toString('latin1');
    case TAG.BMP_STRING:
      if (c.byteLength % 2) throw new DerError('BMPString of odd length');
      return c.swap16().toString('utf16le');
    default:
      throw new DerError(`not a character string (tag 0x${el.tag.toString(16)})`);
  }
}

/** `el` re-encoded with another identifier octet (same length and contents), e.g. `[0]` → SET. */
export function withTag(el: DerElement, tag: number): Uint8Array {
  const out = Uint8Array.from(encoding(el));
  out[0] = tag;
  return out;
}
