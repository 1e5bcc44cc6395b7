/**
 * `--sbom <file>`: a CycloneDX 1.6 JSON software bill of materials of the exe
 * (https://cyclonedx.org/docs/1.6/json/). Pure: the build gathers the facts, this shapes them.
 *
 * - `metadata.component` is the exe (type `application`, SHA-256 of the exe as written, signed
 *   when the build signs it); `metadata.tools` names svcpack; `metadata.timestamp` is
 *   SOURCE_DATE_EPOCH when set, else the build's time.
 * - `serialNumber` is a name-based (version 5) UUID of the exe's SHA-256: the same exe always
 *   gets the same serial number, so a rebuild with SOURCE_DATE_EPOCH gives a byte-identical SBOM.
 * - `components`: every package of the embedded dependency tree (type `library`, one per tree
 *   location, the location as `cdx:npm:package:path`, `svcpack:embedded` `tree`) and every other
 *   package the app bundle inlined code from (`svcpack:embedded` `bundle`), the embedded Node.js (type `platform`,
 *   with its CPE so scanners match Node.js advisories), svcpack's runtime and koffi (its Win32
 *   bridge, compiled into every exe), and the native addons' files (type `file` with SHA-256,
 *   nested in their package's component).
 * - `dependencies`: the exe → its direct dependencies, Node.js, svcpack and koffi; each package →
 *   the packages it resolves in the tree (deps/tree-edges.ts).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';

/** One npm package in the exe (deps/tree-files.ts EmbeddedPackage has these fields). */
export interface SbomPackage {
  name: string;
  version: string;
  license: string | null;
  integrity: string | null;
  location: string;
  /**
   * How it is in the exe: `tree` (default), its files in the embedded dependency tree; `bundle`,
   * only its code the app bundle inlined (deps/bundled-packages.ts). The `svcpack:embedded` property.
   */
  embedded?: 'tree' | 'bundle';
}

export interface SbomInput {
  /** The service exe. */
  exe: { name: string; version: string; description: string; sha256: string; company?: string };
  svcpackVersion: string;
  /** The embedded Node.js; `sha256` of the node.exe (or linux-x64 `node`) it was made from, when known; `target` default win-x64. */
  node: { version: string; sha256?: string; target?: 'win-x64' | 'linux-x64' };
  /** koffi, compiled into every exe: its version and the SHA-256 of its win32-x64 koffi.node. */
  koffi: { version: string; sha256: string };
  /** The npm packages in the exe: the embedded tree's, and those only the app bundle inlined. */
  packages: readonly SbomPackage[];
  /** The native addons embedded. */
  addons: readonly EmbeddedAddon[];
  /** deps/tree-edges.ts treeEdges(): '' (the project) and each location → the locations it depends on. */
  edges?: ReadonlyMap<string, readonly string[]>;
  /** When the BOM was made: SOURCE_DATE_EPOCH, else now. */
  timestamp: Date;
}

type Json = Record<string, unknown>;

/** svcpack's namespace for its name-based UUIDs (a fixed random UUID). */
const SERIAL_NAMESPACE = 'a7f4c3e2-5b1d-4e8f-9c6a-2d3b4f5e6a7b';

/** `urn:uuid:…`: the RFC 4122 version 5 UUID of `exeSha256` (hex) in svcpack's namespace. */
export function sbomSerialNumber(exeSha256: string): string {
  const hash = createHash('sha1').update(Buffer.from(SERIAL_NAMESPACE.replace(/-/g, ''), 'hex')).update(exeSha256.toLowerCase()).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A purl segment: percent-encoded (`@` → `%40`, `+` → `%2B`). */
const purlSegment = (s: string): string => encodeURIComponent(s);

/**
 * The package URL of an npm package: `pkg:npm/express@5.3.0`, `pkg:npm/%40babel/core@7.29.0`
 * (purl's npm type: the scope is the namespace, `@` encoded, names lower-cased).
 */
export function npmPurl(name: string, version: string): string {
  const { group, name: base } = splitName(name.toLowerCase());
  return `pkg:npm/${group ? `${purlSegment(group)}/` : ''}${purlSegment(base)}@${purlSegment(version)}`;
}

/** `@scope/name` → group `@scope`, name `name`; an unscoped name has no group. */
export function splitName(name: string): { group?: string; name: string } {
  const m = /^(@[^/]+)\/(.+)$/.exec(name);
  return m ? { group: m[1]!, name: m[2]! } : { name };
}

const SRI_ALGORITHMS: Readonly<Record<string, string>> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/**
 * The hashes of an SRI integrity string (`sha512-<base64>`, several separated by spaces): each as
 * CycloneDX `{ alg: 'SHA-512', content: <hex> }`. Unknown algorithms and malformed entries are left out.
 */
export function integrityHashes(integrity: string | null): Array<{ alg: string; content: string }> {
  if (!integrity) return [];
  const out: Array<{ alg: string; content: string }> = [];
  for (const entry of integrity.trim().split(/\s+/)) {
    const m = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(entry);
    if (!m) continue;
    const digest = Buffer.from(m[2]!, 'base64');
    const expected = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }[m[1] as 'sha1'];
    if (digest.byteLength !== expected) continue;
    const hash = { alg: SRI_ALGORITHMS[m[1]!]!, content: digest.toString('hex') };
    if (!out.some((h) => h.alg === hash.alg && h.content === hash.content)) out.push(hash);
  }
  return out;
}

