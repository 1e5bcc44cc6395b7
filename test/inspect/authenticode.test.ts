import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SvcpackError } from '../../src/errors';
import { authenticodeHash, verifyAuthenticode } from '../../src/inspect/authenticode';
import { child, children, readElement, TAG, type DerElement } from '../../src/inspect/der';
import { thrown } from '../support/thrown';
import { certTable, flipped, minimalPe, SigningLab, type TestCert } from './signing';

const TSA_TIME = 1_790_000_000; // 2026-09-21T14:13:20Z

let lab: SigningLab;
let rsa: TestCert;
let ec: TestCert;
let tsa: TestCert;
let unsigned: Buffer;
let signed: Buffer;

beforeAll(() => {
  lab = new SigningLab();
  rsa = lab.cert('rsa', '/CN=Test Signer/O=ACME');
  ec = lab.cert('ec', '/CN=EC Signer');
  tsa = lab.cert('rsa', '/CN=Test TSA', 'timeStamping');
  unsigned = minimalPe();
  signed = lab.sign(unsigned, rsa, { description: 'My Service', url: 'https://example.com/svc' });
});
afterAll(() => lab.remove());

/** The parts of the signature tests tamper with, as absolute file offsets of their contents. */
function signatureParts(exe: Buffer): { imageDigest: DerElement; signedAttributes: DerElement; signature: DerElement; base: number } {
  const { offset } = certTable(exe);
  const base = offset + 8;
  const der = exe.subarray(base);
  const signedData = child(child(readElement(der), 1, 'content'), 0, 'SignedData');
  const parts = children(signedData);
  const indirect = child(child(parts[2]!, 1, 'content'), 0, 'SpcIndirectDataContent');
  const imageDigest = child(child(indirect, 1, 'DigestInfo'), 1, 'digest');
  const signer = children(child(parts[parts.length - 1]!, 0, 'SignerInfo'));
  const signedAttributes = signer.find((e) => e.tag === TAG.context(0))!;
  const signature = signer.find((e) => e.tag === TAG.OCTET_STRING)!;
  return { imageDigest, signedAttributes, signature, base };
}

describe('verifyAuthenticode: valid signatures', () => {
  it('an RSA signature: digest algorithm, signer certificate, description and URL', () => {
    const info = verifyAuthenticode(signed);
    const x509 = new X509Certificate(fs.readFileSync(rsa.cert));
    expect(info).toEqual({
      status: 'valid',
      digestAlgorithm: 'sha256',
      signer: {
        subject: 'CN=Test Signer, O=ACME',
        issuer: 'CN=Test Signer, O=ACME',
        serialNumber: x509.serialNumber.toUpperCase(),
        notBefore: new Date(x509.validFrom).toISOString(),
        notAfter: new Date(x509.validTo).toISOString(),
        sha256Fingerprint: createHash('sha256').update(x509.raw).digest('hex'),
      },
      description: 'My Service',
      url: 'https://example.com/svc',
    });
  });

  it('an ECDSA P-256 signature', () => {
    const info = verifyAuthenticode(lab.sign(unsigned, ec));
    expect(info.status).toBe('valid');
    expect(info.signer?.subject).toBe('CN=EC Signer');
    expect(info.description).toBeUndefined();
  });

  it('sha384, of a file whose length is not a multiple of 8 (the signer pads it before hashing)', () => {
    const odd = minimalPe(5);
    const oddSigned = lab.sign(odd, rsa, { hash: 'sha384' });
    expect(verifyAuthenticode(oddSigned)).toMatchObject({ status: 'valid', digestAlgorithm: 'sha384' });
    expect(certTable(oddSigned).offset % 8).toBe(0);
    expect(authenticodeHash(odd, 'sha384').equals(authenticodeHash(oddSigned, 'sha384'))).toBe(true);
  });

  it('an RFC 3161 timestamp: its time and signer', () => {
    const stamped = lab.sign(unsigned, rsa, { tsa: { cert: tsa, time: TSA_TIME } });
    expect(verifyAuthenticode(stamped)).toMatchObject({
      status: 'valid',
      timestamp: { time: new Date(TSA_TIME * 1000).toISOString(), signer: 'CN=Test TSA' },
    });
  });

  it('the checksum field is not covered by the signature (Authenticode leaves it out)', () => {
    const checksum = signed.readUInt32LE(0x3c) + 24 + 64;
    expect(verifyAuthenticode(flipped(signed, checksum)).status).toBe('valid');
  });
});

describe('verifyAuthenticode: unsigned and not a PE', () => {
  it('a PE without a certificate table is unsigned', () => {
    expect(verifyAuthenticode(unsigned)).toEqual({ status: 'unsigned' });
  });

  it('anything else is a NOT_AN_EXE usage error', () => {
    const err = thrown(SvcpackError, () => verifyAuthenticode(Buffer.from('just some text, not an exe')));
    expect(err.code).toBe('NOT_AN_EXE');
    expect(err.exitCode).toBe(2);
    expect(err.toLine()).toMatch(/^svcpack: the file is not a Windows executable \(no MZ header\) — /);
  });
});

