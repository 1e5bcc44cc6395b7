/**
 * Names the bundler's plugins share: which files are JavaScript/TypeScript sources (and the esbuild
 * loader of each), the package a bare specifier names, and the platform names that npm packages
 * with native binaries put in their names (`@scope/name-win32-x64-msvc`). Pure.
 */
import path from 'node:path';
import type * as Esbuild from 'esbuild';

const SOURCE_LOADERS: Readonly<Record<string, Esbuild.Loader>> = {
  '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx',
  '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx',
};

/** The esbuild loader of a JavaScript/TypeScript source file, by extension (any case); undefined for other files. */
export function sourceLoader(file: string): Esbuild.Loader | undefined {
  return SOURCE_LOADERS[path.extname(file).toLowerCase()];
}

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `lodash/fp` → `lodash`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Operating systems as platform packages name them (napi-rs, esbuild, sharp, swc…), `win32` first. */
export const PLATFORM_NAMES = 'win32|linux|linuxmusl|darwin|android|freebsd|openbsd|netbsd|sunos|aix|openharmony|wasm32|wasi|webcontainers';
