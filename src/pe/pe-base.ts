/**
 * An executable made of a prepared base and a payload: the base is a complete PE image whose
 * resource section ends with an empty resource (the SEA blob's, in svcpack) pointed at the section's
 * end; the payload goes there. Only the fields the payload's length changes are rewritten — the
 * resource section's sizes, the .reloc section that follows it, SizeOfImage, SizeOfInitializedData,
 * the resource's own size and the checksum — so the base's bytes can be copied as they are, by the
 * kernel (`copy_file_range`), and its checksum sum is computed once (checksum.ts).
 *
 *   base:      [headers … .rsrc: directory + other resources][pad][.reloc][overlay]
 *   assembled: [headers … .rsrc: directory + other resources][payload][pad][.reloc][overlay]
 *                                                            ^ payloadOffset (16-aligned)
 *
 * The payload is part of the resource section, so resource readers (resedit, `svcpack inspect`,
 * Windows' LoadResource) see an ordinary resource. Pure over buffers; pack/assemble.ts does the
 * file I/O.
 */
import { failure } from '../errors';
import { foldChecksum, onesSum } from './checksum';
import { IMAGE_DIRECTORY_ENTRY_BASERELOC, IMAGE_DIRECTORY_ENTRY_RESOURCE, IMAGE_SCN_CNT_INITIALIZED_DATA, roundUp } from './pe-format';

const PAYLOAD_ALIGNMENT = 16;

/** Where a base's payload goes and which of its fields depend on the payload's length (file offsets). */
export interface PeBaseLayout {
  /** Bytes of the base before the payload: the payload's file offset. */
  payloadOffset: number;
  /** The base's bytes after its resource section (.reloc, any overlay): where they start in the base, and how many. */
  tailOffset: number;
  tailLength: number;
  fileAlignment: number;
  sectionAlignment: number;
  resource: {
    /** RVA and file offset of the section. */
    rva: number;
    raw: number;
    /** The section's size without the payload (payloadOffset − raw). */
    size: number;
    initialized: boolean;
  };
  /** The .reloc section after the resources, if any: its sizes (they do not change). */
  reloc?: { virtualSize: number };
  /** SizeOfInitializedData less the resource section's raw size. */
  initializedBesides: number;
  fields: {
    resourceVirtualSize: number;
    resourceRawSize: number;
    resourceDirSize: number;
    relocRva?: number;
    relocRaw?: number;
    relocDirRva?: number;
    sizeOfImage: number;
    sizeOfInitializedData: number;
    checksum: number;
    /** The payload resource's IMAGE_RESOURCE_DATA_ENTRY Size. */
    payloadSize: number;
  };
  /** onesSum of the base's bytes before the payload, every field above counted as 0. */
  headSum: number;
  /** onesSum of the tail (it always starts at an even offset). */
  tailSum: number;
}

/** Where a resource is in a PE image's resource directory: its type ID and its name. */
export interface ResourceName {
  type: number;
  name: string;
}

/**
 * Reads `image` (complete, with the resource `payload` of length 0) as a base: points that
 * resource at the end of the resource section and returns the layout. Changes `image` in place (the
 * resource's RVA). Throws PACK_FAILED when the image has no such resource or its resource section
 * is not where pe-image.ts puts it (last but for .reloc).
 */
