/**
 * Real Authenticode signatures for tests: throwaway self-signed certificates made with `openssl`
 * (test/sign/pki.ts) and PE files signed with `osslsigncode` (both required, like Wine for the e2e
 * tests: a missing tool fails the test with the apt-get line, it never skips). Also a minimal
 * PE32+ image, so most verifier tests need no node.exe.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPeLayout } from '../../src/pe/pe-layout';
import { requireTool, selfSignedCert } from '../sign/pki';

/**
 * A minimal PE32+ console image: headers (0x200 bytes) and one 0x200-byte .text section holding
 * `ret`, then `trailing` zero bytes of overlay (to make lengths that are not a multiple of 8).
 */
export function minimalPe(trailing = 0): Buffer {
  const b = Buffer.alloc(0x400 + trailing);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x40, 0x3c);
  const pe = 0x40;
  b.writeUInt32LE(0x4550, pe); // PE\0\0
  b.writeUInt16LE(0x8664, pe + 4); // x64
  b.writeUInt16LE(1, pe + 6); // one section
  b.writeUInt16LE(240, pe + 20); // SizeOfOptionalHeader
  b.writeUInt16LE(0x22, pe + 22); // executable, large address aware
  const o = pe + 24;
  b.writeUInt16LE(0x20b, o); // PE32+
  b.writeUInt32LE(0x200, o + 4); // SizeOfCode
  b.writeUInt32LE(0x1000, o + 16); // AddressOfEntryPoint
  b.writeUInt32LE(0x1000, o + 20); // BaseOfCode
  b.writeBigUInt64LE(0x140000000n, o + 24); // ImageBase
  b.writeUInt32LE(0x1000, o + 32); // SectionAlignment
  b.writeUInt32LE(0x200, o + 36); // FileAlignment
  b.writeUInt16LE(6, o + 40); // OS version
  b.writeUInt16LE(6, o + 48); // subsystem version
  b.writeUInt32LE(0x2000, o + 56); // SizeOfImage
  b.writeUInt32LE(0x200, o + 60); // SizeOfHeaders
  b.writeUInt16LE(3, o + 68); // console subsystem
  b.writeBigUInt64LE(0x100000n, o + 72);
  b.writeBigUInt64LE(0x1000n, o + 80);
  b.writeBigUInt64LE(0x100000n, o + 88);
  b.writeBigUInt64LE(0x1000n, o + 96);
  b.writeUInt32LE(16, o + 108); // NumberOfRvaAndSizes
  const s = o + 240;
  b.write('.text', s, 'latin1');
  b.writeUInt32LE(0x10, s + 8);
  b.writeUInt32LE(0x1000, s + 12);
  b.writeUInt32LE(0x200, s + 16);
  b.writeUInt32LE(0x200, s + 20);
  b.writeUInt32LE(0x60000020, s + 36); // code, execute, read
  b[0x200] = 0xc3; // ret
  return b;
}

export interface TestCert {
  cert: string;
  key: string;
  subject: string;
}

/** A folder of throwaway keys and files; `remove()` deletes it. */
export class SigningLab {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-sig-'));
  private count = 0;

  /** A self-signed certificate (30 days) with the given extended key usage. */
  cert(kind: 'rsa' | 'ec', subject: string, eku: 'codeSigning' | 'timeStamping' = 'codeSigning'): TestCert {
    const n = this.count++;
    const usage = eku === 'timeStamping' ? 'critical,timeStamping' : 'codeSigning';
    const files = selfSignedCert(this.dir, { cert: `c${n}.pem`, key: `c${n}.key` }, { subject, keyType: kind, extensions: [`extendedKeyUsage=${usage}`] });
    return { ...files, subject };
  }

  /** `exe` signed by `signer` with osslsigncode; `tsa` adds an RFC 3161 timestamp made locally at `time` (s). */
  sign(
    exe: Uint8Array,
    signer: TestCert,
    opts: { hash?: 'sha1' | 'sha256' | 'sha384' | 'sha512'; description?: string; url?: string; tsa?: { cert: TestCert; time: number } } = {},
  ): Buffer {
    const input = path.join(this.dir, `in${this.count}.exe`);
    const output = path.join(this.dir, `out${this.count++}.exe`);
    fs.writeFileSync(input, exe);
    const args = ['sign', '-certs', signer.cert, '-key', signer.key, '-h', opts.hash ?? 'sha256'];
    if (opts.description) args.push('-n', opts.description);
    if (opts.url) args.push('-i', opts.url);
    if (opts.tsa) args.push('-TSA-certs', opts.tsa.cert.cert, '-TSA-key', opts.tsa.cert.key, '-TSA-time', String(opts.tsa.time));
    execFileSync(requireTool('osslsigncode'), [...args, '-in', input, '-out', output], { stdio: 'pipe' });
    return fs.readFileSync(output);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The certificate table (data directory 4) of a signed PE: file offset and size. */
export function certTable(exe: Uint8Array): { offset: number; size: number } {
  const table = readPeLayout(exe).certTable;
  if (!table) throw new Error('the PE has no certificate table');
  return table;
}

/** A copy of `bytes` with the byte at `offset` XOR `mask`. */
export function flipped(bytes: Uint8Array, offset: number, mask = 0x01): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset]! ^= mask;
  return copy;
}
