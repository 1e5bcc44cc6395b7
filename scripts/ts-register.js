// `node --import ./scripts/ts-register.js file.ts`: registers scripts/ts-hooks.js (see there).
import { register } from 'node:module';

register('./ts-hooks.js', import.meta.url);
