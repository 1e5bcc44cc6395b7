import { createGunzip } from 'node:zlib';

/**
 * A minimal streaming tar reader that extracts ONE named regular file. It understands POSIX
 * ustar (`prefix` field), GNU long names (type `L`) and pax extended headers (type `x`,
 * `path` and `size`); global pax headers (`g`) and GNU long link names (`K`) are skipped.
 * Only the wanted file's bytes are kept in memory; everything else is skipped as it streams by.
 */

const BLOCK = 512;
const EMPTY = Buffer.alloc(0);

/**
 * Extracts `name` (e.g. `package/bin/node.exe`; a leading `./` is ignored on both sides) from a
 * gzip-compressed tar. Resolves to the file's bytes, or undefined when the archive has no such
 * regular file. Rejects on corrupt gzip data, a bad header checksum or a truncated entry.
 */
export async function extractFromTgz(tgz: Uint8Array, name: string): Promise<Buffer | undefined> {
  const gunzip = createGunzip();
  gunzip.end(tgz);
  try {
    return await extractFromTar(gunzip, name);
  } finally {
    gunzip.destroy();
  }
}

/** Same as {@link extractFromTgz} for an uncompressed tar given as a stream of chunks. */
export async function extractFromTar(chunks: AsyncIterable<Uint8Array>, name: string): Promise<Buffer | undefined> {
  const wanted = normalize(name);
  let found: Buffer | undefined;
  await readTar(chunks, (entry) => entry === wanted, (_entry, data) => {
    found = data;
    return 'stop';
  });
  return found;
}

/**
 * Every regular file of a gzip-compressed tar (names as stored, a leading `./` removed), in
 * archive order. For small archives (npm packages of native addons); same errors as
 * {@link extractFromTgz}.
 */
export async function extractAllFromTgz(tgz: Uint8Array): Promise<Map<string, Buffer>> {
  const gunzip = createGunzip();
  gunzip.end(tgz);
  const files = new Map<string, Buffer>();
  try {
    await readTar(gunzip, () => true, (entry, data) => {
      files.set(entry, data);
      return 'continue';
    });
  } finally {
    gunzip.destroy();
  }
  return files;
}

/** Walks a tar: `onFile` gets each regular file `want` accepts, until it answers 'stop'. */
async function readTar(
  chunks: AsyncIterable<Uint8Array>,
  want: (name: string) => boolean,
  onFile: (name: string, data: Buffer) => 'stop' | 'continue',
): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  const reader = new ByteReader(it);
  try {
    let longName: string | undefined;
    let pax: { path?: string; size?: number } = {};
    for (;;) {
      const h = await reader.take(BLOCK, true);
      if (!h) return; // archive ended without end-of-archive blocks: tolerated
      if (h.every((b) => b === 0)) return; // end-of-archive marker
      checkChecksum(h);
      const type = String.fromCharCode(h[156] ?? 0);
      const meta = type === 'L' || type === 'x' || type === 'g' || type === 'K';
      const size = !meta && pax.size !== undefined ? pax.size : parseNumber(h.subarray(124, 136));
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      const data = async (): Promise<Buffer> => {
        const d = await reader.take(padded, true);
        if (!d) throw new Error('truncated tar archive');
        return d.subarray(0, size);
      };
      switch (type) {
        case 'L':
          longName = cString(await data());
          continue;
        case 'x':
          pax = { ...pax, ...parsePax(await data()) };
          continue;
        case 'g':
        case 'K':
          await skip(reader, padded);
          continue;
      }
      const entryName = pax.path ?? longName ?? headerName(h);
      longName = undefined;
      pax = {};
      const regular = type === '0' || type === '\0' || type === '7';
      if (regular && want(normalize(entryName))) {
        if (onFile(normalize(entryName), await data()) === 'stop') return;
        continue;
      }
      // Directories, links etc. carry no data in practice, but honour the size anyway.
      await skip(reader, type === '1' || type === '2' || type === '5' ? 0 : padded);
    }
  } finally {
    await it.return?.();
  }
}

async function skip(reader: ByteReader, n: number): Promise<void> {
  if (n > 0 && !(await reader.take(n, false))) throw new Error('truncated tar archive');
}

function normalize(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul === -1 ? b.length : nul).toString('utf8');
}

/** name, joined with the ustar `prefix` only for POSIX ustar (old GNU uses those bytes for times). */
function headerName(h: Buffer): string {
  const name = cString(h.subarray(0, 100));
  const posix = h.subarray(257, 263).toString('latin1') === 'ustar\0';
  const prefix = posix ? cString(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal ASCII number (NUL/space padded), or GNU base-256 when the high bit of byte 0 is set. */
function parseNumber(field: Buffer): number {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    let n = first & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const s = field.toString('latin1').replace(/[\0 ]+.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`corrupt tar header (bad number "${s}")`);
  return parseInt(s, 8);
}

function checkChecksum(h: Buffer): void {
  const stored = parseNumber(h.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) throw new Error('corrupt tar header (checksum mismatch)');
}

/** pax records: `<len> <key>=<value>\n`; only `path` and `size` matter here. */
function parsePax(b: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let pos = 0;
  while (pos < b.length) {
    const sp = b.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = Number(b.subarray(pos, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || pos + len > b.length) break;
    const rec = b.subarray(sp + 1, pos + len - 1).toString('utf8'); // drop trailing \n
    const eq = rec.indexOf('=');
    if (eq !== -1) {
      const key = rec.slice(0, eq);
      const value = rec.slice(eq + 1);
      if (key === 'path') out.path = value;
      else if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    }
    pos += len;
  }
  return out;
}

/** Pulls exact byte counts from an async chunk iterator without quadratic copying. */
class ByteReader {
  private head: Buffer = EMPTY;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Next `n` bytes (or, with keep=false, skips them). Undefined at end of input before `n` bytes. */
  async take(n: number, keep: boolean): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      if (this.head.length === 0) {
        const r = await this.it.next();
        if (r.done) return undefined;
        const v = r.value;
        this.head = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        continue;
      }
      const k = Math.min(need, this.head.length);
      if (keep) parts.push(this.head.subarray(0, k));
      this.head = this.head.subarray(k);
      need -= k;
    }
    if (!keep) return EMPTY;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, n);
  }
}
