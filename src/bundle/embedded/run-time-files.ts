/**
 * Decides what a module's run-time file references (references.ts) ask the build to embed:
 * - a JavaScript or TypeScript file → an entry module, bundled on its own (entry-bundles.ts) so a
 *   worker thread or a forked process can start it;
 * - any other file → embedded as is, readable through `fs` inside the exe;
 * - a folder (`path.join(__dirname, 'locales', lang + '.json')` names `locales/`) → its files,
 *   and its JavaScript and TypeScript files also as folder modules, bundled each as an entry so
 *   that code importing what it lists (route and plugin autoloaders, job runners) can import them
 *   (a folder module that does not bundle, such as browser code in a static folder, stays a file);
 * - a package name given as a worker-transport target (`target: 'pino-pretty'`) → its main
 *   module as an entry, and a bundler path so the library finds it (manifest.ts `bundlerPaths`).
 * Targets that do not exist are ignored: the code may never run, and if it does it meets the
 * usual ENOENT. Folders are embedded only when they are data, not code trees: never the project
 * or a package root (a folder with a package.json), never an ancestor of the module, never a
 * node_modules folder, and within {@link FOLDER_LIMITS}; otherwise a warning names them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sourceLoader } from '../module-names';
import type { FileReference } from './references';

/** A detected folder larger than this is not embedded (declare what is needed with --asset). */
export const FOLDER_LIMITS = { files: 2_000, bytes: 32 * 1024 * 1024 };

export const isScript = (file: string): boolean => sourceLoader(file) !== undefined;

/** Resolves a package specifier from a folder as the bundler would; null when it does not resolve. */
export type PackageResolver = (specifier: string, fromDir: string) => Promise<string | null>;

export class RunTimeFiles {
  /** Absolute paths of modules to bundle as entries. */
  readonly entries = new Set<string>();
  /**
   * Absolute paths of scripts found by listing a folder: bundled as entries when they bundle, else
   * left as files with a warning (embed.ts).
   */
  readonly folderModules = new Set<string>();
  /** Absolute paths of files to embed as they are. */
  readonly files = new Set<string>();
  /** Package specifier → absolute path of its entry module. */
  readonly bundlerPaths = new Map<string, string>();
  readonly warnings = new Set<string>();
  private readonly seenFolders = new Set<string>();

  /** The folders listed to find modules and files (a file added to one changes what is found). */
  get listedFolders(): ReadonlySet<string> {
    return this.seenFolders;
  }

  constructor(private readonly projectDir: string) {}

  /** Records what `refs`, found in the module `file`, point at. */
  async add(file: string, refs: readonly FileReference[], resolvePackage: PackageResolver): Promise<void> {
    const dir = path.dirname(file);
    await Promise.all(refs.map((ref) => this.addOne(file, dir, ref, resolvePackage)));
  }

  private async addOne(file: string, dir: string, ref: FileReference, resolvePackage: PackageResolver): Promise<void> {
    switch (ref.base) {
      case 'module-file':
        this.entries.add(file);
        return;
      case 'package': {
        const spec = ref.segments[0];
        const target = spec ? await resolvePackage(spec, dir) : null;
        if (spec && target && isScript(target)) {
          this.entries.add(target);
          this.bundlerPaths.set(spec, target);
        }
        return;
      }
      case 'cwd': {
        // Node resolves these against the working folder: the project's, when the app is run from
        // it; also try the module's own folder, where the author usually means.
        for (const base of [this.projectDir, dir]) await this.addTarget(file, path.resolve(base, ...ref.segments), ref.partial);
        return;
      }
      case 'module-dir':
        await this.addTarget(file, path.resolve(dir, ...ref.segments), ref.partial);
        return;
    }
  }

  private async addTarget(from: string, target: string, partial: boolean): Promise<void> {
    const stat = await fs.stat(target).catch(() => null);
    if (!stat) return;
    if (stat.isFile() && !partial) {
      if (isScript(target)) this.entries.add(target);
      else this.files.add(target);
    } else if (stat.isDirectory()) {
      await this.addFolder(from, target);
    }
  }

  private async addFolder(from: string, folder: string): Promise<void> {
    if (this.seenFolders.has(folder)) return;
    this.seenFolders.add(folder);
    const rel = path.relative(folder, from);
    const isAncestor = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    const isCodeTree =
      folder === this.projectDir || isAncestor || path.basename(folder) === 'node_modules' || (await exists(path.join(folder, 'package.json')));
    if (isCodeTree) return;
    const found = await listFiles(folder, FOLDER_LIMITS);
    if (found === 'too-big') {
      this.warnings.add(
        `${path.relative(this.projectDir, folder) || folder} is read at run time but holds more than ${FOLDER_LIMITS.files} files or ${FOLDER_LIMITS.bytes / 1024 / 1024} MB: not embedded — declare the files needed with --asset`,
      );
      return;
    }
    for (const f of found) {
      this.files.add(f);
      if (isScript(f)) this.folderModules.add(f);
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => null)) !== null;
}

/** Every file below `folder` (skipping node_modules), or 'too-big' past the limits. */
export async function listFiles(folder: string, limits: { files: number; bytes: number }): Promise<string[] | 'too-big'> {
  const out: string[] = [];
  let bytes = 0;
  const walk = async (dir: string): Promise<boolean> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'node_modules') continue;
        if (!(await walk(full))) return false;
      } else if (e.isFile()) {
        bytes += (await fs.stat(full)).size;
        out.push(full);
        if (out.length > limits.files || bytes > limits.bytes) return false;
      }
    }
    return true;
  };
  return (await walk(folder)) ? out.sort() : 'too-big';
}
