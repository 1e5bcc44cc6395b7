import * as ResEdit from 'resedit';
import { describe, expect, it } from 'vitest';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import { DEFAULT_RUNTIME } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { SvcpackError } from '../../src/errors';
import { decodeManifest, encodeManifest, exeManifest, MANIFEST_RESOURCE_NAME, shownBaked, type BuildFacts } from '../../src/pack/manifest';
import { editExecutable } from '../../src/pack/pe';
import { versionInfoTable } from '../../src/pack/version-info';
import { thrown } from '../support/thrown';
import { minimalPe } from '../inspect/signing';

const RT_RCDATA = 10;

function config(overrides: Partial<ExeConfig> = {}): ExeConfig {
  return {
    name: 'MySvc',
    displayName: 'My Service',
    description: 'Does things',
    version: '1.4.0',
    svcpackVersion: '0.1.0',
    koffiSha256: 'ef'.repeat(32),
    ...DEFAULT_RUNTIME,
    settings: { ...defaultSettings('MySvc', 'My Service', 'Does things'), env: { PORT: '8080', API_KEY: 's3cr3t' } },
    operation: { ...DEFAULT_RUNTIME.operation, alertUrl: 'https://bot:t0ken@hooks.example.com/services/T000/B000/XXXX?sig=abc', hooks: { ...DEFAULT_RUNTIME.operation.hooks, commands: { ...DEFAULT_RUNTIME.operation.hooks.commands, preStart: 'C:\\tools\\check.cmd' } } },
    ...overrides,
  };
}

const FACTS: BuildFacts = { nodeVersion: '22.22.2', packer: 'direct', compress: true, packages: { mode: 'node', reason: 'packages: node' }, preload: ['src/tracing.ts'] };

/** The manifest of `config(overrides)`. */
const manifestOf = (overrides: Partial<ExeConfig> = {}) => exeManifest(config(overrides), FACTS);

describe('exeManifest', () => {
  it('is ExeConfig (but the koffi hash) and the build facts, with no build-machine paths and no secrets', () => {
    const m = manifestOf();
    expect(m).toMatchObject({
      schema: 1,
      name: 'MySvc',
      version: '1.4.0',
      node: { version: '22.22.2' },
      packer: 'direct',
      compressed: true,
      stopTimeoutMs: 20_000,
      logging: DEFAULT_RUNTIME.logging,
      supervision: DEFAULT_RUNTIME.supervision,
      packages: { mode: 'node', reason: 'packages: node' },
      preload: ['src/tracing.ts'],
    });
    expect(m).not.toHaveProperty('koffiSha256');
    expect(m.settings.env).toEqual({ PORT: '***', API_KEY: '***' });
    // The operation settings are there, the alert URL redacted as the catalog says.
    expect(m.operation).toEqual({ ...config().operation, alertUrl: 'https://***@hooks.example.com/services/***?***' });
    const text = Buffer.from(encodeManifest(m)).toString('utf8');
    expect(text).not.toMatch(/s3cr3t|8080|t0ken|sig=abc|T000/);
  });

  it('carries a field added to ExeConfig without an edit (written after the known ones)', () => {
    const m = exeManifest({ ...config(), futureSetting: { on: true } } as ExeConfig, FACTS);
    const text = Buffer.from(encodeManifest(m)).toString('utf8');
    expect(text.endsWith(',"futureSetting":{"on":true}}')).toBe(true);
  });
});

describe('shownBaked: the one place secrets are taken out', () => {
  it('redacts env values and the secret runtime settings, leaves the rest, and does not change its input', () => {
    const c = config();
    const shown = shownBaked(c);
    expect(shown.settings.env).toEqual({ PORT: '***', API_KEY: '***' });
    expect(shown.operation.alertUrl).toBe('https://***@hooks.example.com/services/***?***');
    expect(shown.operation.hooks).toEqual(c.operation.hooks);
    const { koffiSha256: _hash, ...rest } = c;
    expect({ ...shown, settings: c.settings, operation: c.operation }).toEqual(rest);
    expect(c.settings.env.API_KEY).toBe('s3cr3t');
  });

  it('takes a manifest of an older svcpack (no operation settings) as it is', () => {
    const { operation: _op, ...old } = manifestOf();
    expect(shownBaked(old)).toEqual(old);
  });
});

describe('encodeManifest / decodeManifest', () => {
  it('round-trips', () => {
    const m = manifestOf();
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
  });

  it('is deterministic: the same content in another key order gives the same bytes', () => {
    const a = manifestOf();
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
    const m = JSON.parse(Buffer.from(encodeManifest(manifestOf())).toString()) as Record<string, unknown>;
    expect(bad(JSON.stringify({ ...m, packer: 'bun' })).message).toMatch(/unknown packer/);
    expect(bad(JSON.stringify({ ...m, node: {} })).message).toMatch(/node\.version/);
    expect(bad('{}').code).toBe('BAD_MANIFEST');
    // An altered setting svcpack could not show redacted is refused, not shown.
    expect(bad(JSON.stringify({ ...m, operation: { ...(m.operation as object), alertUrl: 'not a url' } })).message).toMatch(/its settings are not valid: .*not an http\(s\) URL/);
    expect(bad(JSON.stringify({ ...m, operation: 'none' })).message).toMatch(/operation is not an object/);
  });
});

describe('editExecutable writes the manifest', () => {
  const table = versionInfoTable({ name: 'MySvc', version: '1.4.0', displayName: 'My Service', description: 'Does things' });

  it('as RT_RCDATA SVCPACK_MANIFEST, language neutral, replacing an older one', () => {
    const first = editExecutable(minimalPe(), { versionInfo: table, manifest: manifestOf({ version: '1.0.0' }) });
    const again = editExecutable(first, { versionInfo: table, manifest: manifestOf() });
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
