/**
 * `svcpack inspect`: what an exe is, read from the file alone — the svcpack manifest (what
 * svcpack built it with, the baked settings, the native addons), the version resources, the
 * embedded Node version, whether it is a Node single-executable application, the packages of the
 * dependency tree it embeds (the SEA asset `packages.json`), and its Authenticode signature. Any PE file
 * can be inspected, and a linux-x64 executable (ELF: manifest from its trailer, pack/elf.ts); files not
 * built by svcpack have `svcpack: null`. Secrets are never part of the
 * result: environment variable values are `"***"`, the alert URL is redacted (pack/manifest.ts
 * `shownBaked`).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import * as ResEdit from 'resedit';
import { decodePackagesAsset, PACKAGES_ASSET, type ExePackage } from '../bundle/embedded/packages-asset';
import { usageError } from '../errors';
import { decodeManifest, MANIFEST_RESOURCE_NAME, shownBaked, type ExeManifest } from '../pack/manifest';
import { SEA_FUSE, SEA_RESOURCE_NAME } from '../pack/pe';
import { verifyAuthenticode, type SignatureInfo } from './authenticode';
import { readPeLayout } from '../pe/pe-layout';
import { readSeaAssets } from './sea-assets';
import { isElf, readElfNote, readManifestTrailer } from '../pack/elf';

const RT_RCDATA = 10;

type ResourceEntry = ResEdit.NtExecutableResource['entries'][number];

export interface VersionInfoSummary {
  /** The fixed file version, four parts: `1.4.0.0`. */
  fileVersion: string;
  productVersion: string;
  /** The string table (en-US when there is one, else the first): CompanyName, FileDescription, ProductName… */
  strings: Record<string, string>;
}

export interface InspectResult {
  /** The path as given (or the label of {@link inspectBytes}). */
  file: string;
  /** A Windows PE (an exe), or an ELF file (a linux-x64 executable: no version resources, never signed). */
  format: 'pe' | 'elf';
  bytes: number;
  /** SHA-256 of the whole file, lower-case hex (the build record's `outputs[…].sha256` before signing). */
  sha256: string;
  /** The SVCPACK_MANIFEST resource; null: not built by svcpack. */
  svcpack: ExeManifest | null;
  /** The VERSIONINFO resource; null when the exe has none. */
  versionInfo: VersionInfoSummary | null;
  /** The embedded Node.js: from the manifest, or a node.exe's own VERSIONINFO; null when unknown (not a Node binary). */
  node: { version: string } | null;
  /** A Node single-executable application: NODE_SEA_BLOB resource present and the SEA fuse flipped. */
  sea: boolean;
  /**
   * The packages of the production dependency tree embedded in the exe (`--embed-dependencies`,
   * the default with the direct packer), sorted by location. Null when the exe carries no list:
   * built without the tree, with `--packer pkg`, by a svcpack that did not write the list, a
   * project without dependencies, or not built by svcpack.
   */
  packages: ExePackage[] | null;
  signature: SignatureInfo;
}

/**
 * Reads and inspects `exePath` (relative to `options.cwd`, default the current folder; the result
 * and errors name it as given). Missing file → FILE_NOT_FOUND, not a PE → NOT_AN_EXE (exit 2).
 */
export async function inspect(exePath: string, options: { cwd?: string } = {}): Promise<InspectResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.resolve(options.cwd ?? process.cwd(), exePath));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError('FILE_NOT_FOUND', `${exePath} does not exist`, 'pass the path of the .exe to inspect');
    if (code === 'EISDIR') throw usageError('NOT_AN_EXE', `${exePath} is a folder`, 'pass the path of the .exe to inspect');
    throw usageError('FILE_NOT_FOUND', `cannot read ${exePath} (${code ?? (err as Error).message})`, 'check the path and its permissions');
  }
  return inspectBytes(bytes, exePath);
}

