/**
 * `inspect` on real exes: one built from fixtures/hello-http with svcpack's build() (direct
 * packer, < 2 s once node.exe is cached), a signed copy of it, and the official node.exe (which
 * carries the Node project's own signature and an RFC 3161 timestamp). Also `svcpack inspect`
 * through main().
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import { main } from '../../src/cli';
import { SvcpackError } from '../../src/errors';
import { inspect, inspectBytes, type InspectResult } from '../../src/inspect/inspect';
import { acquireRuntime } from '../../src/runtime/acquire';
import { rejected, thrown } from '../support/thrown';
import { certTable, flipped, minimalPe, SigningLab } from './signing';
import { DEFAULT_NODE_VERSION } from '../../src/runtime/node-lines';
import { captureOutput } from '../support/capture-output';

/** The Node.js the exes embed by default (the tests read its runtime from svcpack's cache). */
const NODE_VERSION = DEFAULT_NODE_VERSION;
const NAME = 'InspectSvc';
const SECRET = 's3cr3t-value';
const ALERT_TOKEN = 'al3rt-t0ken';

let outDir: string;
let built: BuildResult;
let exe: string;
let result: InspectResult;
let lab: SigningLab;
let signedExe: string;
let nodeExe: string;

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-inspect-'));
  built = await build({
    entry: path.resolve(__dirname, '../../fixtures/hello-http/app.ts'),
    name: NAME,
    displayName: 'Inspect Service',
    copyright: '(c) 2026 ACME',
    outDir,
    node: NODE_VERSION,
    env: [`API_KEY=${SECRET}`, 'PORT=8080'],
    dependencies: ['Tcpip'],
    startType: 'delayed-auto',
    supervise: true,
    healthUrl: 'http://127.0.0.1:8080/health',
    successExitCodes: '0,3',
    preStop: 'C:\\tools\\drain.cmd',
    alertUrl: `https://ops:${ALERT_TOKEN}@alerts.example.com/hook/${ALERT_TOKEN}?key=${ALERT_TOKEN}`,
  });
  exe = built.files[0]!;
  result = await inspect(exe);
  lab = new SigningLab();
  const cert = lab.cert('rsa', '/CN=Inspect Signer/O=ACME');
  signedExe = path.join(outDir, 'signed.exe');
  fs.writeFileSync(signedExe, lab.sign(fs.readFileSync(exe), cert, { description: 'Inspect Service', url: 'https://example.com' }));
  nodeExe = (await acquireRuntime({ version: NODE_VERSION })).targetExe;
}, 600_000);

