/**
 * The app's TypeScript settings that decide whether the bundle carries decorator metadata: the
 * tsconfig.json esbuild uses for the entry (the nearest one from the entry's folder up), with the
 * files it `extends` merged in, as TypeScript merges them. Read with a small JSONC reader (comments
 * and trailing commas, as tsc accepts): no TypeScript is loaded to find out.
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface TsconfigSettings {
  /** The tsconfig.json found (absolute). */
  file: string;
  /** `compilerOptions` after `extends`: the file's own options over those of the files it extends. */
  compilerOptions: Record<string, unknown>;
}

/** The nearest tsconfig.json from `dir` up to the file system's root; undefined if none. */
export async function findTsconfig(dir: string): Promise<string | undefined> {
  for (let d = path.resolve(dir); ; ) {
    const file = path.join(d, 'tsconfig.json');
    if (await isFile(file)) return file;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

/**
 * The tsconfig esbuild uses for `entry` and its merged compilerOptions; undefined when there is
 * none, or it cannot be read as JSON (esbuild then ignores it too).
 */
export async function tsconfigFor(entry: string): Promise<TsconfigSettings | undefined> {
  const file = await findTsconfig(path.dirname(entry));
  if (!file) return undefined;
  const compilerOptions = await mergedOptions(file, new Set());
  return compilerOptions && { file, compilerOptions };
}

/** True when the settings ask for legacy decorators and their metadata, as tsc needs both. */
export function wantsDecoratorMetadata(settings: TsconfigSettings | undefined): boolean {
  return settings?.compilerOptions.experimentalDecorators === true && settings.compilerOptions.emitDecoratorMetadata === true;
}

async function mergedOptions(file: string, seen: Set<string>): Promise<Record<string, unknown> | undefined> {
  if (seen.has(file)) return {}; // an `extends` cycle: tsc reports it; the options read so far stand
  seen.add(file);
  let json: unknown;
  try {
    json = parseJsonc(await fs.readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const config = json as { extends?: unknown; compilerOptions?: unknown };
  const bases = typeof config.extends === 'string' ? [config.extends] : Array.isArray(config.extends) ? config.extends : [];
  let options: Record<string, unknown> = {};
  // TypeScript 5: with several, each later one overrides the earlier ones.
  for (const spec of bases) {
    if (typeof spec !== 'string') continue;
    const base = await resolveExtends(spec, path.dirname(file));
    const baseOptions = base ? await mergedOptions(base, seen) : undefined;
    if (baseOptions) options = { ...options, ...baseOptions };
  }
  const own = config.compilerOptions;
  return own && typeof own === 'object' ? { ...options, ...(own as Record<string, unknown>) } : options;
}

/** Where an `extends` value points: a path (`./base`, `../tsconfig.base.json`) or a package (`@tsconfig/node20/tsconfig.json`, `@tsconfig/node20`). */
export async function resolveExtends(spec: string, fromDir: string): Promise<string | undefined> {
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const file = path.resolve(fromDir, spec);
    if (await isFile(file)) return file;
    return !file.endsWith('.json') && (await isFile(`${file}.json`)) ? `${file}.json` : undefined;
  }
  const require = createRequire(path.join(fromDir, 'tsconfig.json'));
  for (const candidate of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
    try {
      const file = require.resolve(candidate);
      if (file.endsWith('.json')) return file;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

/** JSON with comments and trailing commas, as tsconfig files are written. */
export function parseJsonc(text: string): unknown {
  let out = '';
  // A comma is held back until the next token shows it is not a trailing one.
  let comma = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
      continue;
    }
    if (/\s/.test(c)) {
      out += c;
      i++;
      continue;
    }
    if (comma && c !== '}' && c !== ']') out += ',';
    comma = false;
    if (c === ',') {
      comma = true;
      i++;
    } else if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
