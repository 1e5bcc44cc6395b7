/**
 * The one place where the toolchain names packages, each with the reason beside it. Everything
 * else detects a package by its shape (its addon style, its workers, the files it reads); these
 * are the cases a shape cannot tell:
 *
 * - ALTERNATIVES: well-known addons whose Windows binary svcpack cannot fetch (built from source
 *   or downloaded from GitHub at install time), with the drop-in that avoids the native build.
 *   Used only to word the build error; detection never depends on it. (argon2 and bcrypt 6 ship
 *   prebuildify prebuilds and are embedded like any such package.)
 * - MODULE_HOOK_LIBRARIES: the libraries through which APM and tracing agents hook module
 *   loading; one among the production dependencies makes packages mode `auto` load packages with
 *   Node's loader (module-hook-libraries.ts). An agent's own package name would not do: new
 *   agents appear, the libraries they build on stay the same.
 */
const ALTERNATIVES: Record<string, string> = {
  // prebuild-install downloads the binary from GitHub releases, else node-gyp builds it; Node ≥ 22.5 ships SQLite.
  'better-sqlite3': 'node:sqlite (built into Node.js 22.5+)',
  // the same for sqlite3 (prebuild-install, bindings).
  sqlite3: 'node:sqlite (built into Node.js 22.5+)',
  // bcrypt 5 downloads its binary with node-pre-gyp; bcrypt 6 has prebuilds, @node-rs/bcrypt Windows builds on npm, bcryptjs is pure JS.
  bcrypt: 'bcrypt 6 or newer, @node-rs/bcrypt, or bcryptjs',
};

/** The well-known alternative to `pkg`, or undefined. */
export function alternativeFor(pkg: string): string | undefined {
  return Object.hasOwn(ALTERNATIVES, pkg) ? ALTERNATIVES[pkg] : undefined;
}

/** The module hook libraries, and why each one means the app's module loads must pass through Node's loader. */
export const MODULE_HOOK_LIBRARIES: ReadonlyArray<{ name: string; why: string }> = [
  {
    name: 'require-in-the-middle',
    why: "wraps Module.prototype.require to patch CommonJS modules as they load: OpenTelemetry's instrumentations, Elastic APM and New Relic",
  },
  {
    name: 'import-in-the-middle',
    why: 'ES module loader hooks that patch ES modules as they load: OpenTelemetry, dd-trace, Elastic APM, New Relic, Sentry',
  },
];
