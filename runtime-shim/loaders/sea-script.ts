/**
 * The SEA main script for Node 22 and 24, whose SEA main must be CommonJS (and for `--compress` on
 * any line). It reads the embedded assets (unpacking them when the build compressed them), hands
 * the shim its asset reader, turns source maps on, and serves the app bundle — an ES module
 * embedded as the asset `app.mjs`, so apps may use top-level await — under the exe's own file URL
 * through a synchronous module hook, so `import.meta.url` and source-mapped stack traces name the
 * exe. A CommonJS SEA main cannot `import()` (it has no loader), so a vm.Script whose dynamic
 * import uses the default loader imports the bundle (embedded/import-module.ts). Before that it
 * installs what the build embedded besides the bundle (embedded/install.ts: files, worker and
 * fork modules). On Node 26 the bundle itself is the SEA main
 * instead, an ES module (sea-prelude.ts): no loader script at all. (An ES module SEA main's own
 * `import()` only reaches built-in modules, so it cannot load the bundle from an asset either.)
 */
import { registerHooks } from 'node:module';
import { getRawAsset } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { installAssetReader } from '../assets';
import { importByUrl } from '../embedded/import-module';
import { installEmbedded } from '../embedded/install';
import { reportLoadFailure } from '../host/load-failure';

const APP_ASSET = 'app.mjs';

/** Set by the build (esbuild define): the assets are stored Brotli-compressed as `<name>.br`. */
declare const SVCPACK_COMPRESSED_ASSETS: boolean;

/** An embedded asset's bytes, unpacked when the build compressed them. */
function readSeaAsset(name: string): Uint8Array {
  if (SVCPACK_COMPRESSED_ASSETS) return brotliDecompressSync(new Uint8Array(getRawAsset(`${name}.br`)));
  return new Uint8Array(getRawAsset(name));
}

function main(): void {
  process.setSourceMapsEnabled(true);
  installAssetReader({ read: readSeaAsset, readRaw: (name) => new Uint8Array(getRawAsset(name)) });
  installEmbedded();

  const appUrl = pathToFileURL(process.execPath).href;
  const source = Buffer.from(readSeaAsset(APP_ASSET)).toString('utf8');
  registerHooks({
    resolve: (specifier, context, next) =>
      specifier === appUrl ? { url: appUrl, format: 'module', shortCircuit: true } : next(specifier, context),
    load: (url, context, next) => (url === appUrl ? { format: 'module', source, shortCircuit: true } : next(url, context)),
  });
  importByUrl(appUrl, 'svcpack:sea-main').catch(reportLoadFailure);
}

main();
