/** `<Name>.build.json`: what was built, from what, with which tools — and the sha256 of every output. */
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';
import type { EmbeddedPackage } from '../deps/tree-files';
import type { LoggingSettings } from '../../runtime-shim/settings/logging-settings';
import type { SupervisionSettings } from '../../runtime-shim/settings/supervision-settings';
import type { ServiceSettings } from '../../runtime-shim/settings/service-settings';
import type { ResolvedBuild } from '../config/options';
import { redactEnv } from '../pack/manifest';
import type { SignatureRecord } from '../sign/record';

export interface BuildRecord {
  schema: 1;
  name: string;
  displayName: string;
  description: string;
  version: string;
  packer: 'direct' | 'pkg';
  /** The service settings baked into the exe as its install defaults; `env` values shown as `***`. */
  settings: ServiceSettings;
  /** The logging settings baked into the exe. */
  logging: LoggingSettings;
  /** Supervised mode, baked into the exe. */
  supervision: SupervisionSettings;
  svcpackVersion: string;
  node: { version: string; target: 'win-x64'; source: string };
  koffiVersion: string;
  /** The native addons embedded in the exe: package, version, where each came from, its files and their sha256. */
  addons: EmbeddedAddon[];
  /**
   * What the exe embeds besides the app bundle: modules started on their own (worker
   * threads, forked modules, library worker files; tree paths) and files read at run time (tree
   * path and size). Empty lists for an app that uses none, and with the pkg packer. `packages`:
   * with `--embed-dependencies`, every package of the production dependency tree embedded
   * (name, version, integrity, license, location, where its files came from, file count and bytes
   * after the filter).
   */
  embedded: { modules: string[]; files: Array<{ path: string; bytes: number }>; packages?: EmbeddedPackage[] };
  entry: string;
  /**
   * How the app reaches its packages: `bundle` (inlined into the bundle) or `node` (loaded by Node's
   * `require` from the embedded tree, where module load hooks see them), and why (packages `auto`).
   */
  packages: { mode: 'bundle' | 'node'; reason: string };
  /** The `--preload` modules, project-relative, in the order they run. */
  preload: string[];
  /** Bundled input files (project-relative) and their sizes. */
  inputs: Record<string, number>;
  /** Output file name → size and sha256. The record itself is not listed. */
  outputs: Record<string, { bytes: number; sha256: string }>;
  /** Where the exe's bytes go: the Node runtime it was made from, and the rest (the payload). */
  size: { exeBytes: number; runtimeBytes: number; payloadBytes: number; compressed: boolean };
  /** Step durations in ms. */
  timings: Record<string, number>;
  /** SOURCE_DATE_EPOCH when it was set: the exe's PE TimeDateStamp; null: node.exe's own. */
  sourceDateEpoch: number | null;
  /** Absolute output folder (not inside the exe). */
  outDir: string;
  /** The exe's Authenticode signature, verified after signing (src/sign/record.ts); absent when unsigned. */
  signature?: SignatureRecord;
}

export function recordFileName(name: string): string {
  return `${name}.build.json`;
}

export function buildRecord(args: {
  build: ResolvedBuild;
  svcpackVersion: string;
  nodeVersion: string;
  nodeSource: string;
  koffiVersion: string;
  addons: EmbeddedAddon[];
  embedded?: BuildRecord['embedded'];
  entry: string;
  packages: BuildRecord['packages'];
  preload: string[];
  inputs: Record<string, number>;
  outputs: BuildRecord['outputs'];
  size: { exeBytes: number; runtimeBytes: number; compressed: boolean };
  timings: Record<string, number>;
  sourceDateEpoch: number | null;
  signature?: SignatureRecord;
}): BuildRecord {
  const { build } = args;
  return {
    schema: 1,
    name: build.name,
    displayName: build.displayName,
    description: build.description,
    version: build.version,
    packer: build.packer,
    // Environment values may be secrets: the record names the variables only.
    settings: { ...build.settings, env: redactEnv(build.settings.env) },
    logging: build.logging,
    supervision: build.supervision,
    svcpackVersion: args.svcpackVersion,
    node: { version: args.nodeVersion, target: 'win-x64', source: args.nodeSource },
    koffiVersion: args.koffiVersion,
    addons: args.addons,
    embedded: args.embedded ?? { modules: [], files: [] },
    entry: args.entry,
    packages: args.packages,
    preload: args.preload,
    inputs: args.inputs,
    outputs: args.outputs,
    size: { ...args.size, payloadBytes: args.size.exeBytes - args.size.runtimeBytes },
    timings: { ...args.timings },
    sourceDateEpoch: args.sourceDateEpoch,
    outDir: build.outDir,
    ...(args.signature ? { signature: args.signature } : {}),
  };
}
