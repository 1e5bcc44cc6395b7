/** The PE format's numbers the image writer, the base and the layout reader share (winnt.h names). */

/** Data directory entries: the resource table, the certificate table, the base relocations. */
export const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;
export const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;
export const IMAGE_DIRECTORY_ENTRY_BASERELOC = 5;
/** A section header's size in bytes. */
export const SECTION_HEADER_SIZE = 40;
/** Section characteristics: the section holds initialized data. */
export const IMAGE_SCN_CNT_INITIALIZED_DATA = 0x40;

/** `value` rounded up to a multiple of `align`. */
export function roundUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
