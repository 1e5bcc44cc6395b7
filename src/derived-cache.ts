/**
 * A folder of files svcpack derives from its inputs and keeps between builds (the exe bases of
 * base-cache.ts, the SEA blobs of direct.ts), in svcpack's cache: `<cache>/<kind>/<key><ext>`
 * with a record `<key>.json` holding the file's identity when it was written and the caller's
 * metadata. Keys are hashes of everything the file depends on ({@link derivedKey}).
 *
 * A file that changed since it was written (size, inode, mtime or ctime differ) counts as absent:
 * it is made again, so a damaged or edited cache never reaches an exe. Writes are atomic
 * (temporary file, rename), so concurrent builds see a complete entry or none. Only the `keep` most
 * recently used entries stay, and those used in the last ten minutes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite } from './atomic-write';

/** How long after its last use an entry is kept even beyond `keep` (concurrent builds may be reading it). */
export const IN_USE_MS = 10 * 60 * 1000;

/** A cached file and its metadata. */
export interface DerivedEntry<Meta> {
  /** The file (read it or copy it; never change it). */
  file: string;
  meta: Meta;
  /** Rewrites the record with new metadata (best effort: a read-only cache keeps the old). */
  update(meta: Meta): Promise<void>;
}

interface DerivedRecord<Meta> {
  identity: string;
  meta: Meta;
}

/** A key for `inputs` (JSON-serializable: everything the derived file's bytes depend on). */
export function derivedKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

export class DerivedCache<Meta> {
  private readonly dir: string;

  /** `kind`: the folder's name; `ext`: the files' extension; `keep`: how many entries stay. */
  constructor(
    cacheDir: string,
    kind: string,
    private readonly ext: string,
    private readonly keep: number,
  ) {
    this.dir = path.join(cacheDir, kind);
  }

  /** The entry stored under `key`, if it is there and unchanged since it was written. */
  async get(key: string): Promise<DerivedEntry<Meta> | undefined> {
    const { file, record } = this.paths(key);
    try {
      const stored = JSON.parse(await fs.readFile(record, 'utf8')) as Partial<DerivedRecord<Meta>> | null;
      if (!stored || !('meta' in stored) || stored.identity !== identityOf(await fs.stat(file, { bigint: true }))) return undefined;
      const now = new Date();
      await fs.utimes(record, now, now).catch(() => undefined); // most recently used: kept longest
      return this.entry(file, record, stored as DerivedRecord<Meta>);
    } catch {
      return undefined;
    }
  }

  /** Stores `data` under `key` and drops the least recently used entries beyond `keep`. Throws when the cache cannot be written. */
  async put(key: string, data: Uint8Array, meta: Meta): Promise<DerivedEntry<Meta>> {
    const { file, record } = this.paths(key);
    await fs.mkdir(this.dir, { recursive: true });
    await atomicWrite(file, data, 0o644);
    const stored: DerivedRecord<Meta> = { identity: identityOf(await fs.stat(file, { bigint: true })), meta };
    await atomicWrite(record, JSON.stringify(stored), 0o644);
    await this.evict(key);
    return this.entry(file, record, stored);
  }

  private entry(file: string, record: string, stored: DerivedRecord<Meta>): DerivedEntry<Meta> {
    return {
      file,
      meta: stored.meta,
      update: async (meta) => {
        stored.meta = meta;
        await atomicWrite(record, JSON.stringify(stored), 0o644).catch(() => undefined);
      },
    };
  }