interface SpdxNode {
  license?: string;
  plus?: boolean;
  exception?: string;
  conjunction?: string;
}

const require = createRequire(import.meta.url);
let spdxParse: ((expression: string) => SpdxNode) | undefined;

/**
 * CycloneDX `licenses` for a package.json `license`: one SPDX license id as `{ license: { id } }`
 * (`MIT`), any other valid SPDX expression as `{ expression }` (`(MIT OR Apache-2.0)`,
 * `GPL-2.0-only WITH Classpath-exception-2.0`, `LicenseRef-…`), anything else by name
 * (`{ license: { name: 'SEE LICENSE IN LICENSE.txt' } }`, `UNLICENSED`); none for null.
 */
export function licenseChoice(license: string | null): Json[] {
  const text = license?.trim();
  if (!text) return [];
  spdxParse ??= require('spdx-expression-parse') as (expression: string) => SpdxNode;
  let parsed: SpdxNode;
  try {
    parsed = spdxParse(text);
  } catch {
    return [{ license: { name: text } }];
  }
  const single = parsed.license !== undefined && !parsed.plus && !parsed.exception && !parsed.license.startsWith('LicenseRef-') && !parsed.license.startsWith('DocumentRef-');
  return single ? [{ license: { id: parsed.license } }] : [{ expression: text }];
}

/** The bom-ref of the tree package at `location`. */
const packageRef = (location: string): string => `npm:${location}`;
const NODE_REF = 'runtime:node';
const SVCPACK_REF = 'runtime:svcpack';
const KOFFI_REF = 'runtime:koffi';
const addonRef = (a: EmbeddedAddon): string => `addon:${a.package}@${a.version}`;

