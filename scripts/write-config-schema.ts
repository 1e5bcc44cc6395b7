// Writes svcpack.schema.json (the JSON Schema of svcpack.config.json) from the config key table:
// `node --import ./scripts/ts-register.js scripts/write-config-schema.ts`.
// test/config/config-schema.test.ts fails when the committed file differs.
import fs from 'node:fs';
import { configSchema } from '../src/config/config-schema';

const file = new URL('../svcpack.schema.json', import.meta.url);
fs.writeFileSync(file, `${JSON.stringify(configSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
