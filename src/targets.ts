/**
 * The platforms `svcpack build` makes executables for (`--target`, config key `targets`): what
 * each one is called by Node's downloads, by npm's install checks and by koffi's prebuilt
 * folders. A root file (no folder of its own) so that config/, runtime/, deps/, pack/ and emit/
 * can all name a target without importing each other. Pure.
 */
import { usageError } from './errors';

export const TARGETS = ['win-x64', 'linux-x64'] as const;
export type Target = (typeof TARGETS)[number];

/** What a build makes when no target is given: a Windows service exe, as before targets existed. */
export const DEFAULT_TARGETS: readonly Target[] = ['win-x64'];

export interface TargetInfo {
  /** Node's build of the target (`node-<platform>-<arch>` on npm, `<platform>-<arch>` in the cache). */
  node: { platform: 'win' | 'linux'; arch: 'x64' };
  /** As npm's install checks name the platform (`--os`, `--cpu`, `--libc`). */
  npm: { os: 'win32' | 'linux'; cpu: 'x64'; libc: 'none' | 'glibc' };
  /** koffi's folder of prebuilt native modules: `build/koffi/<folder>/koffi.node`. */
  koffiFolder: string;
  /** The executable's file name for service `name`. */
  executable(name: string): string;
}

export const TARGET_INFO: Readonly<Record<Target, TargetInfo>> = {
  'win-x64': {
    node: { platform: 'win', arch: 'x64' },
    // Windows has no libc in npm's sense; a package that asks for one is not for Windows.
    npm: { os: 'win32', cpu: 'x64', libc: 'none' },
    koffiFolder: 'win32_x64',
    executable: (name) => `${name}.exe`,
  },
  'linux-x64': {
    node: { platform: 'linux', arch: 'x64' },
    // The official Node.js linux-x64 build links against glibc.
    npm: { os: 'linux', cpu: 'x64', libc: 'glibc' },
    koffiFolder: 'linux_x64',
    executable: (name) => name,
  },
};

export const isTarget = (value: string): value is Target => (TARGETS as readonly string[]).includes(value);

/**
 * The targets of `--target` / `targets` (a comma-separated string or a list of them), in the
 * order of TARGETS, each once; undefined gives DEFAULT_TARGETS. `shown` is how messages name the
 * option (`--target`, `svcpack.config.json: targets`). Usage error (exit 2) for an unknown or
 * empty target.
 */
export function parseTargets(value: unknown, shown = '--target'): Target[] {
  if (value === undefined) return [...DEFAULT_TARGETS];
  const hint = `use --target ${TARGETS.join(', --target ')} or --target ${TARGETS.join(',')}`;
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!items || items.some((v) => typeof v !== 'string')) throw usageError('USAGE', `${shown} ${JSON.stringify(value)} is not a list of targets`, hint);
  const names = (items as string[])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  if (names.length === 0) throw usageError('USAGE', `${shown} names no target`, hint);
  for (const name of names) {
    if (!isTarget(name)) throw usageError('USAGE', `${shown}: "${name}" is not a target svcpack builds for (${TARGETS.join(', ')})`, hint);
  }
  return TARGETS.filter((t) => names.includes(t));
}
