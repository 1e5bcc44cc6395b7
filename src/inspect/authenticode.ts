/**
 * A pure-TypeScript Authenticode verifier for PE files (node:crypto does the hashing and the
 * public-key maths). It checks that the file is intact and was signed by the certificate the
 * signature names:
 *
 * 1. the certificate table (data directory 4) ends the file and holds one WIN_CERTIFICATE with a
 *    PKCS#7 SignedData whose content is an SpcIndirectDataContent for a PE image;
 * 2. the Authenticode hash of the image (every byte except the checksum field, the certificate
 *    table's directory entry and the certificate table) equals the digest in that content;
 * 3. the signer's messageDigest attribute equals the hash of the SpcIndirectDataContent;
 * 4. the signer's signature over its authenticated attributes (DER-re-encoded as a SET OF)
 *    verifies with the public key of the signer certificate carried in the signature;
 * 5. a timestamp, when present (RFC 3161 token or legacy countersignature), covers that signature
 *    and verifies with its own certificate.
 *
 * It does NOT check the trust chain, revocation, key usage or validity periods: whether the
 * signer is trusted is for Windows to decide at run time. `valid` means "unchanged since it was
 * signed, by the certificate shown".
 */
import { constants, createHash, verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto';
import {
  child,
  children,
  contents,
  DerError,
  encoding,
  expectElement,
  expectTag,
  readIntegerHex,
  readOid,
  readTime,
  TAG,
  withTag,
  type DerElement,
} from './der';
import { readPeLayout, type PeLayout } from '../pe/pe-layout';

export interface SignatureInfo {
  status: 'unsigned' | 'valid' | 'invalid';
  /** Why the signature is invalid, one line (only when status is 'invalid'). */
  problem?: string;
  /** Digest algorithm of the Authenticode hash, e.g. 'sha256'. */
  digestAlgorithm?: string;
  /** The signer certificate; dates ISO 8601, fingerprint lower-case hex of the certificate's SHA-256. */
  signer?: { subject: string; issuer: string; serialNumber: string; notBefore: string; notAfter: string; sha256Fingerprint: string };
  /** SpcSpOpusInfo program name and URL, when present. */
  description?: string;
  url?: string;
  /** Signing time from the RFC 3161 timestamp token (or legacy countersignature), when present. */
  timestamp?: { time: string; signer?: string };
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  spcIndirectData: '1.3.6.1.4.1.311.2.1.4',
  spcPeImageData: '1.3.6.1.4.1.311.2.1.15',
  spcSpOpusInfo: '1.3.6.1.4.1.311.2.1.12',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  counterSignature: '1.2.840.113549.1.9.6',
  rfc3161Timestamp: '1.3.6.1.4.1.311.3.3.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  rsaPss: '1.2.840.113549.1.1.10',
} as const;

/** Signature algorithms a SignerInfo may name: RSA (PKCS#1 v1.5, PSS) and ECDSA. */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.113549.1.1.1', // rsaEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
  OID.rsaPss,
  '1.2.840.10045.2.1', // ecPublicKey
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.2', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4', // ecdsa-with-SHA512
]);

/** Digest algorithm OIDs → node:crypto hash names. */
const DIGESTS: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2;

/** A reason the signature is invalid; its message is the `problem` line. */
class Invalid extends Error {}

/**
 * Verifies the Authenticode signature of `exe` (see the module comment for what is and is not
 * checked). Never throws for a damaged or tampered signature: that is `status: 'invalid'` with a
 * `problem`, keeping whatever was read before the problem (signer, description…). Throws a
 * `NOT_AN_EXE` SvcpackError when `exe` is not a PE image.
 */
export function verifyAuthenticode(exe: Uint8Array): SignatureInfo {
  const layout = readPeLayout(exe);
  if (!layout.certTable) return { status: 'unsigned' };
  const info: SignatureInfo = { status: 'valid' };
  try {
    verifyInto(exe, layout, layout.certTable, info);
    return info;
  } catch (err) {
    const problem =
      err instanceof Invalid ? err.message : `the signature is malformed (${err instanceof Error ? err.message : String(err)})`;
    const { status: _valid, ...read } = info;
    return { status: 'invalid', problem, ...read };
  }
}

