import { open } from 'node:fs/promises';
import * as ResEdit from 'resedit';
import { PeImage } from '../pe/pe-image';

/** IMAGE_FILE_HEADER.Machine values of the Windows targets svcpack builds for. */
export const PE_MACHINE = { x64: 0x8664, arm64: 0xaa64 } as const;
export type WinArch = keyof typeof PE_MACHINE;

/**
 * The PE machine type of `head` (the first bytes of a file; 4 KiB is plenty), or undefined when
 * it is not a PE image (no `MZ`, or no `PE\0\0` at e_lfanew).
 */
export function peMachine(head: Uint8Array): number | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length < 0x40 || b[0] !== 0x4d || b[1] !== 0x5a) return undefined; // 'MZ'
  const peOff = b.readUInt32LE(0x3c);
  if (peOff + 6 > b.length) return undefined;
  if (b.readUInt32LE(peOff) !== 0x00004550) return undefined; // 'PE\0\0'
  return b.readUInt16LE(peOff + 4);
}

/** True when `head` starts a Windows PE image for `arch` (default x64, machine 0x8664). */
export function isWindowsPe(head: Uint8Array, arch: WinArch = 'x64'): boolean {
  return peMachine(head) === PE_MACHINE[arch];
}

/** Reads the first 4 KiB of `file` and checks it with {@link isWindowsPe}. Rejects if unreadable. */
export async function isWindowsPeFile(file: string, arch: WinArch = 'x64'): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return isWindowsPe(head.subarray(0, bytesRead), arch);
  } finally {
    await fh.close();
  }
}

/**
 * The `x.y.z` version recorded in a PE's VERSIONINFO resource, read without running it:
 * ProductVersion string, else FileVersion string, else the fixed-info product version.
 * Undefined when the image has no VERSIONINFO or no parsable version.
 */
export function readPeVersion(image: Uint8Array): string | undefined {
  // PeImage reads the resource section in place; resedit's NtExecutable.from would copy every
  // section of the 90 MB node.exe first (≈ 55 ms instead of ≈ 1 ms).
  for (const vi of ResEdit.Resource.VersionInfo.fromEntries(PeImage.parse(image).resources().entries)) {
    for (const lang of vi.getAllLanguagesForStringValues()) {
      const strings = vi.getStringValues(lang);
      for (const key of ['ProductVersion', 'FileVersion']) {
        const m = /^\s*v?(\d+)[.,]\s*(\d+)[.,]\s*(\d+)/.exec(strings[key] ?? '');
        if (m) return `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}`;
      }
    }
    const f = vi.fixedInfo;
    if (f.productVersionMS || f.productVersionLS) {
      return `${f.productVersionMS >>> 16}.${f.productVersionMS & 0xffff}.${f.productVersionLS >>> 16}`;
    }
  }
  return undefined;
}
