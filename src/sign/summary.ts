/** What `svcpack sign` prints on stdout, and the signature line of the build summary (pure). */
import path from 'node:path';
import type { SignatureRecord } from './record';
import type { SignResult } from './sign-file';

/** `CN=Example Ltd (valid until 2027-06-30), sha256, timestamp 2026-11-22T12:52:44Z` — one line. */
export function describeSignature(signature: SignatureRecord): string {
  const timestamp = signature.timestamp ? `timestamp ${signature.timestamp.time.replace(/\.000Z$/, 'Z')}` : 'no timestamp';
  return `${signature.signer.subject} (valid until ${signature.signer.notAfter.slice(0, 10)}), ${signature.digestAlgorithm}, ${timestamp}`;
}

/** The summary after `svcpack sign` (warnings are printed on stderr as they happen, not here). */
export function formatSignSummary(result: SignResult, cwd = process.cwd()): string {
  const shown = (file: string) => path.relative(cwd, file) || file;
  const { signature } = result;
  return [
    `Signed ${shown(result.file)} with ${signature.tool === 'command' ? 'the sign command' : signature.tool}, verified`,
    `  signer: ${signature.signer.subject} (issuer ${signature.signer.issuer}, valid ${signature.signer.notBefore.slice(0, 10)} to ${signature.signer.notAfter.slice(0, 10)})`,
    `  digest: ${signature.digestAlgorithm}`,
    `  timestamp: ${signature.timestamp ? `${signature.timestamp.time}${signature.timestamp.url ? ` from ${signature.timestamp.url}` : ''}` : 'none'}`,
    ...(signature.description !== null ? [`  description: ${signature.description}`] : []),
    ...(signature.url !== null ? [`  url: ${signature.url}`] : []),
    `  sha256: ${result.sha256} (${result.bytes} bytes)`,
    result.buildRecord ? `  updated ${shown(result.buildRecord)}` : '  no build record next to the exe',
    '',
  ].join('\n');
}
