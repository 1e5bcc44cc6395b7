/**
 * The exe manifest: what an exe is, as svcpack built it, stored in the exe itself as the
 * RT_RCDATA resource `SVCPACK_MANIFEST` (language neutral, UTF-8 JSON) so that `svcpack inspect`
 * can tell what any svcpack exe is, whichever packer made it. Its settings are the exe's
 * `ExeConfig`, whole (a setting added there is in the manifest without an edit here), as
 * `shownBaked` redacts them. Deterministic: fixed top-level key order, nested keys sorted, no
 * times, no paths of the build machine. Pure.
 */
import { usageError } from '../errors';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import type { OperationSettings } from '../../runtime-shim/settings/operation-settings';
import { redactRuntime, runtimeOf } from '../../runtime-shim/settings/runtime-settings';
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';

export const MANIFEST_RESOURCE_NAME = 'SVCPACK_MANIFEST';

/** What stands in for every environment variable value outside the exe. */
const REDACTED = '***';

/** What an exe bakes in, as shown outside it: its ExeConfig but the koffi.node hash (a load check, not a setting). */
export type BakedConfig = Omit<ExeConfig, 'koffiSha256'>;

/**
 * `config` as it may be shown or stored outside the exe (the manifest, the build record,
 * `svcpack inspect`): environment variable values replaced by `***`, and the runtime settings the
 * catalog marks secret (the alert URL's credentials, query and token path) redacted. The one
 * place secrets are taken out; every other field passes as it is.
 */
export function shownBaked<T extends Pick<ExeConfig, 'settings' | 'stopTimeoutMs' | 'logging' | 'supervision'> & { operation?: OperationSettings }>(config: T): Omit<T, 'koffiSha256'> {
  const { koffiSha256: _hash, ...shown } = config as T & { koffiSha256?: string };
  const env = shown.settings?.env;
  const settings = env && typeof env === 'object' ? { ...shown.settings, env: redactEnv(env) } : shown.settings;
  if (!shown.operation) return { ...shown, settings };
  const runtime = redactRuntime(runtimeOf({ ...shown, operation: shown.operation }));
  return { ...shown, settings, operation: runtime.operation };
}

/** How the app reaches its packages (`--packages`), and why: `auto` decides by the dependency tree. */
export interface PackagesDecision {
  mode: 'bundle' | 'node';
  reason: string;
}

/** What the build decided besides ExeConfig. */
export interface BuildFacts {
  nodeVersion: string;
  packer: 'direct' | 'pkg';
  compress: boolean;
  packages: PackagesDecision;
  /** The `--preload` modules, project-relative, in the order they run. */
  preload: string[];
  addons?: EmbeddedAddon[];
}

/**
 * The manifest. Exes built by older svcpacks lack what later ones added: `operation` (exit
 * codes, hooks, alert URL), `packages` and `preload`.
 */
export type ExeManifest = Omit<BakedConfig, 'operation'> & {
  schema: 1;
  node: { version: string };
  packer: 'direct' | 'pkg';
  /** The payload is Brotli-compressed (`--compress`). */
  compressed: boolean;
  /** Exit-code policy, hooks and alert URL (redacted). */
  operation?: OperationSettings;
  packages?: PackagesDecision;
  preload?: string[];
  /** The native addons embedded (absent when none, and in exes built before addons were supported). */
  addons?: EmbeddedAddon[];
};

/** The manifest's first keys, in the order they are written; any other key follows, sorted. */
const KEYS = [
  'schema',
  'name',
  'displayName',
  'description',
  'version',
  'svcpackVersion',
  'node',
  'packer',
  'compressed',
  'stopTimeoutMs',
  'settings',
  'logging',
  'supervision',
  'operation',
  'packages',
  'preload',
  'addons',
] as const satisfies ReadonlyArray<keyof ExeManifest>;

/** The manifest of an exe baked with `config` (secrets redacted by shownBaked). */
export function exeManifest(config: ExeConfig, facts: BuildFacts): ExeManifest {
  return {
    schema: 1,
    ...shownBaked(config),
    node: { version: facts.nodeVersion },
    packer: facts.packer,
    compressed: facts.compress,
    packages: facts.packages,
    preload: facts.preload,
    ...(facts.addons?.length ? { addons: facts.addons } : {}),
  };
}

/** `env` with every value replaced by {@link REDACTED}. */
export function redactEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((k) => [k, REDACTED]));
}

/** The resource bytes: UTF-8 JSON, top-level keys in {@link KEYS} order (then the others, sorted), nested keys sorted. */
export function encodeManifest(manifest: ExeManifest): Uint8Array {
  const first: readonly string[] = KEYS;
  const keys = [...KEYS, ...Object.keys(manifest).filter((k) => !first.includes(k)).sort()];
  const ordered = Object.fromEntries(keys.map((k) => [k, sortKeys((manifest as Record<string, unknown>)[k])]));
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

/**
 * Reads a manifest resource. A resource that is not a schema-1 manifest (damaged, or written by
 * a newer svcpack) is a usage error naming `label`.
 */
export function decodeManifest(bytes: Uint8Array, label = 'the exe'): ExeManifest {
  const bad = (why: string) =>
    usageError('BAD_MANIFEST', `the ${MANIFEST_RESOURCE_NAME} resource of ${label} is not readable (${why})`, 'the exe was altered, or built by a newer svcpack: upgrade svcpack');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw bad(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not an object');
  const m = value as Record<string, unknown>;
  if (m.schema !== 1) throw bad(`schema ${JSON.stringify(m.schema)}, expected 1`);
  for (const key of ['name', 'displayName', 'description', 'version', 'svcpackVersion'] as const) {
    if (typeof m[key] !== 'string') throw bad(`${key} is not a string`);
  }
  if (m.packer !== 'direct' && m.packer !== 'pkg') throw bad('unknown packer');
  if (typeof (m.node as { version?: unknown } | null)?.version !== 'string') throw bad('no node.version');
  if (typeof m.compressed !== 'boolean' || typeof m.stopTimeoutMs !== 'number') throw bad('compressed or stopTimeoutMs missing');
  for (const key of ['settings', 'logging', 'supervision'] as const) {
    if (typeof m[key] !== 'object' || m[key] === null) throw bad(`${key} is missing`);
  }
  if (m.operation !== undefined && (typeof m.operation !== 'object' || m.operation === null)) throw bad('operation is not an object');
  try {
    // Only settings svcpack can show (with their secrets redacted) are accepted.
    shownBaked(value as ExeManifest);
  } catch (err) {
    throw bad(`its settings are not valid: ${(err as Error).message}`);
  }
  return value as ExeManifest;
}

/** `value` with the keys of every nested object in sorted order (arrays keep their order). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
