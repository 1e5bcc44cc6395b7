/**
 * Where the parts Authenticode cares about are in a PE32/PE32+ image: the checksum field, the
 * certificate-table directory entry, the certificate table itself, the headers and the end of the
 * section data. Read-only and pure; a file that is not a PE image is a `NOT_AN_EXE` usage error.
 */
import { usageError } from '../errors';
import { IMAGE_DIRECTORY_ENTRY_SECURITY } from './pe-format';

export interface PeLayout {
  /** Offset of the optional header's CheckSum field (4 bytes). */
  checksumOffset: number;
  /** Offset of data directory entry 4, the certificate table's (8 bytes); undefined when the header has no such entry. */
  certDirOffset: number | undefined;
  /** The certificate table (file offset and size, from data directory 4); undefined when the entry is empty. */
  certTable: { offset: number; size: number } | undefined;
  /** SizeOfHeaders: the headers and section table, padded to the file alignment. */
  sizeOfHeaders: number;
  /** Offset just after the last section's raw data. */
  sectionsEnd: number;
}

/** Reads the layout of `image`; `label` names the file in the error when it is not a PE image. */
export function readPeLayout(image: Uint8Array, label = 'the file'): PeLayout {
  const notPe = (why: string) => usageError('NOT_AN_EXE', `${label} is not a Windows executable (${why})`, 'pass a .exe file');
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image.byteLength < 0x40 || view.getUint16(0, true) !== 0x5a4d) throw notPe('no MZ header');
  const peOffset = view.getUint32(0x3c, true);
  if (peOffset + 24 > image.byteLength || view.getUint32(peOffset, true) !== 0x00004550) throw notPe('no PE header');
  const sectionCount = view.getUint16(peOffset + 6, true);
  const optionalSize = view.getUint16(peOffset + 20, true);
  const optional = peOffset + 24;
  if (optional + optionalSize > image.byteLength || optionalSize < 2) throw notPe('truncated optional header');
  const magic = view.getUint16(optional, true);
  if (magic !== 0x10b && magic !== 0x20b) throw notPe(`optional header magic 0x${magic.toString(16)}`);
  const dirCountOffset = optional + (magic === 0x20b ? 108 : 92);
  if (dirCountOffset + 4 > optional + optionalSize) throw notPe('truncated optional header');
  const dirCount = view.getUint32(dirCountOffset, true);
  const dirs = dirCountOffset + 4;
  const certDirOffset =
    dirCount > IMAGE_DIRECTORY_ENTRY_SECURITY && dirs + (IMAGE_DIRECTORY_ENTRY_SECURITY + 1) * 8 <= optional + optionalSize
      ? dirs + IMAGE_DIRECTORY_ENTRY_SECURITY * 8
      : undefined;
  const table = optional + optionalSize;
  if (table + sectionCount * 40 > image.byteLength) throw notPe('truncated section table');
  let sectionsEnd = 0;
  for (let i = 0; i < sectionCount; i++) {
    const s = table + i * 40;
    const size = view.getUint32(s + 16, true);
    if (size > 0) sectionsEnd = Math.max(sectionsEnd, view.getUint32(s + 20, true) + size);
  }
  const certOffset = certDirOffset === undefined ? 0 : view.getUint32(certDirOffset, true);
  const certSize = certDirOffset === undefined ? 0 : view.getUint32(certDirOffset + 4, true);
  return {
    checksumOffset: optional + 64,
    certDirOffset,
    certTable: certSize > 0 ? { offset: certOffset, size: certSize } : undefined,
    sizeOfHeaders: view.getUint32(optional + 60, true),
    sectionsEnd,
  };
}
