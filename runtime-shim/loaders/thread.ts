/**
 * The loader of a worker thread that runs an embedded module (the exe's `Worker` puts this script,
 * the asset `thread.cjs`, into an `eval` worker; embedded/worker-threads.ts). Like the SEA main's
 * loaders it turns source maps on and installs the asset reader (assets may be stored
 * Brotli-compressed as `<name>.br`), then `svcpack/runtime`'s host, the embedded files and module
 * hooks — all per thread in Node — and imports the module at its virtual URL. A failure to load
 * or evaluate it is rethrown in the worker, so the Worker's 'error' event gets the error itself.
 */
import { getRawAsset } from 'node:sea';
import { brotliDecompressSync } from 'node:zlib';
import { installAssetReader } from '../assets';
import { importByUrl } from '../embedded/import-module';
import { installEmbedded } from '../embedded/install';
import { virtualUrl } from '../embedded/manifest';
import { THREAD_START_KEY, type ThreadStart } from '../embedded/thread-start';
import { installThreadHost } from '../embedded/thread-host';

type StartGlobal = typeof globalThis & Record<symbol, ThreadStart | undefined>;

function readSeaAsset(name: string): Uint8Array {
  try {
    return new Uint8Array(getRawAsset(name));
  } catch (err) {
    try {
      return brotliDecompressSync(new Uint8Array(getRawAsset(`${name}.br`)));
    } catch {
      throw err;
    }
  }
}

const key = Symbol.for(THREAD_START_KEY);
const start = (globalThis as StartGlobal)[key]!;
delete (globalThis as StartGlobal)[key];

process.setSourceMapsEnabled(true);
installAssetReader({ read: readSeaAsset, readRaw: (name) => new Uint8Array(getRawAsset(name)) });
if (start.host) installThreadHost(start.host);
installEmbedded();
importByUrl(virtualUrl(start.entry)).catch((err: unknown) =>
  process.nextTick(() => {
    throw err;
  }),
);
