import { describe, expect, it } from 'vitest';
import {
  daclSecurityInfo,
  decodeMultiSz,
  dwordStruct,
  encodeMultiSz,
  encodeServiceNotify,
  markServiceNotifyRead,
  OutBuffer,
  parseConfig2,
  parseFixedFileVersion,
  parseServiceConfig,
  parseServiceNotify,
  parseServiceStatus,
  readWideString,
  SERVICE_NOTIFYW_SIZE,
} from '../../../../runtime-shim/platform/windows/win32-data';

/**
 * Lays out a Win32 output buffer as Windows does: a fixed part, then the strings it points to,
 * with pointers as absolute addresses relative to `base`.
 */
class Layout {
  private readonly buf = Buffer.alloc(1024);
  private end: number;

  constructor(
    fixedSize: number,
    readonly base = 0x7ff6_1234_0000n,
  ) {
    this.end = fixedSize;
  }

  u32(offset: number, value: number): this {
    this.buf.writeUInt32LE(value, offset);
    return this;
  }

  /** Appends `data` and stores its address at `offset`. */
  ptr(offset: number, data: Buffer): this {
    this.buf.writeBigUInt64LE(this.base + BigInt(this.end), offset);
    data.copy(this.buf, this.end);
    this.end += data.length + ((8 - (data.length % 8)) % 8);
    return this;
  }

  str(offset: number, s: string): this {
    return this.ptr(offset, Buffer.from(`${s}\0`, 'utf16le'));
  }

  out(): OutBuffer {
    return new OutBuffer(this.buf.subarray(0, this.end), this.base);
  }
}

describe('multi-strings', () => {
  it('encodes each entry NUL-terminated plus a final NUL, in UTF-16LE', () => {
    expect(encodeMultiSz(['A=1', 'B=2'])).toEqual(Buffer.from('A=1\0B=2\0\0', 'utf16le'));
    expect(encodeMultiSz(['Ä=€'])).toEqual(Buffer.from('Ä=€\0\0', 'utf16le'));
  });

  it('encodes an empty list as two NULs', () => {
    expect(encodeMultiSz([])).toEqual(Buffer.alloc(4));
  });

  it('rejects entries that would end the list early', () => {
    expect(() => encodeMultiSz(['A=1', ''])).toThrow(/cannot be empty/);
    expect(() => encodeMultiSz(['A=1\0B=2'])).toThrow(/contain NUL/);
  });

  it('decodes what it encodes', () => {
    for (const list of [[], ['X'], ['PATH=C:\\a;C:\\b', 'EMPTY=', 'UNICODE=日本'], ['+Group', 'Tcpip']]) {
      expect(decodeMultiSz(encodeMultiSz(list))).toEqual(list);
    }
  });

  it('decodes values written without the final terminators, and stops at the first empty entry', () => {
    expect(decodeMultiSz(Buffer.from('A=1\0B=2', 'utf16le'))).toEqual(['A=1', 'B=2']);
    expect(decodeMultiSz(Buffer.from('A=1\0B=2\0', 'utf16le'))).toEqual(['A=1', 'B=2']);
    expect(decodeMultiSz(Buffer.from('A=1\0\0B=2\0\0', 'utf16le'))).toEqual(['A=1']);
    expect(decodeMultiSz(new Uint8Array(0))).toEqual([]);
    // An odd trailing byte is ignored.
    expect(decodeMultiSz(Buffer.concat([Buffer.from('A\0', 'utf16le'), Buffer.from([0x41])]))).toEqual(['A']);
  });

  it('reads a NUL-terminated wide string at an offset', () => {
    const b = Buffer.from('xyHello\0rest', 'utf16le');
    expect(readWideString(b, 4)).toBe('Hello');
    expect(readWideString(Buffer.from('no end', 'utf16le'), 0)).toBe('no end');
  });
});

