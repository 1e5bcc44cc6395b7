/**
 * What the SEA script loader (sea-script.ts) does before it imports the app bundle: read the embedded assets (unpacking them when the build compressed
 * them), hand the shim its asset reader, turn source maps on, and serve the bundle, an ES module
 * embedded as the asset `app.mjs`, under the exe's own file URL through a synchronous module hook,
 * so `import.meta.url` and source-mapped stack traces name the exe.
 */
import { registerHooks } from 'node:module';
import { getRawAsset } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { installAssetReader } from '../assets';

const APP_ASSET = 'app.mjs';

/** Set by the build (esbuild define): the assets are stored Brotli-compressed as `<name>.br`. */
declare const SVCPACK_COMPRESSED_ASSETS: boolean;

/** An embedded asset's bytes, unpacked when the build compressed them. */
function readSeaAsset(name: string): Uint8Array {
  if (SVCPACK_COMPRESSED_ASSETS) return brotliDecompressSync(new Uint8Array(getRawAsset(`${name}.br`)));
  return new Uint8Array(getRawAsset(name));
}

/** Prepares the process for the app bundle; returns the URL to import it by (the exe's file URL). */
export function prepareApp(): string {
  process.setSourceMapsEnabled(true);
  installAssetReader({ read: readSeaAsset });
  const appUrl = pathToFileURL(process.execPath).href;
  const source = Buffer.from(readSeaAsset(APP_ASSET)).toString('utf8');
  registerHooks({
    resolve: (specifier, context, next) =>
      specifier === appUrl ? { url: appUrl, format: 'module', shortCircuit: true } : next(specifier, context),
    load: (url, context, next) => (url === appUrl ? { format: 'module', source, shortCircuit: true } : next(url, context)),
  });
  return appUrl;
}
