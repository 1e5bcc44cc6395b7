import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { extractFromTar, extractFromTgz } from '../../src/runtime/tar';
import { makeTar, makeTgz, type LongNameStyle } from './helpers';

const longName = `node-v22.22.2-linux-x64/${'deeply-nested-directory-name/'.repeat(5)}bin/node`;

describe('tar reader', () => {
  it('extracts one named file and skips the others', async () => {
    const tgz = makeTgz([
      { name: 'package/', type: '5' },
      { name: 'package/package.json', data: '{"name":"x"}' },
      { name: 'package/bin/node.exe', data: 'EXE BYTES' },
      { name: 'package/README.md', data: 'readme' },
    ]);
    expect((await extractFromTgz(tgz, 'package/bin/node.exe'))?.toString()).toBe('EXE BYTES');
    expect((await extractFromTgz(tgz, './package/README.md'))?.toString()).toBe('readme');
    expect(await extractFromTgz(tgz, 'package/bin/node')).toBeUndefined();
    expect(await extractFromTgz(tgz, 'package')).toBeUndefined(); // a directory is not a file
  });

  for (const style of ['gnu', 'pax', 'ustar-prefix'] as LongNameStyle[]) {
    it(`handles names longer than 100 bytes (${style})`, async () => {
      expect(longName.length).toBeGreaterThan(100);
      const tgz = makeTgz(
        [
          { name: `${longName}.old`, data: 'decoy' },
          { name: longName, data: 'the binary' },
          { name: 'short', data: 'after' },
        ],
        style,
      );
      expect((await extractFromTgz(tgz, longName))?.toString()).toBe('the binary');
      // the long-name state must not leak into the following entry
      expect((await extractFromTgz(tgz, 'short'))?.toString()).toBe('after');
    });
  }

  it('reads data split into tiny chunks, across block boundaries', async () => {
    const big = Buffer.alloc(70_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const tar = makeTar([{ name: 'a', data: 'x'.repeat(700) }, { name: 'big.bin', data: big }]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < tar.length; i += 333) chunks.push(tar.subarray(i, i + 333));
    const out = await extractFromTar(Readable.from(chunks), 'big.bin');
    expect(out?.equals(big)).toBe(true);
  });

  it('rejects a header with a bad checksum', async () => {
    const tar = makeTar([{ name: 'a', data: 'x' }]);
    tar[0] = 'b'.charCodeAt(0); // name changed, checksum not
    await expect(extractFromTar(Readable.from([tar]), 'b')).rejects.toThrow(/checksum/);
  });

  it('rejects a truncated entry and corrupt gzip', async () => {
    const tar = makeTar([{ name: 'a', data: 'y'.repeat(5000) }]);
    await expect(extractFromTar(Readable.from([tar.subarray(0, 2048)]), 'a')).rejects.toThrow(/truncated/);
    await expect(extractFromTgz(Buffer.from('not gzip at all'), 'a')).rejects.toThrow();
  });
});
