/**
 * Decorator metadata: when the app's tsconfig sets `experimentalDecorators` and
 * `emitDecoratorMetadata`, the bundle carries what tsc would emit — `design:paramtypes`,
 * `design:type`, `design:returntype` — which NestJS constructor injection, TypeORM, InversifyJS,
 * tsyringe and class-validator/class-transformer read at run time. esbuild does not emit it.
 *
 * How: each TypeScript file with a decorator (a cheap pre-check, {@link hasDecorators}) is compiled
 * by swc (`@swc/core`, legacy decorators + metadata) into an ES module with an inline source map,
 * which esbuild then bundles like any other module (it follows the inline map, so stack traces
 * still name the .ts lines). Other files, and apps whose tsconfig does not ask for metadata, are
 * not touched and swc is never loaded.
 *
 * Why swc and not the app's own TypeScript (`ts.transpileModule`), measured on a NestJS app of 50
 * feature modules (254 files with decorators, 2-core Linux machine): transpileModule took 4.2–5.5 s
 * (3.4 s CPU) plus 0.7–1.2 s to load TypeScript; swc 0.07–0.18 s plus 0.07 s to load. And TypeScript
 * 7 (`npm install typescript` today) has no JavaScript transpile API at all.
 *
 * Semantics, as tsc's per-file transpile (`isolatedModules`) gives them:
 * - a type from `import type` is `Object` in the metadata;
 * - a type imported with a plain import and referenced only by metadata (an interface, say) is read
 *   through a namespace import of its module ({@link rewriteMetadataImports}): `Object` when the
 *   module has no such value export, instead of esbuild's "No matching export" error; a class is
 *   the class, as tsc emits it;
 * - a class from a circular import that is not yet defined when the decorators run is `Object`
 *   (esbuild turns top-level classes into `var`s, so there is no temporal-dead-zone error);
 * - which imports stay is left to esbuild (swc keeps them as written, `verbatimModuleSyntax`), so
 *   the tsconfig's `verbatimModuleSyntax`/`preserveValueImports` apply as to every other file, and
 *   so do `useDefineForClassFields` and the target (swc emits ESNext).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { failure } from '../../errors';
import { tsconfigFor, wantsDecoratorMetadata } from './tsconfig';

/** The part of `@swc/core` used here. */
export interface Swc {
  transform(source: string, options: Record<string, unknown>): Promise<{ code: string }>;
}

/** A module's source as esbuild should compile it instead of the file's own. */
export interface Transformed {
  contents: string;
  loader: Esbuild.Loader;
}

/** Rewrites a module's source before esbuild compiles it; undefined leaves it as it is. */
export type SourceTransform = (file: string, source: string) => Promise<Transformed | undefined>;

export interface DecoratorMetadata {
  /** The tsconfig.json that asked for it. */
  tsconfig: string;
  /** For the locations plugin's onLoad (embedded/locations.ts), the one onLoad of .ts files. */
  transform: SourceTransform;
  /** Files compiled by swc so far. */
  readonly files: Set<string>;
}

/** TypeScript modules; `.tsx` is left to esbuild (swc would compile the JSX its own way). */
const TS_FILE = /(?<!\.d)\.[cm]?ts$/;

/**
 * A decorator at a decorator position: `@Name` first on a line, or after `(` `,` `)` `;` `{` `}`,
 * a block comment, `export` or `default`. `@` in strings (`'@nestjs/common'`, e-mail addresses)
 * and JSDoc tags (` * @param`) do not count; a false positive only costs a swc pass.
 */
const DECORATOR = /(?:^|[(),;{}]|\*\/|\bexport|\bdefault)[ \t]*@[A-Za-z_$]/m;

export function hasDecorators(source: string): boolean {
  return DECORATOR.test(source);
}

/**
 * What the bundler needs when `entry`'s tsconfig asks for decorator metadata (esbuild's
 * `keepNames` goes with it: class names are what Nest, TypeORM and GraphQL schemas go by); undefined
 * otherwise, having read only the tsconfig files. `loadSwc` is for tests.
 */
export async function decoratorMetadata(entry: string, loadSwc: () => Swc = defaultSwc): Promise<DecoratorMetadata | undefined> {
  const settings = await tsconfigFor(entry);
  if (!settings || !wantsDecoratorMetadata(settings)) return undefined;
  let swc: Swc;
  try {
    swc = loadSwc();
  } catch (err) {
    const why = String(err instanceof Error ? err.message : err).split('\n')[0];
    throw failure(
      'BUNDLE_FAILED',
      `${path.basename(settings.file)} sets emitDecoratorMetadata, but @swc/core, which emits the metadata, cannot be loaded (${why})`,
      'reinstall svcpack with its optional dependencies (npm install svcpack --include=optional)',
      err,
    );
  }
  const files = new Set<string>();
  const transform: SourceTransform = async (file, source) => {
    if (!TS_FILE.test(file) || !hasDecorators(source)) return undefined;
    let code: string;
    try {
      ({ code } = await swc.transform(source, swcOptions(file)));
    } catch {
      return undefined; // a syntax error: esbuild reports it on the file's own source
    }
    files.add(file);
    return { contents: rewriteMetadataImports(code), loader: 'ts' };
  };
  return { tsconfig: settings.file, transform, files };
}