/**
 * The Authenticode hash of `exe` with `algorithm` (a node:crypto name): every byte before the
 * certificate table except the checksum field and the certificate table's directory entry. An
 * unsigned file whose length is not a multiple of 8 is hashed as signers pad it, with zero bytes
 * up to the next multiple of 8.
 */
export function authenticodeHash(exe: Uint8Array, algorithm: string, layout: PeLayout = readPeLayout(exe)): Buffer {
  const hash = createHash(algorithm);
  const end = layout.certTable ? layout.certTable.offset : exe.byteLength;
  hash.update(exe.subarray(0, layout.checksumOffset));
  if (layout.certDirOffset === undefined) {
    hash.update(exe.subarray(layout.checksumOffset + 4, end));
  } else {
    hash.update(exe.subarray(layout.checksumOffset + 4, layout.certDirOffset));
    hash.update(exe.subarray(layout.certDirOffset + 8, end));
  }
  if (!layout.certTable && end % 8 !== 0) hash.update(new Uint8Array(8 - (end % 8)));
  return hash.digest();
}

function verifyInto(exe: Uint8Array, layout: PeLayout, table: { offset: number; size: number }, info: SignatureInfo): void {
  const { offset, size } = table;
  if (offset < layout.sizeOfHeaders || offset < layout.sectionsEnd) throw new Invalid('the certificate table overlaps the image');
  if (offset + size > exe.byteLength) {
    throw new Invalid(`the certificate table runs ${offset + size - exe.byteLength} bytes past the end of the file (truncated)`);
  }
  if (offset + size < exe.byteLength) {
    throw new Invalid(`${exe.byteLength - offset - size} bytes after the certificate table are not covered by the signature`);
  }
  if (size < 8) throw new Invalid('the certificate table is too short');
  const view = new DataView(exe.buffer, exe.byteOffset + offset, size);
  const length = view.getUint32(0, true);
  const revision = view.getUint16(4, true);
  const type = view.getUint16(6, true);
  if (length < 8 || length > size) throw new Invalid(`the certificate table entry has a bad length (${length} of ${size} bytes)`);
  if (revision !== 0x0200 && revision !== 0x0100) throw new Invalid(`the certificate table entry has an unknown revision 0x${revision.toString(16)}`);
  if (type !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) throw new Invalid(`the certificate table holds a certificate of type ${type}, not a PKCS#7 signature`);
  const der = exe.subarray(offset + 8, offset + length);
  const contentInfo = expectElement(der, TAG.SEQUENCE, 'ContentInfo');
  // After the signature, up to the next 8-byte boundary: padding, which must be zeros.
  const padEnd = Math.min(size, Math.ceil(length / 8) * 8);
  if (exe.subarray(offset + 8 + contentInfo.end, offset + padEnd).some((b) => b !== 0)) {
    throw new Invalid('the certificate table has non-zero bytes after the signature');
  }

  const signed = signedData(contentInfo);
  if (signed.version !== '01') throw new Invalid(`the signature is not Authenticode (SignedData version ${signed.version})`);
  if (signed.contentType !== OID.spcIndirectData) throw new Invalid(`the signature is not Authenticode (content type ${signed.contentType})`);
  const indirect = signed.content;
  if (!indirect) throw new Invalid('the signature carries no SpcIndirectDataContent');
  expectTag(indirect, TAG.SEQUENCE, 'SpcIndirectDataContent');
  const dataType = readOid(child(child(indirect, 0, 'SpcIndirectDataContent.data'), 0, 'SpcIndirectDataContent.data.type'));
  if (dataType !== OID.spcPeImageData) throw new Invalid(`the signature is not for a PE image (${dataType})`);
  const digestInfo = expectTag(child(indirect, 1, 'SpcIndirectDataContent.messageDigest'), TAG.SEQUENCE, 'DigestInfo');
  const imageAlgorithm = digestName(child(digestInfo, 0, 'DigestInfo.digestAlgorithm'));
  info.digestAlgorithm = imageAlgorithm;
  const signedImageHash = contents(expectTag(child(digestInfo, 1, 'DigestInfo.digest'), TAG.OCTET_STRING, 'DigestInfo.digest'));

  if (signed.signerInfos.length !== 1) throw new Invalid(`the signature has ${signed.signerInfos.length} signers, Authenticode requires one`);
  const signer = signerInfo(signed.signerInfos[0]!);
  if (signer.version !== '01') throw new Invalid(`the signature is not Authenticode (SignerInfo version ${signer.version})`);
  if (!signed.digestAlgorithms.includes(signer.digestAlgorithm)) throw new Invalid("the signer's digest algorithm is not among the signature's");
  const cert = findCertificate(signed.certificates, signer, 'the signature');
  info.signer = describeCertificate(cert);
  const opus = signer.signedAttributes?.get(OID.spcSpOpusInfo)?.[0];
  if (opus) Object.assign(info, opusInfo(opus));

  if (!Buffer.from(signedImageHash).equals(authenticodeHash(exe, imageAlgorithm, layout))) {
    throw new Invalid('the file was changed after it was signed (its Authenticode hash does not match the signed hash)');
  }
  verifySigner(signer, cert, contents(indirect), OID.spcIndirectData, 'the signature');
  verifyCertificates(cert, signed.certificates, 'the signature');
  const stamp = timestamp(signer, signed.certificates);
  if (stamp) info.timestamp = stamp;
}

