// Writes docs/options.md (the options reference) from the option tables:
// `node --import ./scripts/ts-register.js scripts/write-options-doc.ts`.
// test/config/options-doc.test.ts fails when the committed file differs.
import fs from 'node:fs';
import { optionsReference } from '../src/config/options-doc';

const file = new URL('../docs/options.md', import.meta.url);
fs.writeFileSync(file, optionsReference());
process.stdout.write(`wrote ${file.pathname}\n`);
