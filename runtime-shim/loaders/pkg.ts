/**
 * The entry `@yao-pkg/pkg` runs for `--packer pkg` (CommonJS). pkg's enhanced SEA mode serves the
 * app bundle, koffi.node and the app's node_modules from its virtual file system; this script
 * points the shim's asset reader there and imports the bundle (an ES module, so top-level await
 * works) with source maps on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { installAssetReader } from '../assets';
import { reportLoadFailure } from '../host/load-failure';

process.setSourceMapsEnabled(true);
installAssetReader({ read: (name) => fs.readFileSync(path.join(__dirname, name)) });
// @ts-expect-error app.mjs is the app bundle, written next to this script when packing.
import('./app.mjs').catch(reportLoadFailure);
