/**
 * The release recipe docs/signing-and-release.md documents (docs/ci/release.sh, which the GitHub
 * Actions example runs) works as written: in a project with svcpack installed and a
 * svcpack.config.json, with a base64 PFX and its password in the environment (as CI secrets arrive)
 * and a local RFC 3161 server, it builds, signs, checks the signature with `svcpack inspect` and
 * puts the exe, the signed MSI, the SBOM, the build record, the winget manifest and SHA256SUMS
 * in the release folder. The password appears in no output.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { makePki } from '../sign/pki';
import { startTsa } from '../sign/tsa';

const repo = path.resolve(import.meta.dirname, '..', '..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-recipe-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('docs/ci/release.sh builds, signs, verifies and collects the release files', { timeout: 120_000 }, async () => {
  const pki = makePki(path.join(root, 'pki'));
  const tsa = await startTsa(pki);
  try {
    const project = path.join(root, 'project');
    fs.cpSync(path.join(repo, 'fixtures', 'hello-http'), project, { recursive: true });
    fs.writeFileSync(path.join(project, 'svcpack.config.json'), JSON.stringify({ entry: 'app.ts', name: 'RecipeSvc', version: '1.2.3', company: 'Recipe Co' }));
    fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(repo, path.join(project, 'node_modules', 'svcpack'), 'dir');
    fs.symlinkSync(path.join(repo, 'bin', 'svcpack.js'), path.join(project, 'node_modules', '.bin', 'svcpack'));

    const { stdout, stderr } = await promisify(execFile)('bash', [path.join(repo, 'docs', 'ci', 'release.sh')], {
      cwd: project,
      env: {
        ...process.env,
        SIGN_PFX_BASE64: fs.readFileSync(pki.pfx).toString('base64'),
        SIGN_PFX_PASSWORD: pki.password,
        TIMESTAMP_URL: tsa.url,
        SOURCE_DATE_EPOCH: '1700000000',
        WINGET_URL: 'https://example.com/releases/v{version}/{file}',
      },
    });
    expect(stdout).toMatch(/RecipeSvc 1\.2\.3: signed by .*Svcpack Test Signer/);
    expect(`${stdout}${stderr}`).not.toContain(pki.password);
    expect(tsa.issued).toBeGreaterThan(0);

    const release = path.join(project, 'release');
    expect(stdout).toMatch(/RecipeSvc 1\.2\.3 MSI: signed, UpgradeCode \{[0-9A-F-]{36}\}, service RecipeSvc/);
    expect(fs.readdirSync(release).sort()).toEqual([
      'RecipeCo.RecipeSvc.installer.yaml',
      'RecipeCo.RecipeSvc.locale.en-US.yaml',
      'RecipeCo.RecipeSvc.yaml',
      'RecipeSvc-1.2.3-x64.msi',
      'RecipeSvc.build.json',
      'RecipeSvc.cdx.json',
      'RecipeSvc.exe',
      'SHA256SUMS',
    ]);
    const sha = (file: string) => createHash('sha256').update(fs.readFileSync(path.join(release, file))).digest('hex');
    const exeSha = sha('RecipeSvc.exe');
    const sums = fs.readFileSync(path.join(release, 'SHA256SUMS'), 'utf8');
    for (const file of fs.readdirSync(release).filter((f) => f !== 'SHA256SUMS')) expect(sums).toContain(`${sha(file)}  ${file}`);
    expect(fs.readFileSync(path.join(release, 'RecipeCo.RecipeSvc.installer.yaml'), 'utf8')).toContain(`InstallerSha256: ${sha('RecipeSvc-1.2.3-x64.msi').toUpperCase()}`);
    const record = JSON.parse(fs.readFileSync(path.join(release, 'RecipeSvc.build.json'), 'utf8'));
    expect(record.outputs['RecipeSvc.exe'].sha256).toBe(exeSha);
    expect(record.signature).toMatchObject({ status: 'valid', timestamp: { url: tsa.url } });
    expect(record.sourceDateEpoch).toBe(1_700_000_000);
  } finally {
    await tsa.close();
  }
});

test('the GitHub Actions example runs the recipe as svcpack ships it, with the secrets in the environment', () => {
  const workflow = fs.readFileSync(path.join(repo, 'docs', 'ci', 'github-actions.yml'), 'utf8');
  expect(workflow).toContain('run: bash node_modules/svcpack/docs/ci/release.sh');
  expect(workflow).toMatch(/SIGN_PFX_PASSWORD: \$\{\{ secrets\.SIGN_PFX_PASSWORD \}\}/);
  expect(workflow).toContain('apt-get install -y --no-install-recommends osslsigncode wixl msitools faketime');
  expect(workflow).toContain('WINGET_URL: https://github.com/${{ github.repository }}/releases/download/${{ github.ref_name }}/{file}');
  expect(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).files).toContain('docs/ci');
});
