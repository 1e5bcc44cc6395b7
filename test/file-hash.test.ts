import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../src/file-hash';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-file-hash-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sha256File (on a worker thread)', () => {
  it('is the SHA-256 of the contents: empty, smaller than one read, and across several 4 MiB reads', async () => {
    for (const size of [0, 1000, (1 << 22) * 2 + 123]) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4096) data[i] = i & 0xff;
      const file = path.join(dir, `f${size}`);
      fs.writeFileSync(file, data);
      expect(await sha256File(file)).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('rejects with the read error when the file cannot be read', async () => {
    await expect(sha256File(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('hashes several files at once', async () => {
    const files = ['a', 'b', 'c'].map((name) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, name.repeat(100_000));
      return file;
    });
    const digests = await Promise.all(files.map(sha256File));
    expect(digests).toEqual(files.map((f) => createHash('sha256').update(fs.readFileSync(f)).digest('hex')));
  });
});