afterAll(() => {
  lab?.remove();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('inspect: an exe svcpack built', () => {
  it('file, size and sha256 match the build record', () => {
    const output = built.record.outputs[`${NAME}.exe`]!;
    expect(result).toMatchObject({ file: exe, bytes: output.bytes, sha256: output.sha256, sea: true, node: { version: NODE_VERSION } });
    // hello-http has no dependencies: no package list.
    expect(result.packages).toBeNull();
  });

  it('the manifest: what was built, with which svcpack and Node, and the baked settings', () => {
    const m = result.svcpack!;
    expect(m).toMatchObject({
      schema: 1,
      name: NAME,
      displayName: 'Inspect Service',
      description: 'svcpack example: an HTTP service that answers ok',
      version: '1.2.3',
      svcpackVersion: built.record.svcpackVersion,
      node: { version: NODE_VERSION },
      packer: 'direct',
      compressed: false,
      stopTimeoutMs: 20_000,
    });
    expect(m.settings).toEqual({ ...built.record.settings, env: { API_KEY: '***', PORT: '***' } });
    expect(m.logging).toEqual(built.record.logging);
    expect(m.supervision).toEqual(built.record.supervision);
    // The operation settings, how packages load and the preload list are baked too, and shown.
    expect(m.operation).toEqual(built.record.operation);
    expect(m.operation).toMatchObject({ exitCodes: { success: [0, 3], restart: 'all' }, hooks: { commands: { preStop: 'C:\\tools\\drain.cmd' } }, alertUrl: 'https://***@alerts.example.com/hook/***?***' });
    expect(m.packages).toEqual(built.record.packages);
    expect(m.preload).toEqual([]);
    expect(built.record.stopTimeoutMs).toBe(20_000);
    for (const text of [JSON.stringify(result), JSON.stringify(built.record), fs.readFileSync(path.join(outDir, `${NAME}.build.json`), 'utf8')]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ALERT_TOKEN);
    }
  });

  it('the version resources', () => {
    expect(result.versionInfo).toEqual({
      fileVersion: '1.2.3.0',
      productVersion: '1.2.3.0',
      strings: {
        FileVersion: '1.2.3.0',
        ProductVersion: '1.2.3.0',
        FileDescription: 'svcpack example: an HTTP service that answers ok',
        ProductName: 'Inspect Service',
        CompanyName: 'svcpack developers',
        LegalCopyright: '(c) 2026 ACME',
        OriginalFilename: `${NAME}.exe`,
        InternalName: NAME,
      },
    });
  });

  it('unsigned as built; a signed copy is valid; one byte changed in it is invalid', async () => {
    expect(result.signature).toEqual({ status: 'unsigned' });
    const signed = await inspect(signedExe);
    expect(signed.svcpack).toEqual(result.svcpack);
    expect(signed.signature).toMatchObject({
      status: 'valid',
      digestAlgorithm: 'sha256',
      signer: { subject: 'CN=Inspect Signer, O=ACME' },
      description: 'Inspect Service',
      url: 'https://example.com',
    });
    const bytes = fs.readFileSync(signedExe);
    const tampered = inspectBytes(flipped(bytes, Math.floor(certTable(bytes).offset / 2)), 'tampered.exe');
    expect(tampered.signature.status).toBe('invalid');
    expect(tampered.signature.problem).toMatch(/changed after it was signed/);
  });
});

describe('inspect: other files', () => {
  it('the official node.exe: not svcpack, its own version, and the Node project’s valid, timestamped signature', async () => {
    const r = await inspect(nodeExe);
    expect(r).toMatchObject({ svcpack: null, node: { version: NODE_VERSION }, sea: false });
    expect(r.versionInfo?.strings).toMatchObject({ ProductName: 'Node.js', ProductVersion: NODE_VERSION });
    expect(r.signature).toMatchObject({
      status: 'valid',
      digestAlgorithm: 'sha256',
      signer: { subject: expect.stringContaining('O=OpenJS Foundation') },
      description: 'Node.js',
      timestamp: { time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), signer: expect.stringContaining('Time Stamping') },
    });
  });

  it('a PE without resources: no manifest, no version info, Node unknown', () => {
    const r = inspectBytes(lab.sign(minimalPe(), lab.cert('ec', '/CN=Tiny')));
    expect(r).toMatchObject({ svcpack: null, versionInfo: null, node: null, sea: false, signature: { status: 'valid' } });
  });

  it('a missing file is FILE_NOT_FOUND, a file that is not a PE NOT_AN_EXE (exit 2)', async () => {
    const missing = await rejected(SvcpackError, inspect(path.join(outDir, 'nope.exe')));
    expect(missing).toMatchObject({ code: 'FILE_NOT_FOUND', exitCode: 2 });
    const notPe = await rejected(SvcpackError, inspect(path.join(outDir, `${NAME}.build.json`)));
    expect(notPe).toMatchObject({ code: 'NOT_AN_EXE', exitCode: 2 });
    expect(notPe.toLine()).toMatch(/InspectSvc\.build\.json is not a Windows executable \(no MZ header\) — /);
    expect(thrown(SvcpackError, () => inspectBytes(Buffer.from('MZ'))).code).toBe('NOT_AN_EXE');
  });
});