// ---------------------------------------------------------------- PKCS#7 / CMS structures

interface SignedData {
  /** The version INTEGER's contents in hex, e.g. '01'. */
  version: string;
  /** node:crypto names of the digestAlgorithms set (unknown ones left out). */
  digestAlgorithms: string[];
  contentType: string;
  /** The element inside `[0] EXPLICIT` of the encapsulated content, when present. */
  content: DerElement | undefined;
  certificates: DerElement[];
  signerInfos: DerElement[];
}

/** Reads a ContentInfo holding a SignedData. */
function signedData(contentInfo: DerElement): SignedData {
  const [type, explicit] = children(contentInfo);
  if (!type || readOid(type) !== OID.signedData || !explicit) throw new Invalid('the certificate table does not hold a PKCS#7 SignedData');
  const sd = expectTag(child(expectTag(explicit, TAG.context(0), 'ContentInfo.content'), 0, 'SignedData'), TAG.SEQUENCE, 'SignedData');
  const parts = children(sd);
  const encap = expectTag(parts[2] ?? fail('SignedData.contentInfo'), TAG.SEQUENCE, 'SignedData.contentInfo');
  const [encapType, encapContent] = children(encap);
  let certificates: DerElement[] = [];
  for (const part of parts.slice(3, -1)) if (part.tag === TAG.context(0)) certificates = children(part);
  const last = parts[parts.length - 1];
  if (parts.length < 4 || !last || last.tag !== TAG.SET) throw new DerError('SignedData.signerInfos is missing');
  const digestAlgorithms = children(expectTag(parts[1] ?? fail('SignedData.digestAlgorithms'), TAG.SET, 'SignedData.digestAlgorithms'));
  return {
    version: integerContents(parts[0] ?? fail('SignedData.version')),
    digestAlgorithms: digestAlgorithms.map((a) => DIGESTS[readOid(child(a, 0, 'AlgorithmIdentifier.algorithm'))]).filter((n): n is string => n !== undefined),
    contentType: readOid(encapType ?? fail('SignedData.contentInfo.contentType')),
    content: encapContent ? child(expectTag(encapContent, TAG.context(0), 'SignedData.contentInfo.content'), 0, 'content') : undefined,
    certificates,
    signerInfos: children(last),
  };
}

interface SignerInfo {
  /** The version INTEGER's contents in hex, e.g. '01'. */
  version: string;
  /** How the signer names its certificate: issuer and serial number (Authenticode), or key identifier (CMS, some timestamp tokens). */
  sid: { issuer: DerElement; serial: DerElement } | { keyId: Uint8Array };
  digestAlgorithm: string;
  /** The `[0] IMPLICIT` element; its SET OF re-encoding is what the signature covers. */
  signedAttributesElement: DerElement | undefined;
  signedAttributes: Map<string, DerElement[]> | undefined;
  signatureAlgorithm: string;
  signature: Uint8Array;
  unsignedAttributes: Map<string, DerElement[]> | undefined;
}