export function prepareBase(image: Buffer, payload: ResourceName): PeBaseLayout {
  const bad = (what: string): never => {
    throw failure('PACK_FAILED', `cannot prepare node.exe for its payload: ${what}`, 'use an official Node.js win-x64 build');
  };
  const peOffset = image.readUInt32LE(0x3c);
  const sectionCount = image.readUInt16LE(peOffset + 6);
  const optional = peOffset + 24;
  const magic = image.readUInt16LE(optional);
  const dataDirs = optional + (magic === 0x20b ? 112 : 96);
  const table = optional + image.readUInt16LE(peOffset + 20);
  const sections = Array.from({ length: sectionCount }, (_, i) => {
    const at = table + i * 40;
    return { at, rva: image.readUInt32LE(at + 12), virtualSize: image.readUInt32LE(at + 8), rawSize: image.readUInt32LE(at + 16), raw: image.readUInt32LE(at + 20), characteristics: image.readUInt32LE(at + 36) };
  });
  const resourceRva = image.readUInt32LE(dataDirs + IMAGE_DIRECTORY_ENTRY_RESOURCE * 8);
  const rsrc = sections.find((s) => s.rva === resourceRva) ?? bad('no resource section');
  const relocRva = image.readUInt32LE(dataDirs + IMAGE_DIRECTORY_ENTRY_BASERELOC * 8);
  const after = sections.filter((s) => s.rva > rsrc.rva);
  const reloc = after.find((s) => s.rva === relocRva);
  if (after.length > (reloc ? 1 : 0) || sections.some((s) => s.raw > rsrc.raw && s !== reloc)) bad('sections after the resources other than .reloc');
  if (reloc && reloc.raw !== rsrc.raw + rsrc.rawSize) bad('.reloc does not follow the resources');

  const size = roundUp(rsrc.virtualSize, PAYLOAD_ALIGNMENT);
  const payloadOffset = rsrc.raw + size;
  if (size > rsrc.rawSize) bad('the resource section is shorter than its size');
  const entry = findDataEntry(image, rsrc.raw, payload) ?? bad(`no ${payload.name} resource`);
  image.writeUInt32LE(rsrc.rva + size, entry); // OffsetToData: the payload's RVA

  const fileAlignment = image.readUInt32LE(optional + 36);
  const initialized = (rsrc.characteristics & IMAGE_SCN_CNT_INITIALIZED_DATA) !== 0;
  const fields: PeBaseLayout['fields'] = {
    resourceVirtualSize: rsrc.at + 8,
    resourceRawSize: rsrc.at + 16,
    resourceDirSize: dataDirs + IMAGE_DIRECTORY_ENTRY_RESOURCE * 8 + 4,
    ...(reloc ? { relocRva: reloc.at + 12, relocRaw: reloc.at + 20, relocDirRva: dataDirs + IMAGE_DIRECTORY_ENTRY_BASERELOC * 8 } : {}),
    sizeOfImage: optional + 56,
    sizeOfInitializedData: optional + 8,
    checksum: optional + 64,
    payloadSize: entry + 4,
  };
  const head = image.subarray(0, payloadOffset);
  let headSum = onesSum(head);
  for (const offset of Object.values(fields)) headSum -= onesSum(image.subarray(offset, offset + 4), offset);
  const tailOffset = rsrc.raw + rsrc.rawSize;
  return {
    payloadOffset,
    tailOffset,
    tailLength: image.byteLength - tailOffset,
    fileAlignment,
    sectionAlignment: image.readUInt32LE(optional + 32),
    resource: { rva: rsrc.rva, raw: rsrc.raw, size, initialized },
    ...(reloc ? { reloc: { virtualSize: reloc.virtualSize } } : {}),
    initializedBesides: image.readUInt32LE(optional + 8) - (initialized ? rsrc.rawSize : 0),
    fields,
    headSum: ((headSum % 0xffff) + 0xffff) % 0xffff,
    tailSum: onesSum(image.subarray(tailOffset)),
  };
}

/** One 32-bit little-endian field to write into the assembled image. */
export interface FieldPatch {
  offset: number;
  value: number;
}

/** What assembling `layout`'s base with a payload of `payloadLength` bytes and onesSum `payloadSum` gives. */
export interface Assembly {
  /** The assembled file's length. */
  length: number;
  /** Where the tail goes (after the payload and its padding). */
  tailOffset: number;
  /** Every field to write over the base's bytes, the checksum last. */
  patches: FieldPatch[];
}