function defaultSwc(): Swc {
  return createRequire(import.meta.url)('@swc/core') as Swc;
}

/** swc's options: TypeScript with legacy decorators and their metadata, nothing else lowered. */
export function swcOptions(file: string): Record<string, unknown> {
  return {
    filename: file,
    swcrc: false,
    configFile: false,
    sourceMaps: 'inline',
    inlineSourcesContent: false,
    module: { type: 'es6' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'esnext',
      keepClassNames: true,
      transform: {
        legacyDecorator: true,
        decoratorMetadata: true,
        // Class fields and imports as written: esbuild applies the tsconfig to them (loader 'ts').
        useDefineForClassFields: true,
        verbatimModuleSyntax: true,
      },
    },
  };
}

/** swc's metadata for a type named by an identifier: `typeof X === "undefined" ? Object : X`. */
const METADATA_REF = /typeof ([A-Za-z_$][\w$]*) === "undefined" \? Object : \1(?![\w$])/g;

/** An import declaration with a default and/or named bindings, as swc prints it (one statement). */
const IMPORT = /^import\s+(?:([A-Za-z_$][\w$]*)\s*(?:,\s*)?)?(?:\{([^}]*)\}\s*)?from\s*(["'][^"'\n]+["']);?/gm;

/**
 * Makes metadata-only references to imported names safe to bundle. swc keeps
 * `import { Config } from './config'` when `Config` appears in metadata; if `Config` is an
 * interface, esbuild fails the build ("No matching export"). A name used only by metadata is
 * therefore dropped from its import and read from a namespace import of the same module instead
 * (`typeof ns.Config === "undefined" ? Object : ns.Config`): esbuild binds it to the export when
 * there is one (a class), and makes it `undefined` (so `Object`, as tsc emits for an interface)
 * when there is none. The edits stay on their lines, so the inline source map still fits.
 */
export function rewriteMetadataImports(code: string): string {
  const referenced = new Set([...code.matchAll(METADATA_REF)].map((m) => m[1] ?? ''));
  if (referenced.size === 0) return code;
  const bindings = new Map<string, { spec: string; imported: string }>();
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[3] ?? '';
    if (m[1]) bindings.set(m[1], { spec, imported: 'default' });
    for (const part of (m[2] ?? '').split(',')) {
      const named = /^\s*([\w$]+|"[^"]*"|'[^']*')(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (named?.[1]) bindings.set(named[2] ?? named[1], { spec, imported: named[1] });
    }
  }
  // Metadata references to imported names whose only uses are in metadata.
  const moved = new Map<string, { spec: string; imported: string }>();
  const bare = code.replace(METADATA_REF, '').replace(IMPORT, '');
  for (const name of referenced) {
    const binding = bindings.get(name);
    if (binding && !usesName(bare, name)) moved.set(name, binding);
  }
  if (moved.size === 0) return code;
  const namespaces = new Map<string, string>();
  const namespaceOf = (spec: string): string => {
    let ns = namespaces.get(spec);
    if (!ns) namespaces.set(spec, (ns = `__svcpack_meta_${namespaces.size}`));
    return ns;
  };
  const access = (ns: string, imported: string): string => (/^[A-Za-z_$][\w$]*$/.test(imported) ? `${ns}.${imported}` : `${ns}[${imported}]`);
  return code
    .replace(IMPORT, (whole, def: string | undefined, named: string | undefined, spec: string) => {
      const keep = (name: string | undefined): boolean => name !== undefined && !moved.has(name);
      const keptNamed = (named ?? '')
        .split(',')
        .filter((part) => {
          const m = /^\s*([\w$]+|"[^"]*"|'[^']*')(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
          return m ? keep(m[2] ?? m[1]) : part.trim() !== '';
        })
        .map((part) => part.trim());
      const dropped = (def !== undefined && !keep(def)) || keptNamed.length < (named ?? '').split(',').filter((p) => p.trim()).length;
      if (!dropped) return whole;
      const ns = namespaceOf(spec);
      const clause = [keep(def) ? def : undefined, keptNamed.length > 0 ? `{ ${keptNamed.join(', ')} }` : undefined].filter(Boolean).join(', ');
      return `${clause ? `import ${clause} from ${spec}; ` : ''}import * as ${ns} from ${spec};`;
    })
    .replace(METADATA_REF, (whole, name: string) => {
      const binding = moved.get(name);
      if (!binding) return whole;
      const ref = access(namespaceOf(binding.spec), binding.imported);
      return `typeof ${ref} === "undefined" ? Object : ${ref}`;
    });
}

/** Whether `code` uses `name` as a binding (not as `x.name`, a property access). */
function usesName(code: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(`(?<![\\w$]|(?<!\\.)\\.)${escaped}(?![\\w$])`).test(code);
}
