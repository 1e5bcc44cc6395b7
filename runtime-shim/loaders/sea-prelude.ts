/**
 * First module of the app bundle when the bundle itself is the SEA main (Node 26+, an ES module
 * main: `"mainFormat": "module"`): it hands the shim its asset reader before boot.ts loads koffi,
 * and installs what the build embedded besides the bundle (embedded/install.ts).
 * There is no loader script then; source maps are on from the start through the SEA config's
 * `execArgv` (`--enable-source-maps`), and the exe's own file URL is the bundle's
 * `import.meta.url` by Node's doing. Not used with `--compress`, whose compressed bundle needs the
 * script loader (sea-script.ts) to unpack it.
 */
import { getRawAsset } from 'node:sea';
import { installAssetReader } from '../assets';
import { installEmbedded } from '../embedded/install';

installAssetReader({ read: (name) => new Uint8Array(getRawAsset(name)) });
installEmbedded();
