import { describe, expect, test } from 'vitest';
import { readSeaCodePath, withSeaCodePath } from '../../src/pack/sea-code-path';

const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const string = (s: string): Buffer => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);

/** The bytes after magic and flags, per Node line: [exec-argv extension], [main code format]. */
const HEADER_TAILS = {
  'Node < 22.20 (none)': [],
  'Node 22.20+ / 24 (exec-argv extension)': [1],
  'Node 26 (exec-argv extension, main code format)': [1, 0],
  'Node 26, ES module main, execArgvExtension none': [0, 1],
} as const;

/** A SEA blob as Node writes it: magic, flags, header tail, code path, main code, then the rest. */
function blob(codePath: string, tail: readonly number[], code = '"use strict";\nconsole.log(1);\n'): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x0143da20, 0);
  head.writeUInt32LE(9, 4);
  return Buffer.concat([head, Buffer.from(tail), string(codePath), string(code), u64(1), string('koffi.node'), string('BINARY')]);
}

describe('withSeaCodePath', () => {
  test.each(Object.entries(HEADER_TAILS))('renames the code path and keeps everything else (%s)', (_, tail) => {
    for (const random of ['/tmp/pkg-sea-cjNRuk/sea-main.js', '/tmp/pkg-sea-Yn9Alf/sea-main.js', 'C:\\Temp\\pkg-sea-a\\sea-main.js']) {
      const renamed = withSeaCodePath(blob(random, tail), 'sea-main.js', 'sea-main.js');
      expect(renamed).toEqual(blob('sea-main.js', tail));
    }
  });

  test('the Node 26.10.0 header as pkg 6.23 writes it (bytes from a --packer pkg exe)', () => {
    // magic, flags 9, exec-argv extension 1 (env), main code format 0 (CommonJS), code path of 31 bytes.
    const header = Buffer.from('20da4301090000000100' + '1f00000000000000', 'hex');
    const exe = Buffer.concat([header, Buffer.from('/tmp/pkg-sea-Yn9Alf/sea-main.js'), string('"use strict";')]);
    expect(readSeaCodePath(exe)).toEqual({ path: '/tmp/pkg-sea-Yn9Alf/sea-main.js', lengthAt: 10, start: 18, end: 49 });
    const renamed = withSeaCodePath(exe, 'sea-main.js', 'sea-main.js')!;
    expect(renamed.subarray(0, 29)).toEqual(Buffer.concat([header.subarray(0, 10), string('sea-main.js')]));
    expect(renamed.subarray(29)).toEqual(string('"use strict";'));
  });

  test('short code paths are not mistaken for another header layout', () => {
    for (const tail of Object.values(HEADER_TAILS)) {
      for (const p of ['a', 'm.js', 'sea-main.js', 'x'.repeat(16), 'y'.repeat(256)]) {
        expect(readSeaCodePath(blob(p, tail))?.path).toBe(p);
      }
    }
  });

  test('works on a view into a larger buffer', () => {
    const whole = Buffer.concat([Buffer.from('PADDING'), blob('/tmp/pkg-sea-q/sea-main.js', [1, 0])]);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 7, whole.length - 7);
    expect(withSeaCodePath(view, 'sea-main.js', 'sea-main.js')).toEqual(blob('sea-main.js', [1, 0]));
  });

  test('leaves blobs it does not recognise alone (null)', () => {
    expect(withSeaCodePath(Buffer.from('not a blob at all, not a blob'), 'x', 'sea-main.js')).toBeNull();
    expect(withSeaCodePath(blob('/tmp/other/main.cjs', [1, 0]), 'sea-main.js', 'sea-main.js')).toBeNull();
    // Unknown header values (an exec-argv extension or main format Node does not write).
    expect(withSeaCodePath(blob('/tmp/pkg-sea-q/sea-main.js', [7, 0]), 'sea-main.js', 'sea-main.js')).toBeNull();
    // Truncated: the main code's length runs past the end.
    const full = blob('/tmp/pkg-sea-q/sea-main.js', [1, 0]);
    expect(withSeaCodePath(full.subarray(0, 10 + 8 + 26 + 4), 'sea-main.js', 'sea-main.js')).toBeNull();
  });
});
