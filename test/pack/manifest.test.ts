import * as ResEdit from 'resedit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGGING } from '../../runtime-shim/settings/logging-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../runtime-shim/settings/supervision-settings';
import { SvcpackError } from '../../src/errors';
import { decodeManifest, encodeManifest, exeManifest, MANIFEST_RESOURCE_NAME, type ManifestInput } from '../../src/pack/manifest';
import { editExecutable } from '../../src/pack/pe';
import { versionInfoTable } from '../../src/pack/version-info';
import { thrown } from '../support/thrown';
import { minimalPe } from '../inspect/signing';

const RT_RCDATA = 10;

function input(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    name: 'MySvc',
    displayName: 'My Service',
    description: 'Does things',
    version: '1.4.0',
    svcpackVersion: '0.1.0',
    nodeVersion: '22.22.2',
    packer: 'direct',
    compress: true,
    stopTimeoutMs: 20_000,
    settings: { ...defaultSettings('MySvc', 'My Service', 'Does things'), env: { PORT: '8080', API_KEY: 's3cr3t' } },
    logging: DEFAULT_LOGGING,
    supervision: DEFAULT_SUPERVISION,
    ...overrides,
  };
}

describe('exeManifest', () => {
  it('takes the listed fields only (no build-machine paths) and never the env values', () => {
    const withPaths = { ...input(), entry: '/home/me/app/src/app.ts', outDir: '/home/me/app/dist', projectDir: '/home/me/app' };
    const m = exeManifest(withPaths);
    expect(m).toMatchObject({
      schema: 1,
      name: 'MySvc',
      version: '1.4.0',
      node: { version: '22.22.2' },
      packer: 'direct',
      compressed: true,
      stopTimeoutMs: 20_000,
    });
    expect(m.settings.env).toEqual({ PORT: '***', API_KEY: '***' });
    const text = Buffer.from(encodeManifest(m)).toString('utf8');
    expect(text).not.toMatch(/s3cr3t|8080|\/home\/me/);
  });
});

describe('encodeManifest / decodeManifest', () => {
  it('round-trips', () => {
    const m = exeManifest(input());
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
  });

  it('is deterministic: the same content in another key order gives the same bytes', () => {
    const a = exeManifest(input());
    const settings = Object.fromEntries(Object.entries(a.settings).reverse()) as typeof a.settings;
    settings.env = { API_KEY: '***', PORT: '***' };
    const b = { ...Object.fromEntries(Object.entries(a).reverse()), settings } as typeof a;
    expect(Buffer.from(encodeManifest(b)).equals(Buffer.from(encodeManifest(a)))).toBe(true);
    const text = Buffer.from(encodeManifest(a)).toString('utf8');
    expect(text.startsWith('{"schema":1,"name":"MySvc","displayName":"My Service",')).toBe(true);
  });

  it('a resource that is not a schema-1 manifest is a BAD_MANIFEST error naming the exe', () => {
    const bad = (text: string) => thrown(SvcpackError, () => decodeManifest(Buffer.from(text), 'dist/X.exe'));
    expect(bad('{oops').toLine()).toMatch(/^svcpack: the SVCPACK_MANIFEST resource of dist\/X\.exe is not readable \(not JSON: .*\) — /);
    expect(bad('{"schema":2}').message).toMatch(/schema 2, expected 1/);
    expect(bad('[1]').message).toMatch(/not an object/);
    const m = JSON.parse(Buffer.from(encodeManifest(exeManifest(input()))).toString()) as Record<string, unknown>;
    expect(bad(JSON.stringify({ ...m, packer: 'bun' })).message).toMatch(/unknown packer/);
    expect(bad(JSON.stringify({ ...m, node: {} })).message).toMatch(/node\.version/);
    expect(bad('{}').code).toBe('BAD_MANIFEST');
  });
});

describe('editExecutable writes the manifest', () => {
  const table = versionInfoTable({ name: 'MySvc', version: '1.4.0', displayName: 'My Service', description: 'Does things' });

  it('as RT_RCDATA SVCPACK_MANIFEST, language neutral, replacing an older one', () => {
    const first = editExecutable(minimalPe(), { versionInfo: table, manifest: exeManifest(input({ version: '1.0.0' })) });
    const again = editExecutable(first, { versionInfo: table, manifest: exeManifest(input()) });
    const entries = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(again)).entries.filter(
      (e) => e.type === RT_RCDATA && e.id === MANIFEST_RESOURCE_NAME,
    );
    expect(entries.map((e) => e.lang)).toEqual([0]);
    expect(decodeManifest(new Uint8Array(entries[0]!.bin)).version).toBe('1.4.0');
  });

  it('and none without one', () => {
    const exe = editExecutable(minimalPe(), { versionInfo: table });
    const entries = ResEdit.NtExecutableResource.from(ResEdit.NtExecutable.from(exe)).entries;
    expect(entries.some((e) => e.id === MANIFEST_RESOURCE_NAME)).toBe(false);
  });
});
