/**
 * The one place where packages are named: well-known addons whose Windows binary svcpack cannot
 * fetch (built from source or downloaded from GitHub at install time), with the drop-in that
 * avoids the native build. Used only to word the build error; detection never depends on it.
 * (argon2 and bcrypt 6 ship prebuildify prebuilds and are embedded like any such package.)
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
