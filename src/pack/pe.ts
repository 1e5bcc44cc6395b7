/**
 * The one resource pass over node.exe (docs/architecture.md, The stages of a build): SEA blob, SEA
 * fuse, VERSIONINFO, icon, the Event Log message table and the svcpack manifest (manifest.ts) are
 * written together, the Node project's now-invalid Authenticode signature is dropped and the PE
 * checksum recomputed. resedit builds the resource directory; pe-image.ts writes the image. Pure
 * over buffers; callers do the file I/O.
 */
import * as ResEdit from 'resedit';
import { failure } from '../errors';
import { encodeManifest, MANIFEST_RESOURCE_NAME, type ExeManifest } from './manifest';
import { assemblePe, prepareBase, type PeBaseLayout } from '../pe/pe-base';
import { PeImage, toArrayBuffer, type ImageOrigin } from '../pe/pe-image';
import { eventMessageTable, MESSAGE_TABLE_ID, MESSAGE_TABLE_LANG, RT_MESSAGETABLE } from './message-table';
import type { VersionInfoTable } from './version-info';

const RT_RCDATA = 10;
/** The SEA fuse Node looks for; `:0` → `:1` tells node.exe a blob is present. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const SEA_RESOURCE_NAME = 'NODE_SEA_BLOB';

export interface PeEdits {
  /** SEA preparation blob to embed; omitted when the exe already carries one (pkg packer). */
  seaBlob?: Uint8Array;
  /** Rewrites the blob the exe already carries (pkg packer); null keeps it unchanged. */
  rewriteSeaBlob?: (blob: Uint8Array) => Uint8Array | null;
  /**
   * COFF header TimeDateStamp, seconds since 1970 (from SOURCE_DATE_EPOCH); default: node.exe's
   * own, fixed for each Node.js release.
   */
  timeDateStamp?: number;
  versionInfo: VersionInfoTable;
  /** Contents of an .ico file replacing node.exe's icon. */
  icon?: Uint8Array;
  /** Written as the RT_RCDATA resource SVCPACK_MANIFEST (manifest.ts), replacing any the exe had. */
  manifest?: ExeManifest;
}

/** Flips the SEA fuse in place. Fails if the fuse is absent (not a SEA-capable node.exe). */
export function flipSeaFuse(exe: Buffer): void {
  const off = exe.indexOf(`${SEA_FUSE}:0`, 0, 'latin1');
  if (off < 0) {
    if (exe.indexOf(`${SEA_FUSE}:1`, 0, 'latin1') >= 0) return;
    throw failure('PACK_FAILED', 'node.exe has no SEA fuse', 'use an official Node.js 22+ win-x64 build');
  }
  exe[off + SEA_FUSE.length + 1] = 0x31;
}

/** Sets the COFF header's TimeDateStamp (seconds since 1970, a DWORD) in place. */
function setTimeDateStamp(exe: Buffer, seconds: number): void {
  exe.writeUInt32LE(seconds, exe.readUInt32LE(0x3c) + 8);
}

/**
 * Applies every edit to a copy of `nodeExe` and returns the new executable. Every exe also gets
 * svcpack's message table (message-table.ts), replacing any it had: the exe is its own Event Log
 * message file. With a SEA blob the exe is its base ({@link prepareExecutableBase}) and the blob
 * (pe/pe-base.ts). `origin` names the image in errors (default: node.exe).
 */
export function editExecutable(nodeExe: Uint8Array, edits: PeEdits, origin?: ImageOrigin): Buffer {
  if (!edits.seaBlob) return writeResources(nodeExe, edits, origin);
  const { image, layout } = prepareExecutableBase(nodeExe, edits, origin);
  return assemblePe(image, layout, edits.seaBlob);
}

/** The edits a base carries: everything but the blob. */
export type BaseEdits = Omit<PeEdits, 'seaBlob' | 'rewriteSeaBlob'>;