/** The fields and length of the base of `layout` with a payload (pure; see {@link assemblePe}). */
export function assembly(layout: PeBaseLayout, payloadLength: number, payloadSum: number): Assembly {
  const { resource, fields } = layout;
  const virtualSize = resource.size + payloadLength;
  const rawSize = roundUp(virtualSize, layout.fileAlignment);
  const patches: FieldPatch[] = [
    { offset: fields.resourceVirtualSize, value: virtualSize },
    { offset: fields.resourceRawSize, value: rawSize },
    { offset: fields.resourceDirSize, value: virtualSize },
    { offset: fields.payloadSize, value: payloadLength },
    { offset: fields.sizeOfInitializedData, value: layout.initializedBesides + (resource.initialized ? rawSize : 0) },
  ];
  let imageEnd = resource.rva + virtualSize;
  if (layout.reloc && fields.relocRva !== undefined && fields.relocRaw !== undefined && fields.relocDirRva !== undefined) {
    const relocRva = roundUp(imageEnd, layout.sectionAlignment);
    patches.push({ offset: fields.relocRva, value: relocRva }, { offset: fields.relocRaw, value: resource.raw + rawSize }, { offset: fields.relocDirRva, value: relocRva });
    imageEnd = relocRva + layout.reloc.virtualSize;
  }
  patches.push({ offset: fields.sizeOfImage, value: roundUp(imageEnd, layout.sectionAlignment) });
  const length = resource.raw + rawSize + layout.tailLength;
  let sum = layout.headSum + layout.tailSum + (layout.payloadOffset % 2 === 0 ? payloadSum : (payloadSum * 256) % 0xffff);
  for (const p of patches) sum += onesSum(le32(p.value), p.offset);
  patches.push({ offset: fields.checksum, value: foldChecksum(sum, length) });
  return { length, tailOffset: resource.raw + rawSize, patches };
}

/** The base `base` (of `layout`) with `payload`, in memory. */
export function assemblePe(base: Uint8Array, layout: PeBaseLayout, payload: Uint8Array): Buffer {
  const plan = assembly(layout, payload.byteLength, onesSum(payload, layout.payloadOffset));
  const out = Buffer.alloc(plan.length);
  out.set(base.subarray(0, layout.payloadOffset), 0);
  out.set(payload, layout.payloadOffset);
  out.set(base.subarray(layout.tailOffset, layout.tailOffset + layout.tailLength), plan.tailOffset);
  for (const p of plan.patches) out.writeUInt32LE(p.value, p.offset);
  return out;
}

/**
 * The file offset of the IMAGE_RESOURCE_DATA_ENTRY of `which` (type by ID, name by string, the
 * first language) in the resource directory at file offset `raw`; undefined if absent.
 */
function findDataEntry(image: Buffer, raw: number, which: ResourceName): number | undefined {
  const entries = (dir: number) => {
    const named = image.readUInt16LE(raw + dir + 12);
    const ids = image.readUInt16LE(raw + dir + 14);
    return Array.from({ length: named + ids }, (_, i) => {
      const at = raw + dir + 16 + i * 8;
      return { name: image.readUInt32LE(at), target: image.readUInt32LE(at + 4) };
    });
  };
  const nameOf = (name: number): string | number => {
    if ((name & 0x80000000) === 0) return name;
    const at = raw + (name & 0x7fffffff);
    return image.toString('utf16le', at + 2, at + 2 + image.readUInt16LE(at) * 2);
  };
  const subdir = (target: number) => ((target & 0x80000000) !== 0 ? target & 0x7fffffff : undefined);
  const type = entries(0).find((e) => nameOf(e.name) === which.type);
  const typeDir = type && subdir(type.target);
  if (typeDir === undefined) return undefined;
  const named = entries(typeDir).find((e) => nameOf(e.name) === which.name);
  const langDir = named && subdir(named.target);
  if (langDir === undefined) return undefined;
  const lang = entries(langDir)[0];
  if (!lang || subdir(lang.target) !== undefined) return undefined;
  return raw + lang.target;
}

/** `value` as 4 little-endian bytes. */
export function le32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
}

