/**
 * Who depends on whom in the embedded dependency tree, for the SBOM's dependency graph: each
 * package's `dependencies`, `optionalDependencies` and `peerDependencies` (from its embedded
 * package.json) resolved the way Node finds them in the tree, its own nested `node_modules`
 * first, then each enclosing one up to the top. A dependency the tree lacks (an optional one
 * for another platform, an unmet peer) has no edge. Pure.
 */

/** Declared dependencies of a package.json (names only: the tree decides the versions). */
export function declaredDependencies(manifest: unknown): string[] {
  if (!manifest || typeof manifest !== 'object') return [];
  const m = manifest as Record<string, unknown>;
  const names = new Set<string>();
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = m[field];
    if (deps && typeof deps === 'object' && !Array.isArray(deps)) for (const name of Object.keys(deps)) names.add(name);
  }
  return [...names].sort();
}

/**
 * Where `name` resolves from a package at `from` (a tree location; '' for the project itself):
 * the first of `<from>/node_modules/<name>`, then the same for each enclosing package folder,
 * that `locations` holds; null when none does.
 */
export function resolveInTree(from: string, name: string, locations: ReadonlySet<string>): string | null {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (locations.has(candidate)) return candidate;
    if (!dir) return null;
    // `node_modules/a/node_modules/@s/b` → `node_modules/a`; `node_modules/a` → ''.
    const at = dir.lastIndexOf('node_modules/');
    dir = at <= 0 ? '' : dir.slice(0, at - 1);
  }
}

/**
 * The edges of the tree: for the project (key '') and each package location, the locations it
 * depends on, sorted. `manifests` maps each location ('' the project) to its package.json.
 */
export function treeEdges(manifests: ReadonlyMap<string, unknown>): Map<string, string[]> {
  const locations = new Set([...manifests.keys()].filter((l) => l !== ''));
  const edges = new Map<string, string[]>();
  for (const [from, manifest] of manifests) {
    const to = declaredDependencies(manifest)
      .map((name) => resolveInTree(from, name, locations))
      .filter((l): l is string => l !== null && l !== from);
    edges.set(from, [...new Set(to)].sort());
  }
  return edges;
}

/**
 * The package.json of the project ('') and of each embedded package (its embedded
 * `<location>/package.json`), for {@link treeEdges}. A package whose package.json is missing
 * or not JSON has none (no edges from it).
 */
export function treeManifests(
  projectManifest: unknown,
  tree: { files: ReadonlyArray<{ rel: string; data: Uint8Array }>; packages: ReadonlyArray<{ location: string }> },
): Map<string, unknown> {
  const files = new Map(tree.files.map((f) => [f.rel, f.data]));
  const manifests = new Map<string, unknown>([['', projectManifest]]);
  for (const { location } of tree.packages) {
    const data = files.get(`${location}/package.json`);
    let manifest: unknown = null;
    try {
      manifest = data ? JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) : null;
    } catch {
      manifest = null;
    }
    manifests.set(location, manifest);
  }
  return manifests;
}
