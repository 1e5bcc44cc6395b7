/**
 * Signing the MSI (src/msi/sign-msi.ts) with osslsigncode, a throwaway certificate and a local
 * RFC 3161 server (test/sign/): the signed MSI carries a DigitalSignature stream that
 * `osslsigncode verify` accepts with the test certificate as the trusted root, timestamped; its
 * tables are unchanged. Fails, never skips, without wixl, msitools, openssl or osslsigncode.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../runtime-shim/settings/resolve';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { buildMsi } from '../../src/msi/build-msi';
import { defaultUpgradeCode } from '../../src/msi/guid';
import { hasSignatureStream, signMsi } from '../../src/msi/sign-msi';
import { makePki, requireTool, type TestPki } from '../sign/pki';
import { startTsa, type TestTsa } from '../sign/tsa';

const PASSWORD_ENV = 'SVCPACK_TEST_MSI_SIGN_PASSWORD';
let dir: string;
let pki: TestPki;
let tsa: TestTsa;

beforeAll(async () => {
  requireTool('osslsigncode');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-msi-sign-'));
  pki = makePki(path.join(dir, 'pki'));
  tsa = await startTsa(pki);
});
afterAll(async () => {
  await tsa?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('signMsi', () => {
  it('signs the MSI in place with the exe\'s signer and options, timestamped, tables unchanged', async () => {
    const stage = path.join(dir, 'stage');
    fs.mkdirSync(stage);
    fs.writeFileSync(path.join(stage, 'SignSvc.exe'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4096, 1)]));
    const built = await buildMsi({
      stageDir: stage,
      fileName: 'SignSvc-1.0.0-x64.msi',
      exeSha256: 'ef'.repeat(32),
      source: {
        name: 'SignSvc',
        displayName: 'SignSvc',
        description: '',
        version: '1.0.0',
        manufacturer: 'SignSvc',
        exeFile: 'SignSvc.exe',
        settings: resolveSettings({}, defaultSettings('SignSvc')),
        upgradeCode: defaultUpgradeCode('SignSvc'),
        installDir: ['SignSvc'],
      },
    });
    const tablesBefore = execFileSync('msiinfo', ['export', built.file, 'ServiceInstall'], { encoding: 'utf8' });
    expect(await hasSignatureStream(built.file)).toBe(false);

    const warnings: string[] = [];
    const signed = await signMsi(
      built.file,
      { pfx: pki.pfx, passwordEnv: PASSWORD_ENV, timestampUrl: tsa.url },
      { env: { ...process.env, [PASSWORD_ENV]: pki.password }, defaults: { signDescription: 'SignSvc' }, onWarning: (w) => warnings.push(w) },
    );
    expect(signed).toEqual({ tool: 'osslsigncode', timestamped: true });
    expect(warnings).toEqual([]);
    expect(await hasSignatureStream(built.file)).toBe(true);
    expect(execFileSync('msiinfo', ['export', built.file, 'ServiceInstall'], { encoding: 'utf8' })).toBe(tablesBefore);
    const verify = spawnSync('osslsigncode', ['verify', '-in', built.file, '-CAfile', pki.cert, '-TSA-CAfile', pki.tsa.cert], { encoding: 'utf8' });
    expect(`${verify.stdout}${verify.stderr}`).toMatch(/Signature verification: ok/);
    expect(fs.readdirSync(stage).sort()).toEqual(['SignSvc-1.0.0-x64.msi', 'SignSvc.exe']);
  });
});