describe('verifyAuthenticode: tampering is invalid, never an exception', () => {
  it('one byte of the image (code, then a header field)', () => {
    for (const offset of [0x200, signed.readUInt32LE(0x3c) + 8]) {
      const info = verifyAuthenticode(flipped(signed, offset));
      expect(info.status).toBe('invalid');
      expect(info.problem).toMatch(/^the file was changed after it was signed/);
      expect(info.signer?.subject).toBe('CN=Test Signer, O=ACME'); // what was read is kept
    }
  });

  it('the signed image digest', () => {
    const { imageDigest, base } = signatureParts(signed);
    const info = verifyAuthenticode(flipped(signed, base + imageDigest.contentStart + 3));
    expect(info.status).toBe('invalid');
    expect(info.problem).toMatch(/changed after it was signed|message digest does not match/);
  });

  it('the signature value', () => {
    const { signature, base } = signatureParts(signed);
    const info = verifyAuthenticode(flipped(signed, base + signature.contentStart + 10));
    expect(info).toMatchObject({ status: 'invalid', problem: expect.stringMatching(/^the signature does not verify with its signer certificate/) });
  });

  it('a signed attribute (the program description)', () => {
    const at = signed.indexOf('My Service', certTable(signed).offset, 'latin1'); // osslsigncode writes an IA5String
    expect(at).toBeGreaterThan(certTable(signed).offset);
    const info = verifyAuthenticode(flipped(signed, at + 1));
    expect(info.status).toBe('invalid');
    expect(info.problem).toMatch(/does not verify/);
  });

  it('the signer certificate (its validity period)', () => {
    const notAfter = new X509Certificate(fs.readFileSync(rsa.cert)).validTo; // e.g. "Dec 22 12:52:44 2026 GMT"
    const utc = new Date(notAfter).toISOString().replace(/\D/g, '').slice(2, 14); // YYMMDDhhmmss
    const at = signed.indexOf(`${utc}Z`, certTable(signed).offset, 'latin1');
    expect(at).toBeGreaterThan(0);
    const info = verifyAuthenticode(flipped(signed, at + 11));
    expect(info.status).toBe('invalid');
    expect(info.problem).toMatch(/certificate "CN=Test Signer, O=ACME" does not verify with its issuer's key/);
  });

  it('the timestamp token (its time)', () => {
    const stamped = lab.sign(unsigned, rsa, { tsa: { cert: tsa, time: TSA_TIME } });
    const at = stamped.indexOf('20260921141320Z', certTable(stamped).offset, 'latin1');
    expect(at).toBeGreaterThan(0);
    const info = verifyAuthenticode(flipped(stamped, at + 13));
    expect(info.status).toBe('invalid');
    expect(info.problem).toMatch(/^the timestamp/);
  });

  it('a truncated certificate table, and data appended after it', () => {
    expect(verifyAuthenticode(signed.subarray(0, signed.length - 8))).toMatchObject({
      status: 'invalid',
      problem: 'the certificate table runs 8 bytes past the end of the file (truncated)',
    });
    expect(verifyAuthenticode(Buffer.concat([signed, Buffer.alloc(16)]))).toMatchObject({
      status: 'invalid',
      problem: '16 bytes after the certificate table are not covered by the signature',
    });
  });

  it('a certificate of another type, and non-zero padding after the signature', () => {
    const { offset, size } = certTable(signed);
    const other = Buffer.from(signed);
    other.writeUInt16LE(1, offset + 6); // WIN_CERT_TYPE_X509
    expect(verifyAuthenticode(other).problem).toMatch(/type 1, not a PKCS#7 signature/);
    const length = signed.readUInt32LE(offset);
    if (length < size) {
      const padded = flipped(signed, offset + length);
      expect(verifyAuthenticode(padded).problem).toMatch(/non-zero bytes after the signature/);
    }
    const der = readElement(signed.subarray(offset + 8));
    expect(der.end + 8).toBeLessThanOrEqual(size);
  });

  it('every single-byte change inside the certificate table: no exception, and any change to the signed parts is invalid', () => {
    const { offset, size } = certTable(signed);
    const { signedAttributes, signature, imageDigest, base } = signatureParts(signed);
    const covered = (at: number) =>
      [signedAttributes, signature, imageDigest].some((el) => at >= base + el.start && at < base + el.end);
    let invalid = 0;
    for (let at = offset; at < offset + size; at++) {
      const info = verifyAuthenticode(flipped(signed, at));
      expect(['valid', 'invalid']).toContain(info.status);
      if (covered(at)) expect(info.status, `byte ${at - offset} of the table`).toBe('invalid');
      if (info.status === 'invalid') {
        invalid++;
        expect(info.problem).toMatch(/^\S.*\S$/);
        expect(info.problem).not.toMatch(/\n/);
      }
    }
    expect(invalid / size).toBeGreaterThan(0.8);
  });
});
