/**
 * The CycloneDX 1.6 SBOM (src/emit/sbom.ts) and the tree's dependency edges (src/deps/tree-edges.ts):
 * the document's shape, package URLs of scoped names, SPDX ids vs expressions vs names, SRI
 * integrity as hex hashes, the nested addon files, and a serial number that depends on the exe alone.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';
import { declaredDependencies, resolveInTree, treeEdges, treeManifests } from '../../src/deps/tree-edges';
import { cycloneDxBom, integrityHashes, licenseChoice, npmPurl, sbomSerialNumber, splitName, type SbomInput } from '../../src/emit/sbom';

const sri = (alg: string, bytes: Buffer): string => `${alg}-${bytes.toString('base64')}`;
const digest = (alg: string, text: string): Buffer => createHash(alg).update(text).digest();

const EXE_SHA = 'ab'.repeat(32);

function input(overrides: Partial<SbomInput> = {}): SbomInput {
  return {
    exe: { name: 'MySvc', version: '1.4.0', description: 'My service', sha256: EXE_SHA, company: 'ACME' },
    svcpackVersion: '0.1.0',
    node: { version: '26.10.0', sha256: 'cd'.repeat(32) },
    koffi: { version: '2.12.4', sha256: 'ef'.repeat(32) },
    packages: [
      { name: 'express', version: '5.3.0', license: 'MIT', integrity: sri('sha512', digest('sha512', 'express')), location: 'node_modules/express' },
      { name: '@babel/core', version: '7.29.0', license: '(MIT OR Apache-2.0)', integrity: null, location: 'node_modules/@babel/core' },
      { name: 'debug', version: '2.6.9', license: null, integrity: sri('sha1', digest('sha1', 'debug')), location: 'node_modules/express/node_modules/debug' },
      { name: 'better-sqlite3', version: '12.2.0', license: 'MIT', integrity: null, location: 'node_modules/better-sqlite3' },
    ],
    addons: [],
    timestamp: new Date(1_767_225_600_000),
    ...overrides,
  };
}

type Component = Record<string, unknown> & { 'bom-ref': string; name: string; components?: Component[] };
const components = (bom: Record<string, unknown>) => bom.components as Component[];
const byRef = (bom: Record<string, unknown>, ref: string) => components(bom).find((c) => c['bom-ref'] === ref)!;

describe('cycloneDxBom', () => {
  it('is a CycloneDX 1.6 document: format, serial number, version 1, metadata with the tool and the exe', () => {
    const bom = cycloneDxBom(input());
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json' });
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bom.metadata).toEqual({
      timestamp: '2026-01-01T00:00:00Z',
      tools: { components: [{ type: 'application', name: 'svcpack', version: '0.1.0', purl: 'pkg:npm/svcpack@0.1.0' }] },
      component: {
        type: 'application',
        'bom-ref': 'exe:MySvc',
        supplier: { name: 'ACME' },
        name: 'MySvc',
        version: '1.4.0',
        description: 'My service',
        hashes: [{ alg: 'SHA-256', content: EXE_SHA }],
        properties: [{ name: 'svcpack:file', value: 'MySvc.exe' }],
      },
    });
  });

  it('one library per tree location, in location order: group and name split, purl, hashes, licenses, path property', () => {
    const bom = cycloneDxBom(input());
    const tree = components(bom).filter((c) => c['bom-ref'].startsWith('npm:'));
    expect(tree.map((c) => c['bom-ref'])).toEqual(['npm:node_modules/@babel/core', 'npm:node_modules/better-sqlite3', 'npm:node_modules/express', 'npm:node_modules/express/node_modules/debug']);
    expect(tree[0]).toEqual({
      type: 'library',
      'bom-ref': 'npm:node_modules/@babel/core',
      group: '@babel',
      name: 'core',
      version: '7.29.0',
      purl: 'pkg:npm/%40babel/core@7.29.0',
      licenses: [{ expression: '(MIT OR Apache-2.0)' }],
      properties: [
        { name: 'cdx:npm:package:path', value: 'node_modules/@babel/core' },
        { name: 'svcpack:embedded', value: 'tree' },
      ],
    });
    expect(tree[2]).toMatchObject({
      name: 'express',
      purl: 'pkg:npm/express@5.3.0',
      hashes: [{ alg: 'SHA-512', content: digest('sha512', 'express').toString('hex') }],
      licenses: [{ license: { id: 'MIT' } }],
    });
    expect(tree[2]).not.toHaveProperty('group');
    // No license, SHA-1 integrity.
    expect(tree[3]).not.toHaveProperty('licenses');
    expect(tree[3]!.hashes).toEqual([{ alg: 'SHA-1', content: digest('sha1', 'debug').toString('hex') }]);
  });

  it('a package only the app bundle inlined says so', () => {
    const bom = cycloneDxBom(input({ packages: [{ name: 'left-pad', version: '1.3.0', license: 'WTFPL', integrity: null, location: 'node_modules/left-pad', embedded: 'bundle' }] }));
    expect(byRef(bom, 'npm:node_modules/left-pad').properties).toEqual([
      { name: 'cdx:npm:package:path', value: 'node_modules/left-pad' },
      { name: 'svcpack:embedded', value: 'bundle' },
    ]);
  });

  it('Node.js as a platform with its CPE, purl and hash; svcpack and koffi (with koffi.node) as libraries', () => {
    const bom = cycloneDxBom(input());
    expect(byRef(bom, 'runtime:node')).toMatchObject({
      type: 'platform',
      name: 'node',
      version: '26.10.0',
      hashes: [{ alg: 'SHA-256', content: 'cd'.repeat(32) }],
      cpe: 'cpe:2.3:a:nodejs:node.js:26.10.0:*:*:*:*:*:*:*',
      purl: 'pkg:generic/node@26.10.0',
    });
    expect(byRef(cycloneDxBom(input({ node: { version: '22.22.2' } })), 'runtime:node')).not.toHaveProperty('hashes');
    expect(byRef(bom, 'runtime:svcpack')).toMatchObject({ type: 'library', name: 'svcpack', version: '0.1.0', purl: 'pkg:npm/svcpack@0.1.0' });
    expect(byRef(bom, 'runtime:koffi')).toMatchObject({
      name: 'koffi',
      purl: 'pkg:npm/koffi@2.12.4',
      components: [{ type: 'file', name: 'win32_x64/koffi.node', hashes: [{ alg: 'SHA-256', content: 'ef'.repeat(32) }] }],
    });
  });

  it('native addons: their files nest in their tree package; an addon whose package is not in the tree is a library of its own', () => {
    const addon = (pkg: string, version: string, source: EmbeddedAddon['source']): EmbeddedAddon => ({
      package: pkg,
      version,
      source,
      main: 'build/Release/addon.node',
      files: [
        { path: 'build/Release/addon.node', sha256: '11'.repeat(32), bytes: 10 },
        { path: 'build/Release/helper.dll', sha256: '22'.repeat(32), bytes: 20 },
      ],
      key: '33'.repeat(32),
    });
    const bom = cycloneDxBom(input({ addons: [addon('better-sqlite3', '12.2.0', 'installed'), addon('@scope/native-win32-x64-msvc', '1.0.0', 'registry')] }));
    const nested = byRef(bom, 'npm:node_modules/better-sqlite3').components!;
    expect(nested.map((c) => [c.type, c.name, c.hashes])).toEqual([
      ['file', 'build/Release/addon.node', [{ alg: 'SHA-256', content: '11'.repeat(32) }]],
      ['file', 'build/Release/helper.dll', [{ alg: 'SHA-256', content: '22'.repeat(32) }]],
    ]);
    expect(nested[0]!.properties).toEqual([{ name: 'svcpack:addon:source', value: 'installed' }, { name: 'svcpack:addon:main', value: 'true' }]);
    const standalone = byRef(bom, 'addon:@scope/native-win32-x64-msvc@1.0.0');
    expect(standalone).toMatchObject({ type: 'library', group: '@scope', name: 'native-win32-x64-msvc', purl: 'pkg:npm/%40scope/native-win32-x64-msvc@1.0.0' });
    expect(standalone.components).toHaveLength(2);
    const root = (bom.dependencies as Array<{ ref: string; dependsOn: string[] }>).find((d) => d.ref === 'exe:MySvc')!;
    expect(root.dependsOn).toContain('addon:@scope/native-win32-x64-msvc@1.0.0');
    // Every bom-ref, nested ones included, is unique.
    const refs: string[] = [];
    const walk = (list: Component[]) => list.forEach((c) => (refs.push(c['bom-ref']), walk(c.components ?? [])));
    walk(components(bom));
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('the dependency graph: the exe on its direct dependencies and the runtime; each package on what it resolves in the tree', () => {
    const edges = new Map([
      ['', ['node_modules/express', 'node_modules/@babel/core']],
      ['node_modules/express', ['node_modules/express/node_modules/debug', 'node_modules/not-embedded']],
    ]);
    const deps = cycloneDxBom(input({ edges })).dependencies as Array<{ ref: string; dependsOn: string[] }>;
    expect(deps[0]).toEqual({ ref: 'exe:MySvc', dependsOn: ['npm:node_modules/express', 'npm:node_modules/@babel/core', 'runtime:node', 'runtime:svcpack', 'runtime:koffi'] });
    expect(deps.find((d) => d.ref === 'npm:node_modules/express')!.dependsOn).toEqual(['npm:node_modules/express/node_modules/debug']);
    expect(deps.find((d) => d.ref === 'npm:node_modules/@babel/core')!.dependsOn).toEqual([]);
    expect(deps.find((d) => d.ref === 'runtime:svcpack')!.dependsOn).toEqual(['runtime:koffi']);
    // Every ref of the graph is a component.
    const bom = cycloneDxBom(input({ edges }));
    const known = new Set(['exe:MySvc', ...components(bom).map((c) => c['bom-ref'])]);
    for (const d of bom.dependencies as Array<{ ref: string; dependsOn: string[] }>) for (const r of [d.ref, ...d.dependsOn]) expect(known.has(r)).toBe(true);
  });

  it('is deterministic: the same input gives the same text; the serial number depends on the exe hash alone', () => {
    const text = JSON.stringify(cycloneDxBom(input()));
    expect(JSON.stringify(cycloneDxBom(input()))).toBe(text);
    // The package order given does not matter.
    expect(JSON.stringify(cycloneDxBom(input({ packages: [...input().packages].reverse() })))).toBe(text);
    expect(sbomSerialNumber(EXE_SHA)).toBe(sbomSerialNumber(EXE_SHA.toUpperCase()));
    expect(sbomSerialNumber(EXE_SHA)).not.toBe(sbomSerialNumber('ac'.repeat(32)));
    expect(cycloneDxBom(input({ timestamp: new Date() })).serialNumber).toBe(cycloneDxBom(input()).serialNumber);
  });
});

describe('package URLs and names', () => {
  it('scoped names: the scope is the namespace, "@" percent-encoded; names lower-cased; versions encoded', () => {
    expect(npmPurl('@types/node', '22.20.5')).toBe('pkg:npm/%40types/node@22.20.5');
    expect(npmPurl('JSONStream', '1.3.5')).toBe('pkg:npm/jsonstream@1.3.5');
    expect(npmPurl('x', '1.0.0-rc.1+build.5')).toBe('pkg:npm/x@1.0.0-rc.1%2Bbuild.5');
    expect(splitName('@img/sharp-win32-x64')).toEqual({ group: '@img', name: 'sharp-win32-x64' });
    expect(splitName('express')).toEqual({ name: 'express' });
  });
});

describe('licenseChoice', () => {
  it('one SPDX id → license.id; any other SPDX expression → expression; anything else → license.name; none → []', () => {
    expect(licenseChoice('MIT')).toEqual([{ license: { id: 'MIT' } }]);
    expect(licenseChoice('Apache-2.0')).toEqual([{ license: { id: 'Apache-2.0' } }]);
    expect(licenseChoice('(MIT OR Apache-2.0)')).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
    expect(licenseChoice('MIT AND BSD-3-Clause')).toEqual([{ expression: 'MIT AND BSD-3-Clause' }]);
    expect(licenseChoice('GPL-2.0-only WITH Classpath-exception-2.0')).toEqual([{ expression: 'GPL-2.0-only WITH Classpath-exception-2.0' }]);
    expect(licenseChoice('GPL-2.0+')).toEqual([{ expression: 'GPL-2.0+' }]);
    expect(licenseChoice('LicenseRef-ACME')).toEqual([{ expression: 'LicenseRef-ACME' }]);
    expect(licenseChoice('SEE LICENSE IN LICENSE.txt')).toEqual([{ license: { name: 'SEE LICENSE IN LICENSE.txt' } }]);
    expect(licenseChoice('UNLICENSED')).toEqual([{ license: { name: 'UNLICENSED' } }]);
    expect(licenseChoice('mit')).toEqual([{ license: { name: 'mit' } }]);
    expect(licenseChoice(null)).toEqual([]);
    expect(licenseChoice('  ')).toEqual([]);
  });
});

describe('integrityHashes', () => {
  it('SRI → CycloneDX algorithm names and hex content; several entries; malformed or unknown ones left out', () => {
    const sha512 = digest('sha512', 'a');
    const sha256 = digest('sha256', 'a');
    expect(integrityHashes(sri('sha512', sha512))).toEqual([{ alg: 'SHA-512', content: sha512.toString('hex') }]);
    expect(integrityHashes(`${sri('sha256', sha256)} ${sri('sha512', sha512)}?opt`)).toEqual([
      { alg: 'SHA-256', content: sha256.toString('hex') },
      { alg: 'SHA-512', content: sha512.toString('hex') },
    ]);
    expect(integrityHashes(sri('sha384', digest('sha384', 'a')))[0]!.alg).toBe('SHA-384');
    expect(integrityHashes(`md5-${digest('md5', 'a').toString('base64')}`)).toEqual([]);
    expect(integrityHashes('sha512-tooShort')).toEqual([]);
    expect(integrityHashes(null)).toEqual([]);
    // The same hash twice is listed once.
    expect(integrityHashes(`${sri('sha512', sha512)} ${sri('sha512', sha512)}`)).toHaveLength(1);
  });
});

describe('tree edges', () => {
  const locations = new Set(['node_modules/a', 'node_modules/b', 'node_modules/a/node_modules/b', 'node_modules/@s/c', 'node_modules/@s/c/node_modules/d']);

  it('resolves as Node does: the nearest node_modules first, then each enclosing one', () => {
    expect(resolveInTree('', 'a', locations)).toBe('node_modules/a');
    expect(resolveInTree('node_modules/a', 'b', locations)).toBe('node_modules/a/node_modules/b');
    expect(resolveInTree('node_modules/@s/c', 'b', locations)).toBe('node_modules/b');
    expect(resolveInTree('node_modules/@s/c/node_modules/d', 'a', locations)).toBe('node_modules/a');
    expect(resolveInTree('node_modules/@s/c/node_modules/d', 'd', locations)).toBe('node_modules/@s/c/node_modules/d');
    expect(resolveInTree('node_modules/a', 'missing', locations)).toBeNull();
  });

  it('from the embedded package.json files: dependencies, optional and peer dependencies; the project as ""', () => {
    expect(declaredDependencies({ dependencies: { b: '1' }, optionalDependencies: { c: '1' }, peerDependencies: { a: '1' }, devDependencies: { x: '1' } })).toEqual(['a', 'b', 'c']);
    expect(declaredDependencies('nope')).toEqual([]);
    const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const manifests = treeManifests(
      { dependencies: { a: '^1', '@s/c': '^1' }, devDependencies: { b: '^1' } },
      {
        files: [
          { rel: 'node_modules/a/package.json', data: json({ dependencies: { b: '^2' } }) },
          { rel: 'node_modules/@s/c/package.json', data: json({ dependencies: { b: '^1', d: '^1', gone: '^1' } }) },
          { rel: 'node_modules/b/package.json', data: new TextEncoder().encode('{ not json') },
        ],
        packages: [...locations].map((location) => ({ location })),
      },
    );
    expect(Object.fromEntries(treeEdges(manifests))).toEqual({
      '': ['node_modules/@s/c', 'node_modules/a'],
      'node_modules/a': ['node_modules/a/node_modules/b'],
      'node_modules/b': [],
      'node_modules/a/node_modules/b': [],
      'node_modules/@s/c': ['node_modules/@s/c/node_modules/d', 'node_modules/b'],
      'node_modules/@s/c/node_modules/d': [],
    });
  });
});
