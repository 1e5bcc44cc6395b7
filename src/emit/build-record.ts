/**
 * `<Name>.build.json`: what was built, from what, with which tools — and the sha256 of every
 * output. Its settings are the exe's ExeConfig, whole, as the manifest shows them (`shownBaked`:
 * secrets redacted), so a setting added to ExeConfig is recorded without an edit here.
 */
import type { EmbeddedAddon } from '../../runtime-shim/addons/embedded-addon';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import type { EmbeddedPackage } from '../deps/tree-files';
import type { ResolvedBuild } from '../config/options';
import { shownBaked, type BakedConfig, type PackagesDecision } from '../pack/manifest';
import type { Target } from '../targets';

/**
 * What a signature is recorded as (`signature` here, in `svcpack sign --json` and the API's
 * SignResult); made by sign/record.ts from the verified signature.
 */
export interface SignatureRecord {
  /** What signed: osslsigncode, signtool, or the user's `--sign-command`. */
  tool: 'osslsigncode' | 'signtool' | 'command';
  /** Always 'valid': a signature that does not verify is never recorded (SIGN_VERIFY_FAILED). */
  status: 'valid';
  /** The Authenticode digest, e.g. 'sha256'. */
  digestAlgorithm: string;
  /** The signer certificate; dates ISO 8601, fingerprint lower-case hex SHA-256 of the certificate. */
  signer: { subject: string; issuer: string; serialNumber: string; notBefore: string; notAfter: string; sha256Fingerprint: string };
  /** Base name of the `--pfx` or `--cert` file; null for a sign command. */
  certificateFile: string | null;
  /** The description (program name) and URL in the signature, null when it has none. */
  description: string | null;
  url: string | null;
  /** The RFC 3161 timestamp: the server asked (null for a sign command) and the time it certified; null when unstamped. */
  timestamp: { url: string | null; time: string } | null;
  /** Warnings printed while signing (e.g. signed without a timestamp). */
  warnings: string[];
}

/**
 * The record. From ExeConfig: the identity (name, displayName, description, version,
 * svcpackVersion) and every baked setting (stopTimeoutMs, the service settings as install
 * defaults, logging, supervision, operation), environment values shown as `***` and the alert
 * URL redacted.
 */
export interface BuildRecord extends BakedConfig {
  schema: 1;
  packer: 'direct' | 'pkg';
  /** The embedded Node.js, and the target and source of the first target's executable. */
  node: { version: string; target: Target; source: string };
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
  packages: PackagesDecision;
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
  /**
   * Every target built, in build order (win-x64 first): its executable, its outputs (file names in
   * `outputs`), where its Node binary came from, the SHA-256 of the koffi.node it embeds, its
   * size and its own steps' durations (ms). The top-level `size`, `addons`, `embedded`, `inputs`
   * and `koffiVersion` are the first target's; `timings` holds the shared steps and the first
   * target's. Absent in records of svcpacks before targets.
   */
  targets?: Partial<Record<Target, TargetRecord>>;
}

export interface TargetRecord {
  executable: string;
  outputs: string[];
  node: { source: string };
  koffiSha256: string;
  size: { exeBytes: number; runtimeBytes: number; payloadBytes: number };
  timings: Record<string, number>;
}

export function recordFileName(name: string): string {
  return `${name}.build.json`;
}

export function buildRecord(args: {
  build: ResolvedBuild;
  /** What the exe bakes in (svcpackVersion included). */
  exeConfig: ExeConfig;
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
  targets?: BuildRecord['targets'];
}): BuildRecord {
  const { build } = args;
  return {
    schema: 1,
    ...shownBaked(args.exeConfig),
    packer: build.packer,
    node: { version: args.nodeVersion, target: build.targets[0] ?? 'win-x64', source: args.nodeSource },
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
    ...(args.targets ? { targets: args.targets } : {}),
  };
}
