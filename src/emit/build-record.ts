/** `<Name>.build.json`: what was built, from what, with which tools — and the sha256 of every output. */
import type { LoggingSettings } from '../../runtime-shim/settings/logging-settings';
import type { SupervisionSettings } from '../../runtime-shim/settings/supervision-settings';
import type { ServiceSettings } from '../../runtime-shim/settings/service-settings';
import type { ResolvedBuild } from '../config/options';

export interface BuildRecord {
  schema: 1;
  name: string;
  displayName: string;
  description: string;
  version: string;
  packer: 'direct' | 'pkg';
  /** The service settings baked into the exe as its install defaults. */
  settings: ServiceSettings;
  /** The logging settings baked into the exe. */
  logging: LoggingSettings;
  /** Supervised mode, baked into the exe. */
  supervision: SupervisionSettings;
  svcpackVersion: string;
  node: { version: string; target: 'win-x64'; source: string };
  koffiVersion: string;
  entry: string;
  /** Bundled input files (project-relative) and their sizes. */
  inputs: Record<string, number>;
  /** Output file name → size and sha256. The record itself is not listed. */
  outputs: Record<string, { bytes: number; sha256: string }>;
  /** Where the exe's bytes go: the Node runtime it was made from, and the rest (the payload). */
  size: { exeBytes: number; runtimeBytes: number; payloadBytes: number; compressed: boolean };
  /** Step durations in ms. */
  timings: Record<string, number>;
  /** Absolute output folder (not inside the exe). */
  outDir: string;
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
  entry: string;
  inputs: Record<string, number>;
  outputs: BuildRecord['outputs'];
  size: { exeBytes: number; runtimeBytes: number; compressed: boolean };
  timings: Record<string, number>;
}): BuildRecord {
  const { build } = args;
  return {
    schema: 1,
    name: build.name,
    displayName: build.displayName,
    description: build.description,
    version: build.version,
    packer: build.packer,
    settings: build.settings,
    logging: build.logging,
    supervision: build.supervision,
    svcpackVersion: args.svcpackVersion,
    node: { version: args.nodeVersion, target: 'win-x64', source: args.nodeSource },
    koffiVersion: args.koffiVersion,
    entry: args.entry,
    inputs: args.inputs,
    outputs: args.outputs,
    size: { ...args.size, payloadBytes: args.size.exeBytes - args.size.runtimeBytes },
    timings: args.timings,
    outDir: build.outDir,
  };
}
