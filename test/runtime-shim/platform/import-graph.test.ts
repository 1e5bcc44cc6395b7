/**
 * The platform seam holds in the sources: the platform-neutral core never imports a backend
 * (runtime-shim/platform/<os>/) or koffi, so a second backend is new files, and the core's code
 * runs on Linux under the unit tests. Read from the source text, so a new import breaks this test
 * before it breaks the seam.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SHIM = path.resolve(__dirname, '../../../runtime-shim');

/**
 * What may import a backend, and why:
 * - boot.ts picks the backend and builds it (the composition root);
 * - loaders/ are the entry scripts of the backend's own threads (the control thread, the SCM watch thread);
 * - services/ is the runtime API's client for other Windows services, with a backend interface of
 *   its own (ServicesBackend); it also runs in the app's worker threads, where boot never runs.
 */
const MAY_IMPORT_BACKENDS = [/^boot\.ts$/, /^loaders\//, /^services\//, /^platform\/[^/]+\//];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** The module specifiers `text` imports or re-exports (static, side-effect and dynamic imports). */
export function importsOf(text: string): Import[] {
  const found: Import[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(statement)) found.push({ specifier: m[3]!, typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[1]!, typeOnly: false });
  return found;
}

/** Each core file's imports that reach into a backend folder or load koffi. */
function violations(): string[] {
  const out: string[] = [];
  for (const file of sources(SHIM)) {
    const rel = path.relative(SHIM, file).split(path.sep).join('/');
    if (MAY_IMPORT_BACKENDS.some((allowed) => allowed.test(rel))) continue;
    for (const { specifier, typeOnly } of importsOf(fs.readFileSync(file, 'utf8'))) {
      if (specifier === 'koffi' && !typeOnly) out.push(`${rel} loads koffi`);
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(SHIM, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
      if (/^platform\/[^/]+\//.test(target)) out.push(`${rel} imports ${target}`);
    }
  }
  return out;
}

describe('the platform seam', () => {
  it('no core module imports a platform backend or loads koffi', () => {
    expect(violations()).toEqual([]);
  });

  it('the core still reaches the platform, through its interface', () => {
    const core = sources(SHIM).filter((file) => /[/\\](modes|host)[/\\]/.test(file));
    const usesInterface = core.filter((file) => importsOf(fs.readFileSync(file, 'utf8')).some((i) => /platform\/platform$|exe-context$/.test(i.specifier)));
    expect(usesInterface.length).toBeGreaterThanOrEqual(6);
  });

  it('reads every kind of import', () => {
    const text = [
      "import { a } from '../platform/windows/a';",
      "import type { B } from './b';",
      "export { c } from './c';",
      "import './side-effect';",
      "const d = await import('./d');",
      'import {\n  e,\n  f,\n} from "./ef";',
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: '../platform/windows/a', typeOnly: false },
      { specifier: './b', typeOnly: true },
      { specifier: './c', typeOnly: false },
      { specifier: './side-effect', typeOnly: false },
      { specifier: './ef', typeOnly: false },
      { specifier: './d', typeOnly: false },
    ]);
  });
});