describe('QUERY_SERVICE_CONFIGW', () => {
  it('decodes the DWORDs and the strings the pointers refer to', () => {
    const out = new Layout(64)
      .u32(0, 0x10)
      .u32(4, 3)
      .u32(8, 1)
      .str(16, '"C:\\Program Files\\App\\app.exe" --service')
      .str(24, '')
      .u32(32, 0)
      .ptr(40, Buffer.from('Tcpip\0+NetworkProvider\0\0', 'utf16le'))
      .str(48, '.\\svc-user')
      .str(56, 'My App')
      .out();
    expect(parseServiceConfig(out)).toEqual({
      serviceType: 0x10,
      startType: 3,
      errorControl: 1,
      binaryPath: '"C:\\Program Files\\App\\app.exe" --service',
      loadOrderGroup: '',
      dependencies: ['Tcpip', '+NetworkProvider'],
      account: '.\\svc-user',
      displayName: 'My App',
    });
  });

  it('treats NULL pointers as empty, and no dependencies as []', () => {
    const out = new Layout(64).u32(0, 0x10).u32(4, 2).u32(8, 1).str(16, 'x.exe').ptr(40, Buffer.alloc(2)).str(48, 'LocalSystem').out();
    const config = parseServiceConfig(out);
    expect(config.dependencies).toEqual([]);
    expect(config.loadOrderGroup).toBe('');
    expect(config.displayName).toBe('');
  });

  it('refuses pointers outside the buffer and buffers too short', () => {
    const l = new Layout(64).str(16, 'x');
    const out = l.out();
    Buffer.from(out.bytes.buffer, out.bytes.byteOffset).writeBigUInt64LE(l.base + 4096n, 56);
    expect(() => parseServiceConfig(out)).toThrow(/outside the buffer/);
    expect(() => parseServiceConfig(new OutBuffer(new Uint8Array(32), 0n))).toThrow(/too short/);
  });
});

describe('SERVICE_STATUS(_PROCESS)', () => {
  const words = (...w: number[]) => {
    const b = Buffer.alloc(4 * w.length);
    w.forEach((v, i) => b.writeUInt32LE(v, 4 * i));
    return b;
  };

  it('decodes SERVICE_STATUS_PROCESS including the pid', () => {
    expect(parseServiceStatus(words(0x10, 4, 0x105, 0, 0, 0, 0, 4242, 0))).toEqual({
      state: 4,
      controlsAccepted: 0x105,
      win32ExitCode: 0,
      serviceExitCode: 0,
      checkPoint: 0,
      waitHint: 0,
      pid: 4242,
    });
  });

  it('decodes SERVICE_STATUS (ControlService) with pid 0', () => {
    expect(parseServiceStatus(words(0x10, 3, 0, 1066, 7, 2, 30000))).toEqual({
      state: 3,
      controlsAccepted: 0,
      win32ExitCode: 1066,
      serviceExitCode: 7,
      checkPoint: 2,
      waitHint: 30000,
      pid: 0,
    });
  });
});

describe('SERVICE_NOTIFYW', () => {
  /** What sechost writes when it delivers: status, SERVICE_STATUS_PROCESS, the triggered bit. */
  function deliver(bytes: Uint8Array, notificationStatus: number, state: number, triggered: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    view.setUint32(24, notificationStatus, true);
    [0x10, state, 0x5, 1066, 3, 0, 0, 77, 0].forEach((w, i) => view.setUint32(28 + 4 * i, w, true));
    view.setUint32(64, triggered, true);
  }

  it('is version 2 with the callback address, and reads as not delivered until the SCM fills it', () => {
    const bytes = encodeServiceNotify(0x7ffb_0000_1234n);
    expect(bytes.byteLength).toBe(SERVICE_NOTIFYW_SIZE);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(2);
    expect(view.getBigUint64(8, true)).toBe(0x7ffb_0000_1234n);
    expect(view.getBigUint64(16, true)).toBe(0n); // no context
    expect(parseServiceNotify(bytes)).toBeNull();
  });

  it('decodes a delivered notification: status, the service status and the triggered bit; then reads as consumed', () => {
    const bytes = encodeServiceNotify(1n);
    deliver(bytes, 0, 1, 0x1);
    expect(parseServiceNotify(bytes)).toEqual({
      notificationStatus: 0,
      triggered: 0x1,
      status: { state: 1, controlsAccepted: 0x5, win32ExitCode: 1066, serviceExitCode: 3, checkPoint: 0, waitHint: 0, pid: 77 },
    });
    markServiceNotifyRead(bytes);
    expect(parseServiceNotify(bytes)).toBeNull();
    deliver(bytes, 1072, 4, 0x200);
    expect(parseServiceNotify(bytes)).toMatchObject({ notificationStatus: 1072, triggered: 0x200 });
  });

  it('refuses a short buffer', () => {
    expect(() => parseServiceNotify(new Uint8Array(64))).toThrow(/too short/);
  });
});

