/**
 * The exe manifest: what an exe is, as svcpack built it, stored in the exe itself as the
 * RT_RCDATA resource `SVCPACK_MANIFEST` (language neutral, UTF-8 JSON) so that `svcpack inspect`
 * can tell what any svcpack exe is, whichever packer made it. Deterministic: fixed top-level key
 * order, nested keys sorted, no times, no paths of the build machine; environment variable values
 * are never stored (each is `"***"`: they may be secrets). Pure.
 */
import { usageError } from '../errors';
import type { LoggingSettings } from '../../runtime-shim/settings/logging-settings';
import type { ServiceSettings } from '../../runtime-shim/settings/service-settings';
import type { SupervisionSettings } from '../../runtime-shim/settings/supervision-settings';
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';

export const MANIFEST_RESOURCE_NAME = 'SVCPACK_MANIFEST';

/** What stands in for every environment variable value in the manifest. */
const REDACTED = '***';

export interface ExeManifest {
  schema: 1;
  name: string;
  displayName: string;
  description: string;
  version: string;
  svcpackVersion: string;
  node: { version: string };
  packer: 'direct' | 'pkg';
  /** The payload is Brotli-compressed (`--compress`). */
  compressed: boolean;
  stopTimeoutMs: number;
  /** The baked service settings; `env` keys with values replaced by {@link REDACTED}. */
  settings: ServiceSettings;
  logging: LoggingSettings;
  supervision: SupervisionSettings;
  /** The native addons embedded (absent in exes built before addons were supported). */
  addons?: EmbeddedAddon[];
}

/** The manifest's keys in the order they are written. */
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
  'addons',
] as const satisfies ReadonlyArray<keyof ExeManifest>;

export interface ManifestInput {
  name: string;
  displayName: string;
  description: string;
  version: string;
  svcpackVersion: string;
  nodeVersion: string;
  packer: 'direct' | 'pkg';
  compress: boolean;
  stopTimeoutMs: number;
  settings: ServiceSettings;
  logging: LoggingSettings;
  supervision: SupervisionSettings;
  addons?: EmbeddedAddon[];
}

/** The manifest of a build (only the listed fields of `input` are read; env values redacted). */
export function exeManifest(input: ManifestInput): ExeManifest {
  return {
    schema: 1,
    name: input.name,
    displayName: input.displayName,
    description: input.description,
    version: input.version,
    svcpackVersion: input.svcpackVersion,
    node: { version: input.nodeVersion },
    packer: input.packer,
    compressed: input.compress,
    stopTimeoutMs: input.stopTimeoutMs,
    settings: { ...input.settings, env: redactEnv(input.settings.env) },
    logging: input.logging,
    supervision: input.supervision,
    ...(input.addons?.length ? { addons: input.addons } : {}),
  };
}

/** `env` with every value replaced by {@link REDACTED}. */
export function redactEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(env).map((k) => [k, REDACTED]));
}

/** The resource bytes: UTF-8 JSON, top-level keys in {@link KEYS} order, nested keys sorted. */
export function encodeManifest(manifest: ExeManifest): Uint8Array {
  const ordered = Object.fromEntries(KEYS.map((k) => [k, sortKeys(manifest[k])]));
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
