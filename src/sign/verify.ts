/**
 * The checks around a signing run, done with svcpack's own Authenticode verifier
 * (inspect/authenticode.ts: integrity and the signer's signature, not the trust chain):
 * before, the input must be an unsigned PE file; after, the signed copy must verify and its
 * certificate must be valid now. Pure (bytes in, SignatureInfo or SvcpackError out).
 */
import { SvcpackError, failure, usageError } from '../errors';
import { verifyAuthenticode, type SignatureInfo } from '../inspect/authenticode';

/**
 * Throws SIGN_BAD_INPUT (exit 2) unless `exe` is a PE image without a signature. svcpack signs
 * only what it built (its output carries none: node.exe's stale signature is dropped); a signed
 * file would get a second, nested or replaced signature nobody asked for.
 */
export function checkUnsigned(exe: Uint8Array, label: string): void {
  let info: SignatureInfo;
  try {
    info = verifyAuthenticode(exe);
  } catch (err) {
    if (err instanceof SvcpackError) throw usageError('SIGN_BAD_INPUT', `${label} is not a Windows executable`, 'pass the .exe svcpack build wrote');
    throw err;
  }
  if (info.status !== 'unsigned') {
    const by = info.signer ? ` by ${info.signer.subject}` : '';
    throw usageError('SIGN_BAD_INPUT', `${label} is already signed${by}`, 'sign the unsigned exe from svcpack build (build again, then sign)');
  }
}

/**
 * Verifies the signed bytes: status 'valid' (else SIGN_VERIFY_FAILED, exit 1) and the signer
 * certificate's validity period containing `now` (else SIGN_CERT_EXPIRED, exit 1: a signature
 * made with an expired or not-yet-valid certificate is refused by Windows, timestamp or not).
 * `label` names what was signed in messages; `expectTimestamp`: a timestamp was requested and
 * the signer reported success, so the signature must carry one.
 */
export function checkSigned(exe: Uint8Array, opts: { label: string; now: Date; expectTimestamp: boolean }): SignatureInfo {
  const info = verifyAuthenticode(exe);
  if (info.status === 'unsigned') {
    throw failure('SIGN_VERIFY_FAILED', `${opts.label} carries no signature after signing`, 'check that the signer signs the file it is given in place');
  }
  if (info.status !== 'valid' || !info.signer || !info.digestAlgorithm) {
    throw failure('SIGN_VERIFY_FAILED', `the new signature of ${opts.label} does not verify: ${info.problem ?? 'no signer certificate'}`, 'the exe was left unsigned; check the signing tool and certificate');
  }
  const { notBefore, notAfter, subject } = info.signer;
  const now = opts.now.getTime();
  if (Date.parse(notAfter) < now) {
    throw failure('SIGN_CERT_EXPIRED', `the certificate "${subject}" expired on ${notAfter.slice(0, 10)}`, 'renew the code-signing certificate and sign with the new one');
  }
  if (Date.parse(notBefore) > now) {
    throw failure('SIGN_CERT_EXPIRED', `the certificate "${subject}" is not valid before ${notBefore.slice(0, 10)}`, 'wait until it becomes valid, or check the clock of this machine');
  }
  if (opts.expectTimestamp && !info.timestamp) {
    throw failure('SIGN_VERIFY_FAILED', `the new signature of ${opts.label} has no timestamp although one was requested`, 'check the timestamp server, or leave out --timestamp-url');
  }
  return info;
}
