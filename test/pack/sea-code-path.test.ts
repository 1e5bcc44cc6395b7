import { describe, expect, test } from 'vitest';
import { withSeaCodePath } from '../../src/pack/sea-code-path';

/** A SEA blob as Node writes it: magic, flags, [exec-argv extension byte], code path, then the rest. */
function blob(codePath: string, extensionByte: boolean): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x0143da20, 0);
  head.writeUInt32LE(9, 4);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(codePath)));
  return Buffer.concat([head, ...(extensionByte ? [Buffer.from([1])] : []), length, Buffer.from(codePath), Buffer.from('REST-OF-BLOB')]);
}

describe('withSeaCodePath', () => {
  test.each([false, true])('renames the code path and keeps everything else (exec-argv byte: %s)', (extensionByte) => {
    const renamed = withSeaCodePath(blob('/tmp/pkg-sea-cjNRuk/sea-main.js', extensionByte), 'sea-main.js', 'sea-main.js');
    expect(renamed).toEqual(blob('sea-main.js', extensionByte));
  });

  test('leaves blobs it does not recognise alone (null)', () => {
    expect(withSeaCodePath(Buffer.from('not a blob at all, not a blob'), 'x', 'sea-main.js')).toBeNull();
    expect(withSeaCodePath(blob('/tmp/other/main.cjs', true), 'sea-main.js', 'sea-main.js')).toBeNull();
  });
});