function signerInfo(el: DerElement): SignerInfo {
  const parts = children(expectTag(el, TAG.SEQUENCE, 'SignerInfo'));
  const sid = parts[1] ?? fail('SignerInfo.sid');
  let i = 3;
  const signedAttributesElement = parts[i]?.tag === TAG.context(0) ? parts[i++] : undefined;
  const signatureAlgorithm = readOid(
    child(expectTag(parts[i++] ?? fail('SignerInfo.signatureAlgorithm'), TAG.SEQUENCE, 'SignerInfo.signatureAlgorithm'), 0, 'SignerInfo.signatureAlgorithm'),
  );
  if (!SIGNATURE_ALGORITHMS.has(signatureAlgorithm)) throw new Invalid(`the signature uses an unsupported signature algorithm (${signatureAlgorithm})`);
  const signature = contents(expectTag(parts[i++] ?? fail('SignerInfo.signature'), TAG.OCTET_STRING, 'SignerInfo.signature'));
  const unsigned = parts[i]?.tag === TAG.context(1) ? parts[i] : undefined;
  return {
    version: integerContents(parts[0] ?? fail('SignerInfo.version')),
    sid:
      sid.tag === TAG.contextPrimitive(0)
        ? { keyId: contents(sid) }
        : {
            issuer: child(expectTag(sid, TAG.SEQUENCE, 'SignerInfo.sid'), 0, 'SignerInfo.issuer'),
            serial: expectTag(child(sid, 1, 'SignerInfo.serialNumber'), TAG.INTEGER, 'SignerInfo.serialNumber'),
          },
    digestAlgorithm: digestName(parts[2] ?? fail('SignerInfo.digestAlgorithm')),
    signedAttributesElement,
    signedAttributes: signedAttributesElement && attributes(signedAttributesElement),
    signatureAlgorithm,
    signature,
    unsignedAttributes: unsigned && attributes(unsigned),
  };
}

/** Attributes (SEQUENCE { type, SET OF value }) by type. */
function attributes(el: DerElement): Map<string, DerElement[]> {
  const map = new Map<string, DerElement[]>();
  for (const attr of children(el)) {
    const type = readOid(child(attr, 0, 'Attribute.type'));
    map.set(type, [...(map.get(type) ?? []), ...children(expectTag(child(attr, 1, 'Attribute.values'), TAG.SET, 'Attribute.values'))]);
  }
  return map;
}

/** The certificate of `signer` among `certificates` (by issuer and serial number, or subject key identifier). */
function findCertificate(certificates: DerElement[], signer: SignerInfo, what: string): DerElement {
  const { sid } = signer;
  const matches =
    'keyId' in sid
      ? (cert: DerElement) => Buffer.from(sid.keyId).equals(subjectKeyId(cert) ?? new Uint8Array())
      : (cert: DerElement) => {
          const tbs = tbsFields(cert);
          return Buffer.from(encoding(sid.issuer)).equals(encoding(tbs.issuer)) && Buffer.from(contents(sid.serial)).equals(contents(tbs.serial));
        };
  const found = certificates.find((cert) => cert.tag === TAG.SEQUENCE && matches(cert));
  if (!found) throw new Invalid(`${what} names a signer certificate that it does not carry`);
  return found;
}

/** The subjectKeyIdentifier extension (2.5.29.14) of `cert`, if it has one. */
function subjectKeyId(cert: DerElement): Uint8Array | undefined {
  const extensions = children(child(cert, 0, 'Certificate.tbsCertificate')).find((e) => e.tag === TAG.context(3));
  if (!extensions) return undefined;
  for (const ext of children(child(extensions, 0, 'Extensions'))) {
    const [id, ...rest] = children(ext);
    const value = rest[rest.length - 1];
    if (id && value && readOid(id) === '2.5.29.14') return contents(expectElement(contents(value), TAG.OCTET_STRING, 'SubjectKeyIdentifier'));
  }
  return undefined;
}

function tbsFields(cert: DerElement): { serial: DerElement; issuer: DerElement; validity: DerElement; subject: DerElement } {
  const tbs = children(child(cert, 0, 'Certificate.tbsCertificate'));
  const at = tbs[0]?.tag === TAG.context(0) ? 1 : 0;
  return {
    serial: tbs[at] ?? fail('Certificate.serialNumber'),
    issuer: tbs[at + 2] ?? fail('Certificate.issuer'),
    validity: tbs[at + 3] ?? fail('Certificate.validity'),
    subject: tbs[at + 4] ?? fail('Certificate.subject'),
  };
}

