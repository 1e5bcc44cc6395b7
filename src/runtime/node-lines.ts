/**
 * Which Node.js release lines svcpack embeds, and what each offers the exe. A Windows service runs
 * for years, so only LTS lines are supported (odd lines never become LTS), each from the first
 * patch that has every SEA feature the exe relies on. The default is a pinned patch of the newest
 * LTS line: the pin moves to a newer patch when one is published on the npm registry for both
 * win-x64 and the build platforms and the end-to-end suite passes on it under Wine, and to a new
 * line once that line has entered LTS (October of even years) and passed the same suite. A line
 * leaves this table when it reaches its end of life.
 */
import { compareVersions, type VersionSpec } from './node-version';

export interface NodeLine {
  major: number;
  /**
   * The oldest patch svcpack accepts: the first with `module.registerHooks` (the SEA loader),
   * SEA assets and the SEA `execArgvExtension` setting (NODE_OPTIONS ignored unless opted in).
   * Measured by the strings in the official binaries: 22.19.0 and 24.6.0 lack execArgvExtension,
   * 22.20.0 and 24.7.0 have it.
   */
  minimum: string;
  /** The patch the end-to-end suite runs as a service under Wine for this line (test/e2e/node-lines.test.ts). */
  proven: string;
  /** NODE_MODULE_VERSION: the ABI of native addons built for this line (node-abi's registry). */
  abi: number;
  /**
   * `"mainFormat": "module"`: the app bundle itself can be the SEA main, an ES module whose
   * `import.meta.url` is the exe's file URL, so no loader script is needed. Node 26 only: ESM SEA
   * entry points were added in the 25.x line, and the 22 and 24 binaries know no `mainFormat`.
   */
  moduleMain: boolean;
  /** End of life (last day of security fixes), per the Node.js release schedule. */
  endOfLife: string;
}

export const NODE_LINES: readonly NodeLine[] = [
  { major: 22, minimum: '22.20.0', proven: '22.22.2', abi: 127, moduleMain: false, endOfLife: '2027-04-30' },
  { major: 24, minimum: '24.7.0', proven: '24.21.0', abi: 137, moduleMain: false, endOfLife: '2028-04-30' },
  { major: 26, minimum: '26.0.0', proven: '26.10.0', abi: 147, moduleMain: true, endOfLife: '2029-04-30' },
];

/** The Node.js version embedded when the user names none: the proven patch of the newest LTS line. */
export const DEFAULT_NODE_VERSION = NODE_LINES.at(-1)!.proven;

/** `22, 24 and 26`. */
function linesText(): string {
  const majors = NODE_LINES.map((l) => String(l.major));
  return `${majors.slice(0, -1).join(', ')} and ${majors.at(-1)}`;
}

/** The hint every unsupported-version error ends with. */
export const SUPPORTED_LINES_HINT = `use --node ${NODE_LINES.map((l) => l.major).join(', --node ')} (a supported LTS line; newest patch) or an exact version of one, e.g. ${DEFAULT_NODE_VERSION} (the default)`;

/** The major of an `x.y.z` or `x`. */
export const majorOf = (version: string): number => Number(version.split('.')[0]);

/** The supported line of major `major`, or undefined. */
export function lineOf(major: number): NodeLine | undefined {
  return NODE_LINES.find((l) => l.major === major);
}

/**
 * Why svcpack cannot embed `spec`, or null when it can (a supported major, or an exact version at
 * or above its line's minimum). Pure: decided before anything is downloaded.
 */
export function unsupportedReason(spec: VersionSpec): string | null {
  const major = spec.kind === 'major' ? spec.major : majorOf(spec.version);
  const line = lineOf(major);
  if (!line) {
    return `Node.js ${major} is not a line svcpack supports (the LTS lines ${linesText()})`;
  }
  if (spec.kind === 'exact' && compareVersions(spec.version, line.minimum) < 0) {
    return `Node.js ${spec.version} is older than ${line.minimum}, the first ${major}.x svcpack supports`;
  }
  return null;
}