/** Inspects the bytes of an exe (or a Linux executable); `file` names it in the result and in errors. Pure. */
export function inspectBytes(bytes: Uint8Array, file = 'the file'): InspectResult {
  if (isElf(bytes)) return inspectElf(bytes, file);
  readPeLayout(bytes, file); // NOT_AN_EXE unless a PE image
  const entries = resourceEntries(bytes);
  const manifestEntry = entries.find((e) => e.type === RT_RCDATA && e.id === MANIFEST_RESOURCE_NAME);
  // svcpack never writes secrets into the manifest, but a manifest is only data in a file: shown as svcpack shows settings.
  const manifest = manifestEntry ? shownBaked(decodeManifest(new Uint8Array(manifestEntry.bin), file)) : null;
  const versionInfo = readVersionInfo(entries);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hasFuse = (state: string) => buf.indexOf(`${SEA_FUSE}:${state}`, 0, 'latin1') >= 0;
  const fuseFlipped = hasFuse('1'); // each search scans up to the whole file (≈ 90 MB)
  const isNode = fuseFlipped || hasFuse('0');
  const seaEntry = entries.find((e) => e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME);
  return {
    file,
    format: 'pe',
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    svcpack: manifest,
    versionInfo,
    node: manifest ? { version: manifest.node.version } : isNode ? nodeVersionOf(versionInfo) : null,
    sea: fuseFlipped && seaEntry !== undefined,
    packages: seaEntry ? embeddedPackages(new Uint8Array(seaEntry.bin), file) : null,
    signature: verifyAuthenticode(bytes),
  };
}

/**
 * An ELF file: the svcpack manifest from the trailer after the ELF image (pack/elf.ts), the SEA
 * blob from its NODE_SEA_BLOB note. An ELF has no version resources and no Authenticode signature.
 */
function inspectElf(bytes: Uint8Array, file: string): InspectResult {
  const trailer = readManifestTrailer(bytes);
  const manifest = trailer ? shownBaked(decodeManifest(trailer, file)) : null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blob = readElfNote(bytes, SEA_RESOURCE_NAME);
  return {
    file,
    format: 'elf',
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    svcpack: manifest,
    versionInfo: null,
    node: manifest ? { version: manifest.node.version } : null,
    sea: blob !== undefined && buf.indexOf(`${SEA_FUSE}:1`, 0, 'latin1') >= 0,
    packages: blob ? embeddedPackages(blob, file) : null,
    signature: { status: 'unsigned' },
  };
}

/**
 * The package list in a SEA blob: the asset `packages.json`, or `packages.json.br` (Brotli) from a
 * `--compress` build; null when the blob has neither. A list that is not readable is BAD_MANIFEST.
 */
function embeddedPackages(blob: Uint8Array, file: string): ExePackage[] | null {
  const assets = readSeaAssets(blob);
  const plain = assets?.get(PACKAGES_ASSET);
  const compressed = assets?.get(`${PACKAGES_ASSET}.br`);
  if (!plain && !compressed) return null;
  try {
    return decodePackagesAsset(plain ?? zlib.brotliDecompressSync(compressed!));
  } catch (err) {
    throw usageError('BAD_MANIFEST', `the ${PACKAGES_ASSET} asset of ${file} is not readable (${(err as Error).message})`, 'the exe was altered, or built by a newer svcpack: upgrade svcpack');
  }
}

/** The resource entries of a PE; none when it has no (readable) resource section. */
function resourceEntries(bytes: Uint8Array): ResourceEntry[] {
  try {
    return ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(bytes, { ignoreCert: true })).entries;
  } catch {
    return [];
  }
}

function readVersionInfo(entries: ResourceEntry[]): VersionInfoSummary | null {
  const info = ResEdit.Resource.VersionInfo.fromEntries(entries)[0];
  if (!info) return null;
  const languages = info.getAllLanguagesForStringValues();
  const lang = languages.find((l) => l.lang === 1033) ?? languages[0];
  const f = info.fixedInfo;
  const dotted = (ms: number, ls: number) => [ms >>> 16, ms & 0xffff, ls >>> 16, ls & 0xffff].join('.');
  return {
    fileVersion: dotted(f.fileVersionMS, f.fileVersionLS),
    productVersion: dotted(f.productVersionMS, f.productVersionLS),
    strings: lang ? { ...info.getStringValues(lang) } : {},
  };
}

/** A node.exe's version from its own VERSIONINFO (ProductName "Node.js"); null for anything else. */
function nodeVersionOf(info: VersionInfoSummary | null): { version: string } | null {
  if (!info || info.strings.ProductName !== 'Node.js') return null;
  const m = /^v?(\d+\.\d+\.\d+)/.exec(info.strings.ProductVersion ?? '');
  return m?.[1] ? { version: m[1] } : null;
}