describe('QueryServiceConfig2W structures', () => {
  it('description', () => {
    expect(parseConfig2('description', new Layout(8).str(0, 'Does things').out())).toEqual({ level: 'description', description: 'Does things' });
    expect(parseConfig2('description', new Layout(8).out())).toEqual({ level: 'description', description: '' });
  });

  it('failure actions: reset period, command, SC_ACTION array', () => {
    const actions = Buffer.alloc(24);
    [
      [1, 5000],
      [1, 10000],
      [0, 0],
    ].forEach(([t, d], i) => {
      actions.writeUInt32LE(t ?? 0, 8 * i);
      actions.writeUInt32LE(d ?? 0, 8 * i + 4);
    });
    const out = new Layout(40).u32(0, 86400).str(16, 'C:\\notify.cmd').u32(24, 3).ptr(32, actions).out();
    expect(parseConfig2('failure-actions', out)).toEqual({
      level: 'failure-actions',
      resetPeriodSec: 86400,
      command: 'C:\\notify.cmd',
      actions: [
        { type: 1, delayMs: 5000 },
        { type: 1, delayMs: 10000 },
        { type: 0, delayMs: 0 },
      ],
    });
  });

  it('failure actions: none configured', () => {
    expect(parseConfig2('failure-actions', new Layout(40).out())).toEqual({
      level: 'failure-actions',
      resetPeriodSec: 0,
      command: null,
      actions: [],
    });
  });

  it('failure actions: an action count beyond the buffer is refused', () => {
    const out = new Layout(40).u32(24, 50).ptr(32, Buffer.alloc(8)).out();
    expect(() => parseConfig2('failure-actions', out)).toThrow(/exceeds the buffer/);
  });

  it('the one-DWORD levels', () => {
    const one = (v: number) => new OutBuffer(dwordStruct(v), 0n);
    expect(parseConfig2('delayed-auto-start', one(1))).toEqual({ level: 'delayed-auto-start', delayed: true });
    expect(parseConfig2('delayed-auto-start', one(0))).toEqual({ level: 'delayed-auto-start', delayed: false });
    expect(parseConfig2('failure-actions-flag', one(1))).toEqual({ level: 'failure-actions-flag', onNonCrashFailures: true });
    expect(parseConfig2('sid-type', one(3))).toEqual({ level: 'sid-type', sidType: 3 });
    expect(parseConfig2('preshutdown', one(180000))).toEqual({ level: 'preshutdown', timeoutMs: 180000 });
  });

  it('dwordStruct writes BOOLs as 0/1 and DWORDs unsigned', () => {
    expect(dwordStruct(true)).toEqual(Buffer.from([1, 0, 0, 0]));
    expect(dwordStruct(false)).toEqual(Buffer.from([0, 0, 0, 0]));
    expect(dwordStruct(0xffffffff)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  });
});

describe('daclSecurityInfo', () => {
  it('protects the DACL when the SDDL says P', () => {
    expect(daclSecurityInfo('D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)')).toBe(0x80000004);
    expect(daclSecurityInfo('O:BAD:PAI(A;OICI;FA;;;SY)')).toBe(0x80000004);
  });

  it('unprotects it otherwise (inherited ACEs flow in)', () => {
    expect(daclSecurityInfo('D:(A;OICI;FA;;;SY)')).toBe(0x20000004);
    expect(daclSecurityInfo('D:AI(A;OICI;FA;;;SY)')).toBe(0x20000004);
    expect(daclSecurityInfo('D:NO_ACCESS_CONTROL')).toBe(0x20000004);
  });
});

describe('parseFixedFileVersion', () => {
  const ffi = (sig: number, ms: number, ls: number) => {
    const b = Buffer.alloc(52);
    b.writeUInt32LE(sig, 0);
    b.writeUInt32LE(0x10000, 4);
    b.writeUInt32LE(ms, 8);
    b.writeUInt32LE(ls, 12);
    return b;
  };

  it('reads dwFileVersionMS/LS as a.b.c.d', () => {
    expect(parseFixedFileVersion(ffi(0xfeef04bd, (22 << 16) | 22, (2 << 16) | 0))).toBe('22.22.2.0');
    expect(parseFixedFileVersion(ffi(0xfeef04bd, 0xffff0001, 0x00020003))).toBe('65535.1.2.3');
  });

  it('returns null without the VS_FIXEDFILEINFO signature or when too short', () => {
    expect(parseFixedFileVersion(ffi(0x12345678, 1, 1))).toBeNull();
    expect(parseFixedFileVersion(new Uint8Array(8))).toBeNull();
  });
});
