/**
 * What is inside an exe with a dependency tree: `svcpack inspect` lists the embedded packages
 * from the exe alone (the SEA asset packages.json, Brotli-compressed with --compress), and
 * `svcpack build --sbom` writes a CycloneDX SBOM of the same exe with the other outputs. The
 * project is test/deps/fixture-tree (a scoped Windows-only package and is-number): the app
 * imports is-number, installed as a stand-in at the locked version; the Windows package is
 * fetched from the npm registry into svcpack's cache the first time.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../../src/build';
import { main } from '../../src/cli';
import type { BuildRecord } from '../../src/emit/build-record';
import { inspect, type InspectResult } from '../../src/inspect/inspect';
import { captureOutput } from '../support/capture-output';

const FIXTURE = path.resolve(import.meta.dirname, '../deps/fixture-tree');
const NAME = 'TreeSvc';

let root: string;
let project: string;
/** Built by `svcpack build --compress --sbom boms/TreeSvc.cdx.json` (through main(), cwd = root). */
let exe: string;
let record: BuildRecord;
let result: InspectResult;
/** The same project built with --no-embed-dependencies. */
let bare: BuildResult;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-inspect-tree-'));
  project = path.join(root, 'project');
  fs.mkdirSync(project);
  for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(FIXTURE, f), path.join(project, f));
  fs.mkdirSync(path.join(project, 'node_modules', 'is-number'), { recursive: true });
  fs.writeFileSync(path.join(project, 'node_modules', 'is-number', 'package.json'), JSON.stringify({ name: 'is-number', version: '7.0.0', license: 'MIT', main: 'index.js' }));
  fs.writeFileSync(path.join(project, 'node_modules', 'is-number', 'index.js'), 'module.exports = (n) => typeof n === "number";\n');
  fs.writeFileSync(path.join(project, 'app.ts'), "import isNumber from 'is-number';\nconsole.log(isNumber(1));\n");
  const stdout = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write; // the build summary
  try {
    const code = await main(['build', 'project/app.ts', '--name', NAME, '--out-dir', 'out', '--compress', '--sbom', 'boms/TreeSvc.cdx.json', '--json'], { cwd: root });
    expect(code).toBe(0);
  } finally {
    process.stdout.write = stdout;
  }
  exe = path.join(root, 'out', `${NAME}.exe`);
  record = JSON.parse(fs.readFileSync(path.join(root, 'out', `${NAME}.build.json`), 'utf8')) as BuildRecord;
  result = await inspect(exe);
  bare = await build({ entry: path.join(project, 'app.ts'), name: 'BareSvc', outDir: path.join(root, 'bare'), embedDependencies: false, sbom: path.join(root, 'bare', 'BareSvc.cdx.json') });
}, 600_000);

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('inspect: the packages embedded in the exe', () => {
  it('lists every package of build.json embedded.packages, read from the exe itself (compressed here)', () => {
    expect(result.svcpack?.compressed).toBe(true);
    const expected = record.embedded.packages!.map(({ source: _source, ...p }) => p);
    expect(expected.map((p) => p.location)).toEqual(['node_modules/@parcel/watcher-win32-x64', 'node_modules/is-number']);
    expect(result.packages).toEqual(expected);
    expect(result.packages![0]).toMatchObject({ name: '@parcel/watcher-win32-x64', version: '2.6.0', license: 'MIT' });
    expect(result.packages![0]!.integrity).toMatch(/^sha512-/);
  });

  it('null when the exe embeds no tree', async () => {
    expect((await inspect(bare.files[0]!)).packages).toBeNull();
  });

  describe('svcpack inspect', () => {
    const out = captureOutput();

    it('prints one line per package: name@version, license, location, integrity', async () => {
      expect(await main(['inspect', exe])).toBe(0);
      const lines = out.stdout.trimEnd().split('\n');
      const at = lines.findIndex((l) => l.startsWith('packages '));
      expect(lines[at]).toMatch(/^packages +2 of the dependency tree \(\d+ files, [\d.]+ KB\)$/);
      const [watcher, isNumber] = result.packages!;
      expect(lines.slice(at + 1)).toEqual([
        expect.stringMatching(new RegExp(`^ +@parcel/watcher-win32-x64@2\\.6\\.0  MIT  node_modules/@parcel/watcher-win32-x64  ${escape(watcher!.integrity!)}$`)),
        expect.stringMatching(new RegExp(`^ +is-number@7\\.0\\.0 +MIT  node_modules/is-number +${escape(isNumber!.integrity!)}$`)),
      ]);
      // The columns line up.
      expect(lines[at + 1]!.indexOf('MIT')).toBe(lines[at + 2]!.indexOf('MIT'));
    });

    it('--json has them under packages; an exe without a tree has no packages row', async () => {
      expect(await main(['inspect', exe, '--json'])).toBe(0);
      expect((JSON.parse(out.stdout) as InspectResult).packages).toEqual(result.packages);
      out.stdout = '';
      expect(await main(['inspect', bare.files[0]!])).toBe(0);
      expect(out.stdout).not.toMatch(/^packages/m);
    });
  });
});