/**
 * Checks the signature on `cert` and on each issuer certificate `certificates` carries, up to a
 * self-signed one or one whose issuer is not included, so that no certificate shown was altered.
 * Whether the chain is trusted is not checked: that is Windows' decision.
 */
function verifyCertificates(cert: DerElement, certificates: DerElement[], what: string): void {
  const seen = new Set<DerElement>();
  let current = cert;
  while (!seen.has(current)) {
    seen.add(current);
    const issuerName: Buffer = Buffer.from(encoding(tbsFields(current).issuer));
    const candidates: DerElement[] = certificates.filter((c) => c.tag === TAG.SEQUENCE && issuerName.equals(encoding(tbsFields(c).subject)));
    if (candidates.length === 0) return;
    const x509 = new X509Certificate(Buffer.from(encoding(current)));
    const issuer: DerElement | undefined = candidates.find((c) => x509.verify(new X509Certificate(Buffer.from(encoding(c))).publicKey));
    if (!issuer) throw new Invalid(`${what}'s certificate "${distinguishedName(x509.subject)}" does not verify with its issuer's key (a certificate was changed)`);
    current = issuer;
  }
}

function describeCertificate(cert: DerElement): NonNullable<SignatureInfo['signer']> {
  const der = Buffer.from(encoding(cert));
  const x509 = new X509Certificate(der);
  const validity = children(tbsFields(cert).validity);
  return {
    subject: distinguishedName(x509.subject),
    issuer: distinguishedName(x509.issuer),
    serialNumber: readIntegerHex(tbsFields(cert).serial),
    notBefore: readTime(validity[0] ?? fail('Validity.notBefore')).toISOString(),
    notAfter: readTime(validity[1] ?? fail('Validity.notAfter')).toISOString(),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

/** node:crypto's one-RDN-per-line form as one line: `CN=Name, O=Org`. */
const distinguishedName = (lines: string): string => lines.split('\n').filter(Boolean).join(', ');

/**
 * Checks `signer`'s authenticated attributes (content type, when `contentType` is given, and the
 * message digest of `digested`) and its signature over them with `cert`'s public key.
 */
function verifySigner(signer: SignerInfo, cert: DerElement, digested: Uint8Array, contentType: string | undefined, what: string): void {
  const attrs = signer.signedAttributes;
  if (!attrs || !signer.signedAttributesElement) throw new Invalid(`${what} has no authenticated attributes`);
  const type = attrs.get(OID.contentType)?.[0];
  if (contentType && (!type || readOid(type) !== contentType)) throw new Invalid(`${what}'s content-type attribute is wrong`);
  const digest = attrs.get(OID.messageDigest)?.[0];
  if (!digest) throw new Invalid(`${what} has no message-digest attribute`);
  const expected = createHash(signer.digestAlgorithm).update(digested).digest();
  if (!expected.equals(contents(expectTag(digest, TAG.OCTET_STRING, 'messageDigest')))) {
    throw new Invalid(`${what}'s message digest does not match the content it signs`);
  }
  const key: KeyObject = new X509Certificate(Buffer.from(encoding(cert))).publicKey;
  const signedBytes = withTag(signer.signedAttributesElement, TAG.SET);
  let ok: boolean;
  try {
    ok =
      signer.signatureAlgorithm === OID.rsaPss
        ? verifySignature(signer.digestAlgorithm, signedBytes, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signer.signature)
        : verifySignature(signer.digestAlgorithm, signedBytes, key, signer.signature);
  } catch (err) {
    throw new Invalid(`${what} cannot be checked with its certificate's key (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!ok) throw new Invalid(`${what} does not verify with its signer certificate (the signature or its signed attributes were changed)`);
}

// ---------------------------------------------------------------- timestamps

/**
 * The verified timestamp of `signer`: an RFC 3161 token (Microsoft's unsigned attribute
 * 1.3.6.1.4.1.311.3.3.1) or a legacy PKCS#9 countersignature; undefined when there is none.
 */
function timestamp(signer: SignerInfo, outerCertificates: DerElement[]): SignatureInfo['timestamp'] {
  const token = signer.unsignedAttributes?.get(OID.rfc3161Timestamp)?.[0];
  if (token) {
    const signed = signedData(token);
    if (signed.contentType !== OID.tstInfo || !signed.content) throw new Invalid('the timestamp is not an RFC 3161 token');
    const tstBytes = contents(expectTag(signed.content, TAG.OCTET_STRING, 'TSTInfo'));
    const tst = children(expectElement(tstBytes, TAG.SEQUENCE, 'TSTInfo'));
    const imprint = tst[2] ?? fail('TSTInfo.messageImprint');
    const imprintAlgorithm = digestName(child(imprint, 0, 'MessageImprint.hashAlgorithm'));
    const imprinted = contents(expectTag(child(imprint, 1, 'MessageImprint.hashedMessage'), TAG.OCTET_STRING, 'hashedMessage'));
    if (!createHash(imprintAlgorithm).update(signer.signature).digest().equals(imprinted)) {
      throw new Invalid('the timestamp is for another signature');
    }
    if (signed.signerInfos.length !== 1) throw new Invalid('the timestamp token has no single signer');
    const tsa = signerInfo(signed.signerInfos[0]!);
    const certs = [...signed.certificates, ...outerCertificates];
    const cert = findCertificate(certs, tsa, 'the timestamp');
    verifySigner(tsa, cert, tstBytes, OID.tstInfo, 'the timestamp');
    verifyCertificates(cert, certs, 'the timestamp');
    const genTime = tst[4] ?? fail('TSTInfo.genTime');
    return { time: readTime(genTime).toISOString(), signer: describeCertificate(cert).subject };
  }
  const counter = signer.unsignedAttributes?.get(OID.counterSignature)?.[0];
  if (counter) {
    const cs = signerInfo(counter);
    const cert = findCertificate(outerCertificates, cs, 'the timestamp');
    verifySigner(cs, cert, signer.signature, undefined, 'the timestamp');
    verifyCertificates(cert, outerCertificates, 'the timestamp');
    const time = cs.signedAttributes?.get(OID.signingTime)?.[0];
    if (!time) throw new Invalid('the timestamp countersignature has no signing time');
    return { time: readTime(time).toISOString(), signer: describeCertificate(cert).subject };
  }
  return undefined;
}

// ---------------------------------------------------------------- small readers

/** The node:crypto name of an AlgorithmIdentifier's digest. */
function digestName(algorithmIdentifier: DerElement): string {
  const oid = readOid(child(expectTag(algorithmIdentifier, TAG.SEQUENCE, 'AlgorithmIdentifier'), 0, 'AlgorithmIdentifier.algorithm'));
  const name = DIGESTS[oid];
  if (!name) throw new Invalid(`the signature uses an unsupported digest algorithm (${oid})`);
  return name;
}

/** SpcSpOpusInfo: `[0] programName SpcString`, `[1] moreInfo SpcLink`. */
function opusInfo(value: DerElement): { description?: string; url?: string } {
  const out: { description?: string; url?: string } = {};
  for (const field of children(expectTag(value, TAG.SEQUENCE, 'SpcSpOpusInfo'))) {
    const inner = child(field, 0, 'SpcSpOpusInfo field');
    if (field.tag === TAG.context(0)) out.description = spcString(inner);
    else if (field.tag === TAG.context(1)) {
      if (inner.tag === TAG.contextPrimitive(0)) out.url = Buffer.from(contents(inner)).toString('latin1');
      else if (inner.tag === TAG.context(2)) out.url = spcString(child(inner, 0, 'SpcLink.file'));
    }
  }
  return out;
}

/** SpcString: `[0] IMPLICIT BMPString` or `[1] IMPLICIT IA5String`. */
function spcString(el: DerElement): string {
  const bytes = Buffer.from(contents(el));
  if (el.tag === TAG.contextPrimitive(0) || el.tag === TAG.context(0)) {
    if (bytes.byteLength % 2) throw new DerError('SpcString of odd length');
    return bytes.swap16().toString('utf16le');
  }
  if (el.tag === TAG.contextPrimitive(1) || el.tag === TAG.context(1)) return bytes.toString('latin1');
  throw new DerError(`unexpected SpcString tag 0x${el.tag.toString(16)}`);
}

/** An INTEGER's contents in lower-case hex (for small fields such as versions). */
const integerContents = (el: DerElement): string => Buffer.from(contents(expectTag(el, TAG.INTEGER, 'version'))).toString('hex');

function fail(what: string): never {
  throw new DerError(`${what} is missing`);
}
