/**
 * Pure encoders/decoders for the Win32 data manager-bindings.ts passes to and reads back from
 * Windows (64-bit layouts: win-x64 and win-arm64). Kept apart from the koffi calls so they can be
 * unit-tested on any OS. Pointers inside an output buffer are absolute addresses: the decoders
 * take the buffer's base address and read pointed-to strings from the same bytes.
 */
import type { Config2, ServiceConfigInfo, ServiceStatusInfo } from '../manager-api';

/** The layouts below assume 8-byte pointers (manager-bindings.ts checks). */
export const POINTER_SIZE = 8;

// ---------------------------------------------------------------- strings

/**
 * A REG_MULTI_SZ / double-NUL-terminated list in UTF-16LE: each entry NUL-terminated, then one more
 * NUL. `[]` encodes as two NULs (an empty list, valid where Windows expects an empty string).
 * Throws on an empty entry or one containing NUL (either would end the list early).
 */
export function encodeMultiSz(entries: readonly string[]): Buffer {
  for (const e of entries) {
    if (e === '' || e.includes('\0')) throw new Error(`a multi-string entry cannot be empty or contain NUL: ${JSON.stringify(e)}`);
  }
  if (entries.length === 0) return Buffer.alloc(4);
  return Buffer.from(`${entries.join('\0')}\0\0`, 'utf16le');
}

/** Decodes a REG_MULTI_SZ value: entries up to the first empty one; tolerates missing terminators. */
export function decodeMultiSz(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength - (bytes.byteLength % 2)).toString('utf16le');
  const out: string[] = [];
  for (const entry of text.split('\0')) {
    if (entry === '') break;
    out.push(entry);
  }
  return out;
}

/** A NUL-terminated UTF-16LE string at byte `offset` (to the end of `bytes` if unterminated). */
export function readWideString(bytes: Uint8Array, offset: number): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = offset;
  while (end + 1 < buf.length && (buf[end] !== 0 || buf[end + 1] !== 0)) end += 2;
  return buf.toString('utf16le', offset, end);
}

/** A view over a Win32 output buffer whose pointer fields point back into it. */
export class OutBuffer {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** The address the buffer had when Windows filled it. */
    readonly base: bigint,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /** The byte offset a pointer field refers to; null for NULL. Throws when it points outside the buffer. */
  target(offset: number): number | null {
    const ptr = this.view.getBigUint64(offset, true);
    if (ptr === 0n) return null;
    const rel = ptr - this.base;
    if (rel < 0n || rel >= BigInt(this.bytes.byteLength)) throw new Error(`pointer at offset ${offset} points outside the buffer`);
    return Number(rel);
  }

  /** The string a LPWSTR field points to; null for NULL. */
  str(offset: number): string | null {
    const at = this.target(offset);
    return at === null ? null : readWideString(this.bytes, at);
  }

  /** The double-NUL-terminated list a field points to; [] for NULL. */
  multiSz(offset: number): string[] {
    const at = this.target(offset);
    return at === null ? [] : decodeMultiSz(this.bytes.subarray(at));
  }
}

// ---------------------------------------------------------------- service structures

/** QUERY_SERVICE_CONFIGW (64-bit). */
export function parseServiceConfig(out: OutBuffer): ServiceConfigInfo {
  if (out.bytes.byteLength < 64) throw new Error('QUERY_SERVICE_CONFIGW buffer too short');
  return {
    serviceType: out.u32(0),
    startType: out.u32(4),
    errorControl: out.u32(8),
    binaryPath: out.str(16) ?? '',
    loadOrderGroup: out.str(24) ?? '',
    // dwTagId at 32
    dependencies: out.multiSz(40),
    account: out.str(48) ?? '',
    displayName: out.str(56) ?? '',
  };
}

/** SERVICE_STATUS_PROCESS (36 bytes) or SERVICE_STATUS (28 bytes: no pid). */
export function parseServiceStatus(bytes: Uint8Array): ServiceStatusInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number) => view.getUint32(4 * i, true);
  return {
    // dwServiceType at 0
    state: u32(1),
    controlsAccepted: u32(2),
    win32ExitCode: u32(3),
    serviceExitCode: u32(4),
    checkPoint: u32(5),
    waitHint: u32(6),
    pid: bytes.byteLength >= 32 ? u32(7) : 0,
  };
}

// ---------------------------------------------------------------- SERVICE_NOTIFYW

/**
 * SERVICE_NOTIFYW (NotifyServiceStatusChangeW's buffer): dwVersion, pad, pfnNotifyCallback,
 * pContext, dwNotificationStatus, SERVICE_STATUS_PROCESS (36 bytes), dwNotificationTriggered, pad,
 * pszServiceNames.
 */
export const SERVICE_NOTIFYW_SIZE = 80;
/** SERVICE_NOTIFY_STATUS_CHANGE: the version of the structure. */
const SERVICE_NOTIFY_STATUS_CHANGE = 2;
const NOTIFY_CALLBACK = 8;
const NOTIFY_STATUS = 24;
const NOTIFY_SERVICE_STATUS = 28;
const NOTIFY_TRIGGERED = 64;
/** dwNotificationStatus of a buffer the SCM has not filled yet: no Win32 error code has this value. */
const NOT_DELIVERED = 0xffff_ffff;

