/**
 * Which file in a prebuildify `prebuilds/` folder node-gyp-build would load on Windows x64 for
 * the embedded Node (pure; the same rules as node-gyp-build's own `loadPrebuild`): the folder
 * `win32-x64` (else one listing several architectures, `win32-x64+arm64`); files named
 * `<name>.<tag>.<tag>….node` whose runtime tag, if any, is `node`, whose `abi<N>`
 * tag, if any, is the target's NODE_MODULE_VERSION unless the file is N-API, whose `uv` tag, if
 * any, is 1, and with no `armv`/`musl` tags; preferring `node`-runtime files, then ABI-specific
 * ones, then the most specific.
 */
export interface PrebuildTarget {
  /** NODE_MODULE_VERSION of the embedded Node (22: 127, 24: 137, 26: 147). */
  abi: number;
}

interface Tags {
  file: string;
  runtime?: string;
  napi: boolean;
  abi?: number;
  uv?: number;
  armv?: string;
  libc?: string;
  specificity: number;
}

function parseTags(file: string): Tags | null {
  if (!file.endsWith('.node')) return null;
  const parts = file.slice(0, -'.node'.length).split('.').slice(1); // the first part is the name
  const tags: Tags = { file, napi: false, specificity: 0 };
  for (const tag of parts) {
    if (!tag) continue;
    if (tag === 'node' || tag === 'electron' || tag === 'node-webkit') tags.runtime = tag;
    else if (tag === 'napi') tags.napi = true;
    else if (tag.startsWith('abi')) tags.abi = Number(tag.slice(3));
    else if (tag.startsWith('uv')) tags.uv = Number(tag.slice(2));
    else if (tag.startsWith('armv')) tags.armv = tag.slice(4);
    else if (tag === 'glibc' || tag === 'musl') tags.libc = tag;
    else continue;
    tags.specificity++;
  }
  return tags;
}

/** The folder of `prebuilds/` to look in: a `win32-…` (`prefix`: `linux-…`) folder listing x64, fewest architectures first. */
export function pickPrebuildFolder(folders: readonly string[], prefix = 'win32-'): string | undefined {
  const archs = (f: string) => f.slice(prefix.length).split('+');
  return folders
    .filter((f) => f.startsWith(prefix) && archs(f).includes('x64'))
    .sort((a, b) => archs(a).length - archs(b).length)[0];
}

/** The file node-gyp-build would load from `files` (the folder's file names), or undefined. */
export function pickPrebuildFile(files: readonly string[], target: PrebuildTarget): string | undefined {
  const candidates = files
    .map(parseTags)
    .filter((t): t is Tags => t !== null)
    .filter((t) => t.runtime === undefined || t.runtime === 'node')
    .filter((t) => t.abi === undefined || t.napi || t.abi === target.abi)
    .filter((t) => t.uv === undefined || t.uv === 1)
    .filter((t) => t.armv === undefined)
    .filter((t) => t.libc !== 'musl');
  candidates.sort(
    (a, b) =>
      Number(b.runtime === 'node') - Number(a.runtime === 'node') ||
      Number(b.abi !== undefined) - Number(a.abi !== undefined) ||
      b.specificity - a.specificity,
  );
  return candidates[0]?.file;
}