describe('svcpack inspect (CLI)', () => {
  const out = captureOutput();

  it('--json prints the InspectResult, env values redacted', async () => {
    expect(await main(['inspect', exe, '--json'])).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(JSON.parse(JSON.stringify(result)));
    expect(out.stdout).not.toContain(SECRET);
    expect(out.stderr).toBe('');
  });

  it('prints an aligned block: identity, Node, packer, signature, every baked setting without secrets', async () => {
    expect(await main(['inspect', exe])).toBe(0);
    const width = out.stdout.indexOf(NAME, out.stdout.indexOf('\nname'));
    const start = out.stdout.indexOf('\nname') + 1;
    const rows = new Map(out.stdout.trimEnd().split('\n').map((line) => [line.slice(0, width - start).trim(), line.slice(width - start)]));
    expect(rows.get('name')).toBe(NAME);
    expect(rows.get('display name')).toBe('Inspect Service');
    expect(rows.get('version')).toBe('1.2.3');
    expect(rows.get('Node.js')).toBe(NODE_VERSION);
    expect(rows.get('packer')).toBe('direct');
    expect(rows.get('sha256')).toBe(result.sha256);
    expect(rows.get('signature')).toBe('unsigned');
    expect(rows.get('start-type')).toBe('delayed-auto');
    expect(rows.get('dependencies')).toBe('Tcpip');
    expect(rows.get('env')).toBe('API_KEY=*** PORT=***');
    expect(rows.get('supervise')).toBe('true');
    expect(rows.get('health-url')).toBe('http://127.0.0.1:8080/health');
    expect(rows.get('health-interval')).toBe('10s');
    expect(rows.get('stop-timeout')).toBe('20s');
    expect(rows.get('success-exit-codes')).toBe('0,3');
    expect(rows.get('pre-stop')).toBe('C:\\tools\\drain.cmd');
    expect(rows.get('alert-url')).toBe('https://***@alerts.example.com/hook/***?***');
    expect(rows.get('package loading')).toBe(`${built.record.packages.mode}: ${built.record.packages.reason}`);
    expect(rows.get('preload')).toBe('none');
    expect(out.stdout).not.toContain(SECRET);
    expect(out.stdout).not.toContain(ALERT_TOKEN);
  });

  it('shows the signer of a signed exe, and the problem of a tampered one', async () => {
    expect(await main(['inspect', signedExe])).toBe(0);
    expect(out.stdout).toMatch(/^signature +valid \(sha256\): .*trust chain not checked/m);
    expect(out.stdout).toMatch(/^ {2}signer +CN=Inspect Signer, O=ACME$/m);
    const tampered = path.join(outDir, 'tampered.exe');
    const bytes = fs.readFileSync(signedExe);
    fs.writeFileSync(tampered, flipped(bytes, 0x1000));
    out.stdout = '';
    expect(await main(['inspect', tampered])).toBe(0);
    expect(out.stdout).toMatch(/^signature +INVALID: the file was changed after it was signed/m);
  });

  it('--require-valid-signature: exit 1 after the report unless the signature is valid', async () => {
    expect(await main(['inspect', exe, '--require-valid-signature'])).toBe(1);
    expect(out.stdout).toMatch(/^name +InspectSvc$/m);
    expect(out.stderr).toMatch(/^svcpack: .*InspectSvc\.exe is not signed — .+\n$/);
    out.stderr = '';
    expect(await main(['inspect', signedExe, '--require-valid-signature'])).toBe(0);
    expect(out.stderr).toBe('');
  });

  it('a missing file: one error line, exit 2', async () => {
    expect(await main(['inspect', 'no/such.exe'])).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe('svcpack: no/such.exe does not exist — pass the path of the .exe to inspect\n');
  });

  it('a missing argument or unknown option: exit 2, pointing at inspect --help', async () => {
    expect(await main(['inspect'])).toBe(2);
    expect(out.stderr).toMatch(/^svcpack: missing required argument 'exe' — run "svcpack inspect --help" for the options\n$/);
  });
});
