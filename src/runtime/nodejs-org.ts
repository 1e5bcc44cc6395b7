import { createHash } from 'node:crypto';
import { failure } from '../errors';
import type { NodeArch, NodePlatform } from './cache';
import { getBuffer, getText, HttpStatusError, type GetOptions } from './http';
import { highestOfMajor } from './node-version';
import { extractFromTgz } from './tar';

/**
 * Fallback source: the nodejs.org dist layout (`<mirror>/v<v>/...`), each file checked against
 * `<mirror>/v<v>/SHASUMS256.txt`. Windows: `win-<arch>/node.exe` as is; Linux/macOS:
 * `node-v<v>-<platform>-<arch>.tar.gz` -> `node-v<v>-<platform>-<arch>/bin/node`.
 */

export const DEFAULT_NODEJS_MIRROR = 'https://nodejs.org/dist';

/** Thrown when the mirror has no such release (SHASUMS256.txt answers 404). */
export class MirrorMissingVersionError extends Error {
  constructor(readonly version: string) {
    super(`v${version} is not on the mirror`);
  }
}

const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/** Parses SHASUMS256.txt into `file name -> sha256 hex`. */
export function parseShasums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(\S.*)$/.exec(line.trim());
    if (m) out.set((m[2] as string).trim(), (m[1] as string).toLowerCase());
  }
  return out;
}

/**
 * Downloads the Node binary for `platform-arch` at `version` from `mirror`, verifies it against
 * SHASUMS256.txt and returns its bytes. Throws MirrorMissingVersionError for an unknown release,
 * failure RUNTIME_INTEGRITY on a hash mismatch, plain Errors otherwise.
 */
export async function downloadFromNodejsOrg(args: {
  mirror: string;
  version: string;
  platform: NodePlatform;
  arch: NodeArch;
  fetchImpl: typeof fetch;
  onBytes?: GetOptions['onBytes'];
  signal?: AbortSignal;
}): Promise<{ data: Buffer; url: string }> {
  const { version, platform, arch, fetchImpl, signal } = args;
  const base = `${trimSlash(args.mirror)}/v${version}`;
  let sums: Map<string, string>;
  try {
    sums = parseShasums(await getText(`${base}/SHASUMS256.txt`, { fetchImpl, signal }));
  } catch (err) {
    if (err instanceof HttpStatusError && err.status === 404) throw new MirrorMissingVersionError(version);
    throw err;
  }
  const stem = `node-v${version}-${platform}-${arch}`;
  const rel = platform === 'win' ? `win-${arch}/node.exe` : `${stem}.tar.gz`;
  const expected = sums.get(rel);
  if (!expected) throw new Error(`${rel} is not listed in SHASUMS256.txt`);
  const url = `${base}/${rel}`;
  const body = await getBuffer(url, { fetchImpl, onBytes: args.onBytes, signal });
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== expected) {
    throw failure(
      'RUNTIME_INTEGRITY',
      `${url} does not match its SHASUMS256.txt entry (expected ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…)`,
      'retry; if it persists, the mirror or a proxy is serving altered files',
    );
  }
  if (platform === 'win') return { data: body, url };
  const data = await extractFromTgz(body, `${stem}/bin/node`);
  if (!data) throw new Error(`${rel} has no ${stem}/bin/node`);
  return { data, url };
}

/**
 * Newest release of `major` listed in `<mirror>/index.json` that ships a build for
 * `platform-arch` (index `files` names such as `win-x64-exe`, `linux-x64`).
 */
export async function newestFromIndex(args: {
  mirror: string;
  major: number;
  platform: NodePlatform;
  arch: NodeArch;
  fetchImpl: typeof fetch;
}): Promise<string | undefined> {
  const index = JSON.parse(await getText(`${trimSlash(args.mirror)}/index.json`, { fetchImpl: args.fetchImpl })) as unknown;
  if (!Array.isArray(index)) throw new Error('index.json is not a list');
  const fileKey = args.platform === 'win' ? `win-${args.arch}-exe` : args.platform === 'darwin' ? `osx-${args.arch}-tar` : `linux-${args.arch}`;
  const versions: string[] = [];
  for (const rel of index as Array<{ version?: unknown; files?: unknown }>) {
    if (typeof rel?.version !== 'string') continue;
    if (Array.isArray(rel.files) && !rel.files.includes(fileKey)) continue;
    versions.push(rel.version.replace(/^v/, ''));
  }
  return highestOfMajor(versions, args.major);
}
