/**
 * What kind of binary a `.node` file is, from its first bytes: only a PE DLL for x64 may go into
 * the exe. Everything else (the build machine's ELF, a Mach-O, a PE for ia32 or arm64, a PE
 * executable) fails the build with the file named, instead of being packed and failing at run
 * time on Windows.
 */
import { peMachine, PE_MACHINE } from '../../runtime/pe-check';

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
  if (b.length >= 4 && b.readUInt32BE(0) === 0x7f454c46) return 'a Linux (ELF) binary';
  const magic = b.length >= 4 ? b.readUInt32BE(0) : 0;
  if ([0xfeedfacf, 0xcffaedfe, 0xfeedface, 0xcefaedfe, 0xcafebabe].includes(magic)) return 'a macOS (Mach-O) binary';
  return 'not a Windows DLL';
}