describe('build --sbom', () => {
  const sbomFile = () => path.join(root, 'boms', `${NAME}.cdx.json`);
  const bom = () => JSON.parse(fs.readFileSync(sbomFile(), 'utf8')) as Record<string, any>;

  it('is written at the path relative to the current folder, and listed in the record with its hash', () => {
    const text = fs.readFileSync(sbomFile());
    expect(record.outputs['../boms/TreeSvc.cdx.json']).toEqual({ bytes: text.byteLength, sha256: createHash('sha256').update(text).digest('hex') });
    // No temporary file is left beside it.
    expect(fs.readdirSync(path.join(root, 'boms'))).toEqual([`${NAME}.cdx.json`]);
  });

  it('describes the exe inspect sees: its hash, the embedded packages, Node.js and koffi', () => {
    const b = bom();
    expect(b).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 });
    expect(b.metadata.component).toMatchObject({ type: 'application', name: NAME, version: '1.0.0', hashes: [{ alg: 'SHA-256', content: result.sha256 }] });
    const libraries = (b.components as Array<Record<string, any>>).filter((c) => c['bom-ref'].startsWith('npm:'));
    expect(libraries.map((c) => [c.group, c.name, c.version, c.purl])).toEqual([
      ['@parcel', 'watcher-win32-x64', '2.6.0', 'pkg:npm/%40parcel/watcher-win32-x64@2.6.0'],
      [undefined, 'is-number', '7.0.0', 'pkg:npm/is-number@7.0.0'],
    ]);
    const sha512 = Buffer.from(result.packages![1]!.integrity!.slice('sha512-'.length), 'base64').toString('hex');
    expect(libraries[1]!.hashes).toEqual([{ alg: 'SHA-512', content: sha512 }]);
    const node = (b.components as Array<Record<string, any>>).find((c) => c.type === 'platform')!;
    expect(node).toMatchObject({ name: 'node', version: result.node!.version, purl: `pkg:generic/node@${result.node!.version}` });
    expect(node.hashes[0].content).toMatch(/^[0-9a-f]{64}$/);
    // The project depends on is-number and (optionally) the watcher; neither depends on anything.
    const root = (b.dependencies as Array<{ ref: string; dependsOn: string[] }>).find((d) => d.ref === `exe:${NAME}`)!;
    expect(root.dependsOn.slice(0, 2)).toEqual(['npm:node_modules/@parcel/watcher-win32-x64', 'npm:node_modules/is-number']);
  });

  it('without the tree, the packages the bundle inlined are listed, marked as in the bundle', () => {
    const b = JSON.parse(fs.readFileSync(path.join(root, 'bare', 'BareSvc.cdx.json'), 'utf8')) as Record<string, any>;
    const libraries = (b.components as Array<Record<string, any>>).filter((c) => c['bom-ref'].startsWith('npm:'));
    expect(libraries).toHaveLength(1);
    expect(libraries[0]).toMatchObject({
      name: 'is-number',
      version: '7.0.0',
      purl: 'pkg:npm/is-number@7.0.0',
      hashes: bom().components.find((c: Record<string, any>) => c.name === 'is-number').hashes,
      properties: [
        { name: 'cdx:npm:package:path', value: 'node_modules/is-number' },
        { name: 'svcpack:embedded', value: 'bundle' },
      ],
    });
    expect(b.dependencies[0].dependsOn[0]).toBe('npm:node_modules/is-number');
    // With the tree, is-number (also inlined by the bundle) is listed once, as a tree package.
    expect(bom().components.filter((c: Record<string, any>) => c.name === 'is-number').map((c: Record<string, any>) => c.properties[1].value)).toEqual(['tree']);
  });

  it('a path that cannot be written stops the build before anything is written: one line, exit 2', async () => {
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const code = await main(['build', 'project/app.ts', '--name', NAME, '--out-dir', 'never', '--sbom', 'project/package.json/bom.json'], { cwd: root });
      expect(code).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toBe(`svcpack: --sbom project/package.json/bom.json: ${path.join(project, 'package.json')} is not a folder — give a file path in a folder you can write to, e.g. --sbom dist/MySvc.cdx.json\n`);
    expect(fs.existsSync(path.join(root, 'never'))).toBe(false);
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
