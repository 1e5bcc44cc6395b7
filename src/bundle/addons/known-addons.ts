/**
 * The one place where packages are named: well-known addons whose Windows binary svcpack cannot
 * fetch (built from source or downloaded from GitHub at install time), with the drop-in that
 * avoids the native build. Used only to word the build error; detection never depends on it.
 */
const ALTERNATIVES: Record<string, string> = {
  // prebuild-install downloads the binary from GitHub releases; Node ≥ 22.5 ships SQLite.
  'better-sqlite3': 'node:sqlite (built into Node.js 22.5+)',
  // node-pre-gyp downloads the binary from GitHub releases.
  sqlite3: 'node:sqlite (built into Node.js 22.5+)',
  // node-pre-gyp download; @node-rs/bcrypt is napi-rs with Windows builds on npm, bcryptjs pure JS.
  bcrypt: '@node-rs/bcrypt or bcryptjs',
  // node-gyp build from source; @node-rs/argon2 is napi-rs with Windows builds on npm.
  argon2: '@node-rs/argon2',
  // node-gyp build from source; @node-rs/xxhash and the built-in crypto cover most uses.
  'farmhash': '@node-rs/xxhash',
};

/** The well-known alternative to `pkg`, or undefined. */
export function alternativeFor(pkg: string): string | undefined {
  return Object.hasOwn(ALTERNATIVES, pkg) ? ALTERNATIVES[pkg] : undefined;
}
