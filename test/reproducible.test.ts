/**
 * Reproducible builds: the same project built in two folders of different names and
 * depths, into different output folders, gives byte-identical exes and scripts, with both
 * packers. SOURCE_DATE_EPOCH sets the PE TimeDateStamp and nothing else in the exe; with it the SBOM
 * and the MSI are byte-identical too.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../src/build';
import type { BuildOptions } from '../src/config/options';
import { SvcpackError } from '../src/errors';
import { rejected } from './support/thrown';

const fixturesDir = path.resolve(import.meta.dirname, '..', 'fixtures');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-repro-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Copies `fixture` to `<root>/<where>` and builds it there as `name` into `<root>/<outDir>`. */
async function buildCopy(fixture: string, where: string, outDir: string, extra: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const project = path.join(root, where);
  fs.cpSync(path.join(fixturesDir, fixture), project, { recursive: true });
  return build({ entry: path.join(project, 'app.ts'), name: 'ReproSvc', outDir: path.join(root, outDir), ...extra });
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const timeDateStamp = (exe: Buffer): number => exe.readUInt32LE(exe.readUInt32LE(0x3c) + 8);

/** Runs `work` with SOURCE_DATE_EPOCH set to `value`, restoring it afterwards. */
async function withSourceDateEpoch<T>(value: string, work: () => Promise<T>): Promise<T> {
  const before = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = value;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = before;
  }
}

describe('reproducible builds', () => {
  test('direct packer: two folders, two output folders, one sha256 for the exe and every script', async () => {
    const a = await buildCopy('hello-http', 'first/app', 'out-a');
    const b = await buildCopy('hello-http', 'second/deeper/project-b', 'elsewhere/out-b');
    expect(a.record.outputs).toEqual(b.record.outputs);
    expect(sha256(a.files[0]!)).toBe(a.record.outputs['ReproSvc.exe']!.sha256);
    expect(sha256(a.files[0]!)).toBe(sha256(b.files[0]!));
    expect(a.record.sourceDateEpoch).toBeNull();
    // No build-machine path inside the exe.
    const exe = fs.readFileSync(a.files[0]!);
    for (const absolute of [root, path.resolve(fixturesDir, '..')]) expect(exe.includes(absolute)).toBe(false);
  });

  test('pkg packer: the project folder’s name does not reach the exe', { timeout: 120_000 }, async () => {
    const a = await buildCopy('pkg-assets', 'pkg-one/assets-app', 'pkg-out-a', { packer: 'pkg' });
    const b = await buildCopy('pkg-assets', 'pkg-two/x/other-name', 'pkg-out-b', { packer: 'pkg' });
    expect(a.record.outputs['ReproSvc.exe']!.sha256).toBe(b.record.outputs['ReproSvc.exe']!.sha256);
    const exe = fs.readFileSync(a.files[0]!);
    expect(exe.includes('"entrypoint":"/snapshot/app/svcpack-main.cjs"')).toBe(true);
    for (const leaked of ['assets-app', root, '/pkg-sea-']) expect(exe.includes(leaked)).toBe(false);
  });

  test('SOURCE_DATE_EPOCH sets the PE TimeDateStamp and is recorded; unset, node.exe’s own stamp stays', { timeout: 120_000 }, async () => {
    const plain = await buildCopy('hello-http', 'epoch/plain', 'epoch-out-plain');
    const dated = await withSourceDateEpoch('1700000000', () => buildCopy('hello-http', 'epoch/dated', 'epoch-out-dated'));
    expect(dated.record.sourceDateEpoch).toBe(1_700_000_000);
    expect(timeDateStamp(fs.readFileSync(dated.files[0]!))).toBe(1_700_000_000);
    expect(timeDateStamp(fs.readFileSync(plain.files[0]!))).not.toBe(1_700_000_000);
    // With --sbom: the SBOM (its timestamp SOURCE_DATE_EPOCH, its serial number from the exe's hash) is byte-identical too;
    // with --msi the MSI (derived GUIDs, its times SOURCE_DATE_EPOCH under faketime: src/msi/build-msi.ts).
    const sbom = (outDir: string) => ({ sbom: path.join(root, outDir, 'ReproSvc.cdx.json'), msi: true });
    const withSbom = await withSourceDateEpoch('1700000000', () => buildCopy('hello-http', 'epoch/sbom', 'epoch-out-sbom', sbom('epoch-out-sbom')));
    const again = await withSourceDateEpoch('1700000000', () => buildCopy('hello-http', 'epoch/again/x', 'epoch-out-again', sbom('epoch-out-again')));
    expect(again.record.outputs).toEqual(withSbom.record.outputs);
    expect(Object.keys(again.record.outputs)).toContain('ReproSvc-1.2.3-x64.msi');
    expect(again.record.outputs['ReproSvc.exe']).toEqual(dated.record.outputs['ReproSvc.exe']);
    const bom = JSON.parse(fs.readFileSync(path.join(root, 'epoch-out-again', 'ReproSvc.cdx.json'), 'utf8')) as { metadata: { timestamp: string } };
    expect(bom.metadata.timestamp).toBe('2023-11-14T22:13:20Z');
  });

  test('a SOURCE_DATE_EPOCH that is not whole seconds is a usage error naming it, and nothing is written', async () => {
    const err = await withSourceDateEpoch('2024-01-01', () => rejected(SvcpackError, buildCopy('hello-http', 'epoch/bad', 'epoch-out-bad')));
    expect(err.exitCode).toBe(2);
    expect(err.toLine()).toMatch(/^svcpack: SOURCE_DATE_EPOCH "2024-01-01" is not a whole number of seconds .* — set it to a Unix time/);
    expect(fs.existsSync(path.join(root, 'epoch-out-bad'))).toBe(false);
  });
});
