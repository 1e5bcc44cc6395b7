/**
 * Which embedded module a worker's `filename` or a fork's `modulePath` names. Pure.
 *
 * Node's rules first: a `file:` URL, or a path, a relative one against the working folder. A
 * relative path that does not land inside the exe is then taken against the project folder (the
 * tree root: where `node` ran during development), and last as the unique embedded module whose
 * path ends with it (`fork('./job.js')` written in `src/app.ts` for `src/job.js`). A JavaScript
 * file of a package of the embedded dependency tree (a worker file a package starts by its own
 * path) is a module too: the thread's or process's module hooks load it from the tree.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedRelative } from './embedded-fs';
import type { EmbedManifest } from './manifest';

export type ModuleLookup =
  /** An embedded module, or a script of an embedded dependency-tree package, by tree path. */
  | { kind: 'module'; rel: string }
  /** Inside the exe's tree, but the build did not embed it. */
  | { kind: 'missing'; path: string }
  /** Not a path inside the exe: Node handles it as usual. */
  | { kind: 'outside' };

export function lookupModule(
  target: string | URL,
  manifest: EmbedManifest | null,
  exePath: string,
  cwd: string,
  pathApi: typeof path.win32 | typeof path.posix = path,
): ModuleLookup {
  let file: string;
  try {
    file = target instanceof URL || target.startsWith('file:') ? fileURLToPath(target) : target;
  } catch {
    return { kind: 'outside' };
  }
  const modules = manifest?.modules ?? {};
  const relative = !pathApi.isAbsolute(file);
  const candidates = relative ? [pathApi.resolve(cwd, file), pathApi.resolve(exePath, file)] : [file];
  // 'missing' only when the path as Node resolves it (the first candidate) is inside the exe.
  const inside = embeddedRelative(exePath, candidates[0]!, pathApi) === null ? null : candidates[0]!;
  const isTreeScript = (rel: string) =>
    manifest?.packages !== undefined && rel.startsWith('node_modules/') && manifest.files[rel] !== undefined && /\.[cm]?js$/i.test(rel);
  for (const candidate of candidates) {
    const rel = embeddedRelative(exePath, candidate, pathApi);
    if (rel !== null && (modules[rel] !== undefined || isTreeScript(rel))) return { kind: 'module', rel };
  }
  if (relative) {
    const tail = pathApi.normalize(file).split(/[\\/]+/).filter((s) => s !== '.').join('/');
    const matches = Object.keys(modules).filter((rel) => rel === tail || rel.endsWith(`/${tail}`));
    if (matches.length === 1) return { kind: 'module', rel: matches[0]! };
  }
  return inside === null ? { kind: 'outside' } : { kind: 'missing', path: inside };
}
