/**
 * Throwaway code-signing certificates for the signing tests, made with the `openssl` command:
 * a self-signed code-signing certificate (codeSigning EKU) as PEM (plain and encrypted key) and
 * as PFX (OpenSSL 3's default AES-256 PKCS#12, with and without a password), an expired and a
 * not-yet-valid certificate (`openssl ca -selfsign` with explicit start/end dates, since
 * `openssl x509 -days` cannot go backwards before OpenSSL 3.4), and a timestamping authority's
 * certificate for tsa.ts. Nothing here is trusted by anything; svcpack's verifier does not check
 * the chain. `openssl` and `selfSignedCert` are shared with test/inspect/signing.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findProgram } from '../../src/sign/run-tool';

export interface TestPki {
  dir: string;
  /** The password of `pfx` and `encryptedKey`, with characters a shell would interpret. */
  password: string;
  /** A file holding `password` on its first line (with a Windows line ending). */
  passwordFile: string;
  pfx: string;
  pfxNoPassword: string;
  cert: string;
  key: string;
  encryptedKey: string;
  expired: { cert: string; key: string };
  notYetValid: { cert: string; key: string };
  tsa: { cert: string; key: string; config: string };
}

const SUBJECT = '/CN=Svcpack Test Signer/O=svcpack tests';

/** The path of `name` on PATH; a missing tool fails the test (never skips) with the apt-get line. */
export function requireTool(name: 'openssl' | 'osslsigncode'): string {
  const found = findProgram(name, process.env);
  if (!found) throw new Error(`${name} is required for the signing tests: apt-get install -y ${name}`);
  return found;
}

/** Runs `openssl args` in `dir`, with `env` added to the environment. */
export function openssl(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  execFileSync(requireTool('openssl'), args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A self-signed certificate valid for 30 days, written to `files.cert` and its unencrypted key to
 * `files.key` (both in `dir`), with an RSA-2048 or ECDSA P-256 key and `extensions` (`-addext`
 * values, e.g. `extendedKeyUsage=codeSigning`). Returns the absolute paths.
 */
export function selfSignedCert(
  dir: string,
  files: { cert: string; key: string },
  opts: { subject: string; keyType?: 'rsa' | 'ec'; extensions: string[] },
): { cert: string; key: string } {
  const keyArgs = opts.keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  openssl(dir, ['req', '-x509', ...keyArgs, '-nodes', '-keyout', files.key, '-out', files.cert, '-days', '30', '-subj', opts.subject,
    ...opts.extensions.flatMap((ext) => ['-addext', ext])]);
  return { cert: path.resolve(dir, files.cert), key: path.resolve(dir, files.key) };
}

/** Makes every certificate into `dir` (created); takes about a second (RSA key generation). */
export function makePki(dir: string): TestPki {
  fs.mkdirSync(dir, { recursive: true });
  const password = `pa$$ "w0rd" 'x' \`id\` ;&|*`;
  const env = { SVCPACK_TEST_PKI_PASSWORD: password };
  const file = (name: string) => path.join(dir, name);

  const signer = selfSignedCert(dir, { cert: 'cert.pem', key: 'key.pem' }, { subject: SUBJECT, extensions: ['extendedKeyUsage=codeSigning', 'keyUsage=critical,digitalSignature'] });
  openssl(dir, ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'signer.pfx', '-passout', 'env:SVCPACK_TEST_PKI_PASSWORD'], env);
  openssl(dir, ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', 'nopass.pfx', '-passout', 'pass:']);
  openssl(dir, ['pkey', '-in', 'key.pem', '-aes256', '-passout', 'env:SVCPACK_TEST_PKI_PASSWORD', '-out', 'key-encrypted.pem'], env);
  fs.writeFileSync(file('password.txt'), `${password}\r\nsecond line is ignored\n`, { mode: 0o600 });

  // openssl ca, for certificates with chosen validity dates.
  fs.writeFileSync(file('index.txt'), '');
  fs.writeFileSync(file('serial'), '1000\n');
  fs.writeFileSync(
    file('ca.cnf'),
    [
      '[ ca ]', 'default_ca = test_ca',
      '[ test_ca ]', 'dir = .', 'database = ./index.txt', 'new_certs_dir = .', 'serial = ./serial', 'default_md = sha256',
      'policy = policy_any', 'x509_extensions = code_signing', 'unique_subject = no', 'copy_extensions = none',
      '[ policy_any ]', 'commonName = supplied',
      '[ code_signing ]', 'extendedKeyUsage = codeSigning', 'keyUsage = critical,digitalSignature', '',
    ].join('\n'),
  );
  const dated = (name: string, cn: string, start: string, end: string) => {
    openssl(dir, ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
    openssl(dir, ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-selfsign', '-keyfile', `${name}.key`, '-in', `${name}.csr`, '-startdate', start, '-enddate', end, '-out', `${name}.crt`]);
    return { cert: file(`${name}.crt`), key: file(`${name}.key`) };
  };
  const expired = dated('expired', 'Svcpack Expired Signer', '20200101000000Z', '20210101000000Z');
  const notYetValid = dated('future', 'Svcpack Future Signer', '20990101000000Z', '20991231000000Z');

  // A timestamping authority for `openssl ts -reply` (tsa.ts).
  const tsa = selfSignedCert(dir, { cert: 'tsa.crt', key: 'tsa.key' }, { subject: '/CN=Svcpack Test TSA', extensions: ['extendedKeyUsage=critical,timeStamping'] });
  fs.writeFileSync(file('tsaserial'), '01\n');
  fs.writeFileSync(
    file('tsa.cnf'),
    [
      '[ tsa ]', 'default_tsa = test_tsa',
      '[ test_tsa ]', `serial = ${file('tsaserial')}`, 'crypto_device = builtin', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1',
      'other_policies = 1.2.3.4.5', 'digests = sha1, sha256, sha384, sha512', 'accuracy = secs:1', 'ordering = yes', 'tsa_name = no',
      'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', `certs = ${tsa.cert}`, '',
    ].join('\n'),
  );

  return {
    dir,
    password,
    passwordFile: file('password.txt'),
    pfx: file('signer.pfx'),
    pfxNoPassword: file('nopass.pfx'),
    cert: signer.cert,
    key: signer.key,
    encryptedKey: file('key-encrypted.pem'),
    expired,
    notYetValid,
    tsa: { ...tsa, config: file('tsa.cnf') },
  };
}
