/**
 * Errors svcpack reports to users. Every user-facing failure is one of these: a one-line message
 * saying what is wrong, a hint saying how to fix it, and the process exit code
 * (docs/architecture.md, Options, settings and errors): 2 for usage/validation errors, 1 when the
 * operation itself failed.
 */
export type ErrorCode =
  | 'USAGE'
  // svcpack init (src/commands/init.ts): no package.json in the folder, or one that is not valid JSON;
  // a svcpack config or a different build:service script that only --force replaces.
  | 'PACKAGE_JSON_NOT_FOUND'
  | 'INIT_WOULD_OVERWRITE'
  | 'ASSET_NOT_FOUND'
  | 'ENTRY_NOT_FOUND'
  | 'BUNDLE_SYNTAX'
  | 'BUNDLE_UNRESOLVED'
  | 'BUNDLE_FAILED'
  | 'INVALID_NAME'
  | 'INVALID_VERSION'
  | 'INVALID_ICON'
  | 'INVALID_NODE_VERSION'
  | 'INVALID_NODE_BINARY'
  | 'INVALID_SETTING'
  // The config file (src/config/config-load.ts): --config names no file; a file or key that is not valid.
  | 'CONFIG_NOT_FOUND'
  | 'INVALID_CONFIG'
  | 'RUNTIME_FETCH_FAILED'
  | 'RUNTIME_INTEGRITY'
  | 'PACK_FAILED'
  | 'OUTPUT_FAILED'
  // Native addons (src/bundle/addons/): an addon whose Windows x64 binary cannot be had or is not
  // one (exit 2: the app or --native must change); a platform package that cannot be fetched or
  // fails its integrity (exit 1).
  | 'ADDON_UNAVAILABLE'
  | 'ADDON_NOT_WINDOWS'
  | 'ADDON_FETCH_FAILED'
  | 'ADDON_INTEGRITY'
  // The embedded dependency tree (src/deps/): the tree cannot be resolved; a package cannot be
  // fetched (exit 2 when the registry cannot be reached, 1 otherwise); node_modules does not match
  // the lockfile (exit 2); an --include glob matching nothing, an --exclude glob removing a file
  // the bundle embeds (exit 2).
  | 'DEPENDENCY_TREE'
  | 'DEPENDENCY_FETCH'
  | 'DEPENDENCY_MISMATCH'
  | 'DEPENDENCY_GLOB'
  // svcpack inspect (src/inspect/): the file to inspect is missing or not a PE; a damaged manifest;
  // --require-valid-signature and the signature is missing or invalid (exit 1).
  | 'NOT_AN_EXE'
  | 'FILE_NOT_FOUND'
  | 'BAD_MANIFEST'
  | 'SIGNATURE_NOT_VALID'
  // Signing (src/sign/): options and the input exe are checked before any tool runs (exit 2);
  // what the signer or the verification reports afterwards is an operation failure (exit 1).
  | 'INVALID_SIGN_OPTION'
  | 'SIGN_BAD_INPUT'
  | 'SIGNER_NOT_FOUND'
  | 'SIGN_BAD_PASSWORD'
  | 'SIGN_CERT_EXPIRED'
  | 'SIGN_TIMESTAMP_UNREACHABLE'
  | 'SIGN_FAILED'
  | 'SIGN_VERIFY_FAILED'
  // The MSI (src/emit/msi/): wixl, msibuild or faketime missing, or an option an MSI cannot carry
  // (exit 2); wixl or msibuild failing (exit 1).
  | 'MSI_TOOL_MISSING'
  | 'MSI_FAILED'
  // svcpack build --watch --restart (src/watch/): stopping, replacing or starting the installed
  // service failed (exit 1; watch mode reports it in the rebuild's line and goes on).
  | 'SERVICE_RESTART_FAILED';

export class SvcpackError extends Error {
  override readonly name = 'SvcpackError';
  constructor(
    readonly code: ErrorCode,
    /** What is wrong, one line. */
    message: string,
    /** How to fix it, one line; may be empty. */
    readonly hint = '',
    /** Process exit code: 2 usage/validation, 1 operation failed. */
    readonly exitCode: 1 | 2 = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** What is wrong and how to fix it: `<what> — <how to fix>` (a warning's text). */
  text(): string {
    return `${this.message}${this.hint ? ` — ${this.hint}` : ''}`;
  }

  /** The single line printed on stderr: `svcpack: <what> — <how to fix>`. */
  toLine(): string {
    return `svcpack: ${this.text()}`;
  }
}

/** A usage/validation error (exit code 2). */
export const usageError = (code: ErrorCode, message: string, hint = ''): SvcpackError =>
  new SvcpackError(code, message, hint, 2);

/** An operation failure (exit code 1). */
export const failure = (code: ErrorCode, message: string, hint = '', cause?: unknown): SvcpackError =>
  new SvcpackError(code, message, hint, 1, { cause });

/**
 * The one line the CLI prints for a failed command: a SvcpackError's {@link SvcpackError.toLine},
 * anything else as an unexpected error. Watch mode prints the same line for a failed rebuild.
 */
export function errorLine(err: unknown): string {
  if (err instanceof SvcpackError) return err.toLine();
  return `svcpack: unexpected error: ${(err as Error)?.message ?? String(err)} — rerun with --verbose and report it`;
}
