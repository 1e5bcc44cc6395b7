/**
 * Signing options: what `svcpack sign`, `svcpack build` and the API accept. One naming scheme
 * (docs/architecture.md, Options, settings and errors): flag `--timestamp-url`, config/API key
 * `timestampUrl`. Secrets are never option values: a PFX password comes from an environment
 * variable or a file.
 */
import { flagName } from '../../runtime-shim/settings/flag-name';

/** The tool that applies the signature: osslsigncode (Linux/macOS), signtool (Windows). */
export type Signer = 'osslsigncode' | 'signtool';

export interface SignOptions {
  /** Signing tool; default signtool on Windows, osslsigncode elsewhere. Ignored with `signCommand`. */
  signer?: Signer;
  /**
   * A custom signing command for cloud and HSM signers, run through the shell with `{file}`
   * replaced by the quoted path of the exe to sign in place, e.g.
   * `azuresigntool sign -kvu https://… -tr http://timestamp.digicert.com {file}`.
   */
  signCommand?: string;
  /** PKCS#12 (.pfx/.p12) file holding the certificate and its private key. */
  pfx?: string;
  /** PEM certificate (chain) file; with `key`, instead of `pfx`. */
  cert?: string;
  /** PEM private key file for `cert`. */
  key?: string;
  /** Name of the environment variable holding the password of `pfx` (or of an encrypted `key`). */
  passwordEnv?: string;
  /** File whose first line is the password of `pfx` (or of an encrypted `key`). */
  passwordFile?: string;
  /** RFC 3161 timestamp server URL (e.g. http://timestamp.digicert.com). */
  timestampUrl?: string;
  /** When the timestamp server cannot be reached, sign without a timestamp (with a warning) instead of failing. */
  timestampOptional?: boolean;
  /** Description shown in the signature (Windows' "program name"); default the display name. */
  signDescription?: string;
  /** URL shown in the signature; default package.json `homepage`. */
  signUrl?: string;
}

/** Every signing key, with its CLI flag, for the CLI, the config-file validator and error messages. */
export const SIGN_KEYS = [
  'signer',
  'signCommand',
  'pfx',
  'cert',
  'key',
  'passwordEnv',
  'passwordFile',
  'timestampUrl',
  'timestampOptional',
  'signDescription',
  'signUrl',
] as const satisfies ReadonlyArray<keyof SignOptions>;

/** `timestampUrl` → `--timestamp-url`. */
export const signFlag = (key: keyof SignOptions): string => flagName(key);

export interface SignFlag {
  /** Placeholder of the value in help (`--pfx <file.pfx>`); absent: a switch. */
  valueName?: string;
  /** One line, without the default. */
  help: string;
  /** The default as help shows it; absent: none. */
  default?: string;
}

/** Each signing flag's value name, help and default: what `svcpack sign`, `svcpack build` and the config keys show. */
export const SIGN_FLAGS: { readonly [K in keyof Required<SignOptions>]: SignFlag } = {
  signer: { valueName: 'tool', help: 'signing tool: osslsigncode or signtool', default: 'signtool on Windows, osslsigncode elsewhere' },
  signCommand: { valueName: 'command', help: 'sign with this shell command instead; {file} becomes the quoted exe path, e.g. "azuresigntool sign … {file}"' },
  pfx: { valueName: 'file.pfx', help: 'PKCS#12 file (.pfx/.p12) with the code-signing certificate and its private key' },
  cert: { valueName: 'cert.pem', help: 'PEM certificate (chain), with --key instead of --pfx' },
  key: { valueName: 'key.pem', help: 'PEM private key of --cert' },
  passwordEnv: { valueName: 'VAR', help: 'name of the environment variable holding the PFX (or encrypted key) password' },
  passwordFile: { valueName: 'file', help: 'file whose first line is the PFX (or encrypted key) password' },
  timestampUrl: { valueName: 'url', help: 'RFC 3161 timestamp server, e.g. http://timestamp.digicert.com' },
  timestampOptional: { help: 'when the timestamp server cannot be reached, sign without a timestamp and warn' },
  signDescription: { valueName: 'text', help: 'description (program name) in the signature', default: 'the display name' },
  signUrl: { valueName: 'url', help: 'URL in the signature', default: 'package.json homepage' },
};

/** Keys whose value is a path (resolved against the cwd, or a config file's folder). */
export const SIGN_PATH_KEYS = ['pfx', 'cert', 'key', 'passwordFile'] as const satisfies ReadonlyArray<keyof SignOptions>;

/** The signing keys of `o` that are set; `o` may carry many more (BuildOptions, commander's parsed flags). */
export function pickSignOptions(o: object): SignOptions {
  const picked: Record<string, unknown> = {};
  for (const key of SIGN_KEYS) {
    const value = (o as SignOptions)[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as SignOptions;
}
