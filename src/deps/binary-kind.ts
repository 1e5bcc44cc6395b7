/**
 * What kind of binary a `.node` file is, from its first bytes: only a PE DLL for x64 may go into
 * the exe. Everything else (the build machine's ELF, a Mach-O, a PE for ia32 or arm64, a PE
 * executable) fails the build with the file named, instead of being packed and failing at run
 * time on Windows.
 */
import { peMachine, PE_MACHINE } from '../runtime/pe-check';

const MACHINES: Record<number, string> = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32', 0x1c4: 'arm' };
const IMAGE_FILE_DLL = 0x2000;

/** null when `head` (the first KiB or more) starts a Windows x64 DLL; else what it is, for the error. */
export function notWindowsX64Dll(head: Uint8Array): string | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const machine = peMachine(b);
  if (machine !== undefined) {
    if (machine !== PE_MACHINE.x64) return `a Windows ${MACHINES[machine] ?? `machine 0x${machine.toString(16)}`} binary, not x64`;
    const characteristics = b.readUInt16LE(b.readUInt32LE(0x3c) + 22);
    return characteristics & IMAGE_FILE_DLL ? null : 'a Windows program, not a DLL';
  }
  return unixBinaryKind(head) ?? 'not a Windows DLL';
}

/** 'a Linux (ELF) binary' or 'a macOS (Mach-O) binary' when `head` starts one, else null. */
export function unixBinaryKind(head: Uint8Array): string | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const magic = b.length >= 4 ? b.readUInt32BE(0) : 0;
  if (magic === 0x7f454c46) return 'a Linux (ELF) binary';
  if ([0xfeedfacf, 0xcffaedfe, 0xfeedface, 0xcefaedfe, 0xcafebabe].includes(magic)) return 'a macOS (Mach-O) binary';
  return null;
}

/**
 * The DLL names a PE image imports (its import directory), lower-cased; [] when `image` has none
 * or is not a readable PE. Used to warn about addons that need the Visual C++ runtime.
 */
export function importedDlls(image: Uint8Array): string[] {
  const b = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  try {
    if (peMachine(b) === undefined) return [];
    const pe = b.readUInt32LE(0x3c);
    const sections = b.readUInt16LE(pe + 6);
    const optSize = b.readUInt16LE(pe + 20);
    const opt = pe + 24;
    const magic = b.readUInt16LE(opt);
    const dataDirs = opt + (magic === 0x20b ? 112 : 96);
    const importRva = b.readUInt32LE(dataDirs + 8);
    if (importRva === 0) return [];
    const table = opt + optSize;
    const toOffset = (rva: number): number => {
      for (let i = 0; i < sections; i++) {
        const s = table + i * 40;
        const va = b.readUInt32LE(s + 12);
        const size = Math.max(b.readUInt32LE(s + 8), b.readUInt32LE(s + 16));
        if (rva >= va && rva < va + size) return rva - va + b.readUInt32LE(s + 20);
      }
      throw new Error('rva outside sections');
    };
    const names: string[] = [];
    for (let d = toOffset(importRva); names.length < 512; d += 20) {
      const nameRva = b.readUInt32LE(d + 12);
      if (nameRva === 0) break;
      const at = toOffset(nameRva);
      names.push(b.subarray(at, b.indexOf(0, at)).toString('latin1').toLowerCase());
    }
    return names;
  } catch {
    return [];
  }
}

/** The Visual C++ runtime DLLs, which Node.js does not ship and a fresh Windows may lack. */
export const VC_RUNTIME_DLLS = ['vcruntime140.dll', 'vcruntime140_1.dll', 'msvcp140.dll', 'msvcp140_1.dll', 'msvcp140_2.dll', 'concrt140.dll'];