/**
 * `nodeExe` with every edit but the blob: the SEA fuse flipped and an empty NODE_SEA_BLOB resource
 * at the end of the resource section, where {@link assemblePe} (or pack/assemble.ts, on files) puts
 * a blob. The same for every app built with the same settings: build.ts keeps it in the cache.
 */
export function prepareExecutableBase(nodeExe: Uint8Array, edits: BaseEdits, origin?: ImageOrigin): { image: Buffer; layout: PeBaseLayout } {
  const image = writeResources(nodeExe, { ...edits, seaBlob: new Uint8Array(0) }, origin);
  return { image, layout: prepareBase(image, { type: RT_RCDATA, name: SEA_RESOURCE_NAME }) };
}

function writeResources(nodeExe: Uint8Array, edits: PeEdits, origin?: ImageOrigin): Buffer {
  const exe = PeImage.parse(nodeExe, origin);
  const res = exe.resources();

  if (edits.seaBlob) {
    res.entries = res.entries.filter((e) => !(e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME));
    res.entries.push({ type: RT_RCDATA, id: SEA_RESOURCE_NAME, lang: 0, codepage: 0, bin: toArrayBuffer(edits.seaBlob) });
  } else if (edits.rewriteSeaBlob) {
    const entry = res.entries.find((e) => e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME);
    const rewritten = entry ? edits.rewriteSeaBlob(new Uint8Array(entry.bin)) : null;
    if (entry && rewritten) entry.bin = toArrayBuffer(rewritten);
  }

  writeVersionInfo(res, edits.versionInfo);
  if (edits.icon) writeIcon(res, edits.icon);
  res.entries = res.entries.filter((e) => e.type !== RT_MESSAGETABLE);
  res.entries.push({
    type: RT_MESSAGETABLE,
    id: MESSAGE_TABLE_ID,
    lang: MESSAGE_TABLE_LANG,
    codepage: 0,
    bin: toArrayBuffer(eventMessageTable()),
  });
  if (edits.manifest) {
    res.entries = res.entries.filter((e) => !(e.type === RT_RCDATA && e.id === MANIFEST_RESOURCE_NAME));
    res.entries.push({ type: RT_RCDATA, id: MANIFEST_RESOURCE_NAME, lang: 0, codepage: 0, bin: toArrayBuffer(encodeManifest(edits.manifest)) });
  }

  exe.setResources(res);
  // generate() drops the certificate table and recomputes the PE checksum (after these patches).
  return exe.generate((image) => {
    if (edits.seaBlob) flipSeaFuse(image);
    if (edits.timeDateStamp !== undefined) setTimeDateStamp(image, edits.timeDateStamp);
  });
}

function writeVersionInfo(res: ResEdit.NtExecutableResource, table: VersionInfoTable): void {
  const [a, b, c, d] = table.version;
  res.entries = res.entries.filter((e) => e.type !== 16);
  const vi = ResEdit.Resource.VersionInfo.create(
    table.lang,
    {
      fileVersionMS: (a << 16) | b,
      fileVersionLS: (c << 16) | d,
      productVersionMS: (a << 16) | b,
      productVersionLS: (c << 16) | d,
      fileFlagsMask: 0x3f,
      fileOS: 0x40004, // VOS_NT_WINDOWS32
      fileType: 1, // VFT_APP
    },
    [{ lang: table.lang, codepage: table.codepage, values: { ...table.strings } }],
  );
  vi.outputToResourceEntries(res.entries);
}

function writeIcon(res: ResEdit.NtExecutableResource, ico: Uint8Array): void {
  const iconFile = ResEdit.Data.IconFile.from(toArrayBuffer(ico));
  const groups = ResEdit.Resource.IconGroupEntry.fromEntries(res.entries);
  const first = groups[0];
  ResEdit.Resource.IconGroupEntry.replaceIconsForResource(
    res.entries,
    first?.id ?? 1,
    first?.lang ?? 1033,
    iconFile.icons.map((i) => i.data),
  );
}
