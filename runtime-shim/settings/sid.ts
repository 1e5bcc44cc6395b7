/**
 * Security identifiers (pure): the binary SID layout Win32 takes and returns, its `S-1-…` string
 * form, and the SID Windows derives for a service (`NT SERVICE\<name>`). SIDs are converted here
 * rather than with ConvertSidToStringSidW/ConvertStringSidToSidW: no out-pointers to free.
 *
 * Binary layout: Revision (1 byte, always 1), SubAuthorityCount (1 byte, ≤ 15),
 * IdentifierAuthority (6 bytes, big-endian), then SubAuthorityCount DWORDs (little-endian).
 */
import { createHash } from 'node:crypto';

const SID_REVISION = 1;
const SID_MAX_SUB_AUTHORITIES = 15;
const MAX_AUTHORITY = 2 ** 48 - 1;

/** Parses `S-1-<authority>-<sub>…` (authority decimal, or 0x-hex as Windows writes ≥ 2^32). Throws on anything else. */
export function sidToBytes(sid: string): Uint8Array {
  const m = /^S-1-(0x[0-9a-f]{1,12}|\d{1,15})((?:-\d{1,10}){0,15})$/i.exec(sid);
  if (!m) throw new Error(`malformed SID: ${JSON.stringify(sid)}`);
  const authority = Number(m[1]);
  if (!Number.isSafeInteger(authority) || authority > MAX_AUTHORITY) throw new Error(`malformed SID (identifier authority): ${sid}`);
  const subs = (m[2] ?? '').split('-').slice(1).map(Number);
  if (subs.some((s) => s > 0xffffffff)) throw new Error(`malformed SID (sub-authority out of range): ${sid}`);

  const bytes = new Uint8Array(8 + 4 * subs.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = SID_REVISION;
  bytes[1] = subs.length;
  view.setUint16(2, Math.floor(authority / 2 ** 32));
  view.setUint32(4, authority % 2 ** 32);
  subs.forEach((s, i) => view.setUint32(8 + 4 * i, s, true));
  return bytes;
}

/** Formats a binary SID as ConvertSidToStringSidW does. Throws when the bytes are not a SID. */
export function sidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8 || bytes[0] !== SID_REVISION) throw new Error('not a SID (bad revision or too short)');
  const count = bytes[1] ?? 0;
  if (count > SID_MAX_SUB_AUTHORITIES || bytes.length < 8 + 4 * count) throw new Error('not a SID (bad sub-authority count)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint16(2);
  const low = view.getUint32(4);
  const authority = high === 0 ? String(low) : `0x${(high * 2 ** 32 + low).toString(16).toUpperCase().padStart(12, '0')}`;
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(view.getUint32(8 + 4 * i, true));
  return ['S', '1', authority, ...subs].join('-');
}

/**
 * The service SID of `NT SERVICE\<serviceName>`: S-1-5-80 followed by the SHA-1 of the upper-cased
 * name in UTF-16LE, read as five little-endian DWORDs. Upper-casing is per UTF-16 code unit (as
 * RtlUpcaseUnicodeString does: a character whose upper case is longer, such as ß, stays as it is).
 */
export function serviceSid(serviceName: string): string {
  let upper = '';
  for (const ch of serviceName) {
    const u = ch.toUpperCase();
    upper += u.length === ch.length ? u : ch;
  }
  const digest = createHash('sha1').update(Buffer.from(upper, 'utf16le')).digest();
  const subs: number[] = [];
  for (let i = 0; i < 5; i++) subs.push(digest.readUInt32LE(4 * i));
  return ['S-1-5-80', ...subs].join('-');
}
