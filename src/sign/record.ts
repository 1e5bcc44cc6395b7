/**
 * What a signature is recorded as: `signature` in `<Name>.build.json`, in `svcpack sign --json`
 * and in the API's SignResult. Made from the verified signature itself (what Windows will show),
 * not from the options. No password, and no key path: only the certificate file's base name.
 */
import path from 'node:path';
import type { SignatureInfo } from '../inspect/authenticode';
import type { SignatureRecord } from '../emit/build-record';
import type { SignPlan } from './validate';

export type { SignatureRecord };

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