  /**
   * Removes the entries beyond `keep`, least recently used first (by their record's mtime), but
   * never `current` nor one used in the last {@link IN_USE_MS}: a build running at the same time may
   * have just found it and not yet read it.
   */
  private async evict(current: string): Promise<void> {
    const records = (await fs.readdir(this.dir)).filter((f) => f.endsWith('.json'));
    if (records.length <= this.keep) return;
    const dated = await Promise.all(
      records.map(async (f) => ({ key: f.slice(0, -'.json'.length), mtime: (await fs.stat(path.join(this.dir, f)).catch(() => null))?.mtimeMs ?? 0 })),
    );
    dated.sort((a, b) => b.mtime - a.mtime);
    const now = Date.now();
    for (const { key, mtime } of dated.filter((d) => d.key !== current).slice(this.keep - 1)) {
      if (now - mtime < IN_USE_MS) continue;
      const { file, record } = this.paths(key);
      await fs.rm(record, { force: true });
      await fs.rm(file, { force: true });
    }
  }

  private paths(key: string): { file: string; record: string } {
    return { file: path.join(this.dir, `${key}${this.ext}`), record: path.join(this.dir, `${key}.json`) };
  }
}

/**
 * A derived file holding a JSON header and binary parts: the header's length (u32 LE), the
 * header, then the parts one after the other (the header says where each is in the body).
 */
export function joinParts(header: unknown, parts: readonly Uint8Array[]): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  return Buffer.concat([length, json, ...parts]);
}

/** The header and the body of parts of a file {@link joinParts} made. */
export function splitParts<Header>(data: Buffer): { header: Header; body: Buffer } {
  const jsonLength = data.readUInt32LE(0);
  return { header: JSON.parse(data.toString('utf8', 4, 4 + jsonLength)) as Header, body: data.subarray(4 + jsonLength) };
}

/**
 * [absolute path, size, mtime in ns] of a file a derived file depends on, size -1: absent; or
 * [absolute path, -2, `<names>@<mtime in ns>`] of a folder, `<names>` a hash of the names in it
 * but hidden ones (a file or folder appearing or going changes it; an editor's swap file or a
 * tool's dot-folder does not, though it changes the folder's mtime).
 */
export type Stamp = [string, number, string];

const ABSENT = -1;
const FOLDER = -2;

/** What a stamp's value holds: what must stay the same (a file's mtime, a folder's names) and the mtime in ns. */
function stampValue(size: number, value: string): { same: string; mtimeNs: bigint } {
  if (size !== FOLDER) return { same: value, mtimeNs: BigInt(value) };
  const [names, mtime] = value.split('@');
  return { same: names!, mtimeNs: BigInt(mtime!) };
}

/** The stamp of `file` (or folder) as it is now. */
export function stampOf(file: string): Stamp {
  const st = statSync(file, { bigint: true, throwIfNoEntry: false });
  if (!st) return [file, ABSENT, '0'];
  if (!st.isDirectory()) return [file, Number(st.size), st.mtimeNs.toString()];
  const names = readdirSync(file).filter((name) => !name.startsWith('.')).sort();
  return [file, FOLDER, `${createHash('sha256').update(names.join('\0')).digest('hex').slice(0, 16)}@${st.mtimeNs}`];
}

/** Whether the file or folder of `stamp` is as it was (or still absent); a folder by the names in it. */
export function unchanged([file, size, value]: Stamp): boolean {
  const [, nowSize, nowValue] = stampOf(file);
  return nowSize === size && stampValue(nowSize, nowValue).same === stampValue(size, value).same;
}

/**
 * Whether a file or folder of `stamps` was modified at or after `sinceMs` (epoch ms), less a margin
 * for file systems whose clock ticks coarsely: something changed while it was being read, so what
 * was made from it must not be stored under these stamps.
 */
export function changedSince(stamps: readonly Stamp[], sinceMs: number): boolean {
  const since = BigInt(Math.floor(sinceMs - CLOCK_MARGIN_MS)) * 1_000_000n;
  return stamps.some(([, size, value]) => size !== ABSENT && stampValue(size, value).mtimeNs >= since);
}

/** File systems stamp mtimes from a clock that ticks every few ms (a jiffy), so a write just after `sinceMs` can carry an earlier time. */
const CLOCK_MARGIN_MS = 50;

function identityOf(st: BigIntStats): string {
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
}
