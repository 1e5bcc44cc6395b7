#!/usr/bin/env node
// svcpack's command line. The toolchain is compiled to lib/ by `npm install` (prepare) or
// `npm run build:lib`.
import { existsSync } from 'node:fs';

const cli = new URL('../lib/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('svcpack: lib/cli.js is missing — run "npm run build:lib" (or npm install) in the svcpack folder\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
