/**
 * What a signature is recorded as: `signature` in `<Name>.build.json`, in `svcpack sign --json`
 * and in the API's SignResult. Made from the verified signature itself (what Windows will show),
 * not from the options. No password, and no key path: only the certificate file's base name.
 */
import path from 'node:path';
import type { SignatureInfo } from '../inspect/authenticode';
import type { SignPlan } from './validate';

export interface SignatureRecord {
  /** What signed: osslsigncode, signtool, or the user's `--sign-command`. */
  tool: 'osslsigncode' | 'signtool' | 'command';
  /** Always 'valid': a signature that does not verify is never recorded (SIGN_VERIFY_FAILED). */
  status: 'valid';
  /** The Authenticode digest, e.g. 'sha256'. */
  digestAlgorithm: string;
  /** The signer certificate; dates ISO 8601, fingerprint lower-case hex SHA-256 of the certificate. */
  signer: { subject: string; issuer: string; serialNumber: string; notBefore: string; notAfter: string; sha256Fingerprint: string };
  /** Base name of the `--pfx` or `--cert` file; null for a sign command. */
  certificateFile: string | null;
  /** The description (program name) and URL in the signature, null when it has none. */
  description: string | null;
  url: string | null;
  /** The RFC 3161 timestamp: the server asked (null for a sign command) and the time it certified; null when unstamped. */
  timestamp: { url: string | null; time: string } | null;
  /** Warnings printed while signing (e.g. signed without a timestamp). */
  warnings: string[];
}

/** The record of a verified (status 'valid') signature made by `plan` (pure). */
export function signatureRecord(info: SignatureInfo, plan: SignPlan, warnings: string[]): SignatureRecord {
  if (info.status !== 'valid' || !info.signer || !info.digestAlgorithm) throw new Error('signatureRecord needs a verified signature');
  return {
    tool: plan.tool,
    status: 'valid',
    digestAlgorithm: info.digestAlgorithm,
    signer: { ...info.signer },
    certificateFile: plan.tool === 'command' ? null : path.basename(plan.credential.kind === 'pfx' ? plan.credential.pfx : plan.credential.cert),
    description: info.description ?? null,
    url: info.url ?? null,
    timestamp: info.timestamp ? { url: plan.tool === 'command' ? null : (plan.timestampUrl ?? null), time: info.timestamp.time } : null,
    warnings,
  };
}