/** The CycloneDX 1.6 BOM of an exe (a JSON value; `JSON.stringify(bom, null, 2)` is the file). */
export function cycloneDxBom(input: SbomInput): Json {
  const exeRef = `exe:${input.exe.name}`;
  const byNameVersion = new Map(input.packages.map((p) => [`${p.name}@${p.version}`, p]));
  const addonFiles = (a: EmbeddedAddon): Json[] =>
    [...a.files]
      .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
      .map((f) => ({
        type: 'file',
        'bom-ref': `${addonRef(a)}/${f.path}`,
        name: f.path,
        hashes: [{ alg: 'SHA-256', content: f.sha256 }],
        properties: [{ name: 'svcpack:addon:source', value: a.source }, ...(f.path === a.main ? [{ name: 'svcpack:addon:main', value: 'true' }] : [])],
      }));
  /** The addons whose package is a tree package: their files nest in it, by location. */
  const nestedAddons = new Map<string, EmbeddedAddon[]>();
  const standaloneAddons: EmbeddedAddon[] = [];
  for (const a of input.addons) {
    const p = byNameVersion.get(`${a.package}@${a.version}`);
    if (p) nestedAddons.set(p.location, [...(nestedAddons.get(p.location) ?? []), a]);
    else standaloneAddons.push(a);
  }

  const library = (name: string, version: string, extra: Json): Json => {
    const { group, name: base } = splitName(name);
    return { type: 'library', ...extra, ...(group ? { group } : {}), name: base, version, purl: npmPurl(name, version) };
  };
  const treeComponents = [...input.packages]
    .sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0))
    .map((p) => {
      const hashes = integrityHashes(p.integrity);
      const licenses = licenseChoice(p.license);
      const nested = (nestedAddons.get(p.location) ?? []).flatMap(addonFiles);
      return {
        ...library(p.name, p.version, { 'bom-ref': packageRef(p.location) }),
        ...(hashes.length ? { hashes } : {}),
        ...(licenses.length ? { licenses } : {}),
        properties: [
          { name: 'cdx:npm:package:path', value: p.location },
          { name: 'svcpack:embedded', value: p.embedded ?? 'tree' },
        ],
        ...(nested.length ? { components: nested } : {}),
      };
    });
  const addonComponents = standaloneAddons.map((a) => ({
    ...library(a.package, a.version, { 'bom-ref': addonRef(a) }),
    description: 'native addon embedded in the exe (its package is not in the embedded dependency tree)',
    components: addonFiles(a),
  }));
  const node: Json = {
    type: 'platform',
    'bom-ref': NODE_REF,
    name: 'node',
    version: input.node.version,
    description:
      input.node.target === 'linux-x64'
        ? 'Node.js runtime (linux-x64): the executable is this node with the app added'
        : 'Node.js runtime (win-x64): the exe is this node.exe with the app added',
    ...(input.node.sha256 ? { hashes: [{ alg: 'SHA-256', content: input.node.sha256 }] } : {}),
    licenses: [{ license: { id: 'MIT' } }],
    cpe: `cpe:2.3:a:nodejs:node.js:${input.node.version}:*:*:*:*:*:*:*`,
    purl: `pkg:generic/node@${purlSegment(input.node.version)}`,
  };
  const svcpack: Json = {
    ...library('svcpack', input.svcpackVersion, { 'bom-ref': SVCPACK_REF }),
    description: "svcpack's runtime (service host, Windows service control), compiled into the exe",
    licenses: [{ license: { id: 'MIT' } }],
  };
  const koffi: Json = {
    ...library('koffi', input.koffi.version, { 'bom-ref': KOFFI_REF }),
    description: "svcpack's bridge to the Win32 API, compiled into the exe",
    licenses: [{ license: { id: 'MIT' } }],
    components: [{ type: 'file', 'bom-ref': `${KOFFI_REF}/koffi.node`, name: 'win32_x64/koffi.node', hashes: [{ alg: 'SHA-256', content: input.koffi.sha256 }] }],
  };

  const locations = new Set(input.packages.map((p) => p.location));
  const edges = input.edges ?? new Map<string, readonly string[]>();
  const refs = (list: readonly string[] | undefined): string[] => (list ?? []).filter((l) => locations.has(l)).map(packageRef);
  const dependencies: Json[] = [
    { ref: exeRef, dependsOn: [...refs(edges.get('')), ...standaloneAddons.map(addonRef), NODE_REF, SVCPACK_REF, KOFFI_REF] },
    ...treeComponents.map((c) => {
      const location = c.properties[0]!.value;
      return { ref: packageRef(location), dependsOn: refs(edges.get(location)) };
    }),
    ...standaloneAddons.map((a) => ({ ref: addonRef(a), dependsOn: [] })),
    { ref: NODE_REF, dependsOn: [] },
    { ref: SVCPACK_REF, dependsOn: [KOFFI_REF] },
    { ref: KOFFI_REF, dependsOn: [] },
  ];

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: sbomSerialNumber(input.exe.sha256),
    version: 1,
    metadata: {
      timestamp: input.timestamp.toISOString().replace(/\.000Z$/, 'Z'),
      tools: { components: [{ type: 'application', name: 'svcpack', version: input.svcpackVersion, purl: npmPurl('svcpack', input.svcpackVersion) }] },
      component: {
        type: 'application',
        'bom-ref': exeRef,
        ...(input.exe.company ? { supplier: { name: input.exe.company } } : {}),
        name: input.exe.name,
        version: input.exe.version,
        ...(input.exe.description ? { description: input.exe.description } : {}),
        hashes: [{ alg: 'SHA-256', content: input.exe.sha256 }],
        properties: [{ name: 'svcpack:file', value: `${input.exe.name}.exe` }],
      },
    },
    components: [...treeComponents, ...addonComponents, node, svcpack, koffi],
    dependencies,
  };
}