/** One delivered notification. */
export interface ServiceNotification {
  /** dwNotificationStatus: 0, or the Win32 error that ended the registration (1072: the service is marked for deletion). */
  notificationStatus: number;
  /** dwNotificationTriggered: the SERVICE_NOTIFY_* bit that fired (0x200: SERVICE_NOTIFY_DELETE_PENDING). */
  triggered: number;
  /** The service's status then. */
  status: ServiceStatusInfo;
}

/** A SERVICE_NOTIFYW ready for NotifyServiceStatusChangeW: `callback` is the APC routine's address; not yet delivered. */
export function encodeServiceNotify(callback: bigint): Uint8Array {
  const bytes = new Uint8Array(SERVICE_NOTIFYW_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, SERVICE_NOTIFY_STATUS_CHANGE, true);
  view.setBigUint64(NOTIFY_CALLBACK, callback, true);
  view.setUint32(NOTIFY_STATUS, NOT_DELIVERED, true);
  return bytes;
}

/** The notification a SERVICE_NOTIFYW holds, or null while the SCM has not filled it (as `encodeServiceNotify` left it). */
export function parseServiceNotify(bytes: Uint8Array): ServiceNotification | null {
  if (bytes.byteLength < SERVICE_NOTIFYW_SIZE) throw new Error(`SERVICE_NOTIFYW too short (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notificationStatus = view.getUint32(NOTIFY_STATUS, true);
  if (notificationStatus === NOT_DELIVERED) return null;
  return {
    notificationStatus,
    triggered: view.getUint32(NOTIFY_TRIGGERED, true),
    status: parseServiceStatus(bytes.subarray(NOTIFY_SERVICE_STATUS, NOTIFY_TRIGGERED)),
  };
}

/** Marks a SERVICE_NOTIFYW as read: `parseServiceNotify` gives null until the SCM fills it again. */
export function markServiceNotifyRead(bytes: Uint8Array): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(NOTIFY_STATUS, NOT_DELIVERED, true);
}

/** ChangeServiceConfig2W / QueryServiceConfig2W dwInfoLevel of each Config2 level. */
export const CONFIG2_LEVELS = {
  description: 1,
  'failure-actions': 2,
  'delayed-auto-start': 3,
  'failure-actions-flag': 4,
  'sid-type': 5,
  preshutdown: 7,
} as const satisfies Record<Config2['level'], number>;

/** The structure QueryServiceConfig2W returned for `level` (64-bit layouts). */
export function parseConfig2(level: Config2['level'], out: OutBuffer): Config2 {
  switch (level) {
    case 'description':
      return { level, description: out.str(0) ?? '' };
    case 'failure-actions': {
      // SERVICE_FAILURE_ACTIONSW: dwResetPeriod @0, lpRebootMsg @8, lpCommand @16, cActions @24, lpsaActions @32.
      const count = out.u32(24);
      const at = out.target(32);
      const actions: { type: number; delayMs: number }[] = [];
      if (at !== null) {
        if (at + 8 * count > out.bytes.byteLength) throw new Error('SC_ACTION array exceeds the buffer');
        for (let i = 0; i < count; i++) actions.push({ type: out.u32(at + 8 * i), delayMs: out.u32(at + 8 * i + 4) });
      }
      return { level, resetPeriodSec: out.u32(0), command: out.str(16), actions };
    }
    case 'delayed-auto-start':
      return { level, delayed: out.u32(0) !== 0 };
    case 'failure-actions-flag':
      return { level, onNonCrashFailures: out.u32(0) !== 0 };
    case 'sid-type':
      return { level, sidType: out.u32(0) };
    case 'preshutdown':
      return { level, timeoutMs: out.u32(0) };
  }
}

/** A one-DWORD (DWORD or BOOL) Config2 structure. */
export function dwordStruct(value: number | boolean): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(typeof value === 'boolean' ? Number(value) : value >>> 0);
  return b;
}

// ---------------------------------------------------------------- security and versions

export const DACL_SECURITY_INFORMATION = 0x4;
export const PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
export const UNPROTECTED_DACL_SECURITY_INFORMATION = 0x20000000;

/**
 * SECURITY_INFORMATION for applying an SDDL's DACL: protected (no inherited ACEs) when the `D:`
 * flags contain P, otherwise explicitly unprotected, so the folder ends up as the SDDL says.
 */
export function daclSecurityInfo(sddl: string): number {
  const flags = /D:([A-Z_]*)/i.exec(sddl)?.[1] ?? '';
  const isProtected = /P/i.test(flags.replace(/NO_ACCESS_CONTROL/i, ''));
  return (DACL_SECURITY_INFORMATION | (isProtected ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION)) >>> 0;
}

const VS_FFI_SIGNATURE = 0xfeef04bd;

/** `a.b.c.d` from VS_FIXEDFILEINFO (dwFileVersionMS at 8, dwFileVersionLS at 12); null when it is not one. */
export function parseFixedFileVersion(bytes: Uint8Array): string | null {
  if (bytes.byteLength < 16) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== VS_FFI_SIGNATURE) return null;
  const ms = view.getUint32(8, true);
  const ls = view.getUint32(12, true);
  return [ms >>> 16, ms & 0xffff, ls >>> 16, ls & 0xffff].join('.');
}
