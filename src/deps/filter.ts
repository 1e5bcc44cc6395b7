/**
 * Which files of an installed package go into the exe: everything a production run may read,
 * nothing it never does (docs/addons-and-files.md, "Dependencies in the exe", documents the same
 * list). Pure.
 *
 * Left out:
 * - folders anywhere in the package: `.git`, `.github`, `.vscode`, `.idea`, `__tests__`,
 *   `__mocks__`, `coverage`, `.nyc_output` (and `node_modules`: nested packages are packages of
 *   the tree of their own);
 * - folders at the package root: `test`, `tests`, `spec`, `example`, `examples`, `doc`, `docs`,
 *   `bench`, `benchmark`, `benchmarks`;
 * - source maps (`*.map`), type declarations and TypeScript sources (`*.ts`, `*.mts`, `*.cts`,
 *   `*.tsx`: Node does not run them from node_modules), `*.tsbuildinfo`, Markdown (`*.md`,
 *   `*.markdown`), release notes (`CHANGELOG`, `HISTORY`, plain or as text), tool settings (`.npmignore`, `.eslintrc*`,
 *   `.prettierrc*`, `.editorconfig`, `.travis.yml`, `tsconfig*.json`), native sources (`*.c`,
 *   `*.cc`, `*.cpp`, `*.h`, `*.hpp`, `*.gyp`, `*.gypi`, `Makefile`);
 * - binaries for another platform: a `.node` file that is not a Windows x64 DLL, and any Linux
 *   (ELF) or macOS (Mach-O) executable or library, whatever its name (an install on Linux may
 *   leave one where the package's tarball has a script: esbuild's `bin/esbuild`); decided by
 *   {@link keepsBinary} on the file's first bytes. For a linux-x64 build the other way round:
 *   x86-64 ELF addons and shared libraries stay, Windows and macOS binaries go.
 * Always kept: package.json and license files.
 */
import { notWindowsX64Dll, unixBinaryKind } from './binary-kind';
import { peMachine } from '../runtime/pe-check';

const DIRS_ANYWHERE = new Set(['node_modules', '.git', '.github', '.vscode', '.idea', '__tests__', '__mocks__', 'coverage', '.nyc_output']);
const DIRS_AT_ROOT = new Set(['test', 'tests', 'spec', 'example', 'examples', 'doc', 'docs', 'bench', 'benchmark', 'benchmarks']);
const FILE_PATTERNS: readonly RegExp[] = [
  /\.map$/i,
  /\.(d\.)?[mc]?tsx?$/i,
  /\.tsbuildinfo$/i,
  /\.(md|markdown)$/i,
  // Release notes only: jsdom's `History.js` and `History-impl.js` are modules.
  /^(changelog|history)(\.(md|markdown|txt|rst|adoc))?$/i,
  /^(\.npmignore|\.eslintrc.*|\.prettierrc.*|\.editorconfig|\.travis\.yml|tsconfig.*\.json|makefile)$/i,
  /\.(c|cc|cpp|h|hpp|gyp|gypi)$/i,
];
const ALWAYS = /^(package\.json|licen[cs]e.*|copying.*|notice.*)$/i;

/** Whether the folder `name` at `depth` (0: the package root's children) is walked. */
export function keepsDir(name: string, depth: number): boolean {
  if (DIRS_ANYWHERE.has(name)) return false;
  return !(depth === 0 && DIRS_AT_ROOT.has(name.toLowerCase()));
}

/** Whether a file (by its base name) is kept; `.node` files also need {@link keepsBinary}. */
export function keepsFile(name: string): boolean {
  if (ALWAYS.test(name)) return true;
  return !FILE_PATTERNS.some((p) => p.test(name));
}

/**
 * For win-x64 (the default): a `.node` file is kept only when it is a Windows x64 DLL, no file
 * when it is an ELF or Mach-O binary. For linux-x64: a `.node` file or shared library (`.so`,
 * `.so.1.2`) only when it is an x86-64 ELF, no file when it is a Windows or Mach-O binary, nor an
 * ELF executable (they are not written out to be started: tree-natives.ts). `head`: the file's
 * first KiB or more.
 */
export function keepsBinary(name: string, head: Uint8Array, target: 'win-x64' | 'linux-x64' = 'win-x64'): boolean {
  const lower = name.toLowerCase();
  if (target === 'linux-x64') {
    if (lower.endsWith('.node') || /\.so(\.\d+)*$/.test(lower)) return isLinuxX64Elf(head);
    return peMachine(Buffer.from(head.buffer, head.byteOffset, head.byteLength)) === undefined && unixBinaryKind(head) === null;
  }
  if (lower.endsWith('.node')) return notWindowsX64Dll(head) === null;
  return unixBinaryKind(head) === null;
}

/** Whether `head` starts an x86-64 ELF file (e_machine 62): a native addon or library for linux-x64. */
export const isLinuxX64Elf = (head: Uint8Array): boolean =>
  head.length >= 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46 && head[18] === 62 && head[19] === 0;
