/**
 * Prepared exe bases (pack/pe.ts prepareExecutableBase: node.exe with the version resources, icon,
 * message table, manifest, fuse and time stamp, and an empty blob) kept in svcpack's cache
 * (`<cache>/exe-base/`, derived-cache.ts), keyed by everything they are made of, so a build whose
 * settings did not change only appends its blob (assembled-exe.ts). Each record also remembers the
 * SHA-256 of the latest exes assembled from the base.
 */
import type { PeBaseLayout } from '../pe/pe-base';
import { DerivedCache, derivedKey } from '../derived-cache';

/** Bases kept (each is ≈ 100 MB): enough for a few apps or Node lines built in turn. */
const KEEP = 3;
/** Output hashes remembered per base (the latest payloads). */
const REMEMBERED_OUTPUTS = 16;
/** Bump when a base's bytes for the same inputs change (pe.ts, pe-base.ts, pe-image.ts, message-table.ts). */
const BASE_FORMAT = 1;

export interface CachedBase {
  /** The base's file (read-only: copy it, never change it). */
  file: string;
  layout: PeBaseLayout;
  /** The SHA-256 of the exe assembled from this base and a payload of SHA-256 `payloadSha`, if known. */
  outputSha256(payloadSha: string): string | undefined;
  /** Remembers the SHA-256 of the exe assembled with the payload `payloadSha` (best effort). */
  rememberOutput(payloadSha: string, outputSha: string): Promise<void>;
}

interface BaseMeta {
  layout: PeBaseLayout;
  outputs: Record<string, string>;
}

/** The cache key of a base made of `inputs` (everything its bytes depend on besides svcpack's code). */
export function baseKey(inputs: Record<string, unknown>): string {
  return derivedKey({ format: BASE_FORMAT, ...inputs });
}

/** The base stored under `key`, if it is there and unchanged since it was written. */
export async function cachedBase(cacheDir: string, key: string): Promise<CachedBase | undefined> {
  const entry = await cache(cacheDir).get(key);
  if (!entry?.meta?.layout || typeof entry.meta.outputs !== 'object') return undefined;
  return handle(entry.file, entry.meta, entry.update);
}

/** Stores `image` (a base with `layout`) under `key`. Throws when the cache cannot be written (the caller then assembles in memory). */
export async function storeBase(cacheDir: string, key: string, image: Uint8Array, layout: PeBaseLayout): Promise<CachedBase> {
  const entry = await cache(cacheDir).put(key, image, { layout, outputs: {} });
  return handle(entry.file, entry.meta, entry.update);
}

function cache(cacheDir: string): DerivedCache<BaseMeta> {
  return new DerivedCache<BaseMeta>(cacheDir, 'exe-base', '.exe', KEEP);
}

function handle(file: string, meta: BaseMeta, update: (meta: BaseMeta) => Promise<void>): CachedBase {
  return {
    file,
    layout: meta.layout,
    outputSha256: (payloadSha) => meta.outputs[payloadSha],
    async rememberOutput(payloadSha, outputSha) {
      meta.outputs = Object.fromEntries(Object.entries({ ...meta.outputs, [payloadSha]: outputSha }).slice(-REMEMBERED_OUTPUTS));
      await update(meta);
    },
  };
}
