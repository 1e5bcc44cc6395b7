/**
 * The one line for a native addon a linux-x64 build cannot embed: one that `bindings` or
 * node-pre-gyp load (addon-plugin.ts: the binary on disk was built on the build machine for its own
 * Node), and a package of the dependency tree whose install script builds its addon (build.ts).
 * Usage error (exit 2), before anything is written.
 */
import { usageError } from '../../errors';

export function linuxAddonRefusal(pkg: string, how: string) {
  return usageError(
    'ADDON_UNAVAILABLE',
    `${pkg} ${how}, and svcpack cannot embed such an addon in a linux-x64 executable yet`,
    'build this app for Windows only (--target win-x64), or use a pure-JavaScript alternative to the package',
  );
}
