/**
 * Every key a config file may hold, with the kind of value it takes, its `svcpack build` flag,
 * value name, one-line help and default: the one table the build's command-line options
 * (config/build-flags.ts), the config validator, the unknown-key suggestions, the JSON Schema
 * (svcpack.schema.json) and the options reference (docs/options.md) are made from. The settings'
 * flags, help and defaults come from their catalogs (runtime-shim/settings), the signing flags'
 * from config/sign-options.ts. Pure.
 *
 * Naming: a key is its BuildOptions (API) key, which is the flag in camelCase (`--start-type` ↔
 * `startType`, `--timestamp-url` ↔ `timestampUrl`), except for the repeatable flags of lists:
 * `--arg` ↔ `args`, `--asset` ↔ `assets`, and `--target` ↔ `targets`. `stopTimeoutMs`, the stop timeout's old key, is still
 * accepted for `stopTimeout` (ACCEPTED_ALIASES).
 */
import { SETTING_FLAGS } from '../../runtime-shim/settings/flags';
import { LOG_LEVELS } from '../../runtime-shim/settings/logging-settings';
import { settingsToFlagPairs, type SettingKey } from '../../runtime-shim/settings/resolve';
import { RUNTIME_SETTINGS, runtimeDefaultValues } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings, SID_TYPES, START_TYPES } from '../../runtime-shim/settings/service-settings';
import { DEFAULT_NODE_VERSION } from '../runtime/node-lines';
import { DEFAULT_TARGETS, TARGETS } from '../targets';
import { SIGN_FLAGS, signFlag, type SignOptions } from './sign-options';
import type { SvcpackConfig } from './define-config';

/**
 * Old names a config may still use for a key: the value is read as the key's. Giving both is an
 * error. Listed in the JSON Schema as deprecated, never in help.
 */
export const ACCEPTED_ALIASES = { stopTimeoutMs: 'stopTimeout' } as const satisfies Readonly<Record<string, keyof SvcpackConfig>>;
export type AcceptedAlias = keyof typeof ACCEPTED_ALIASES;

/** A config key: every option of SvcpackConfig but `$schema` and the accepted old names. */
export type ConfigKey = Exclude<keyof SvcpackConfig, '$schema' | AcceptedAlias>;

/** Options read from a config (a config file, package.json "svcpack", or both merged). */
export type ConfigOptions = Omit<SvcpackConfig, '$schema'>;

/**
 * Where option values came from, for error messages: key → how a message names it
 * (`svcpack.config.json: startType`, `package.json "svcpack".startType`). A key not listed was
 * given on the command line or to the API and is named by its flag.
 */
export type OptionSources = Partial<Record<ConfigKey, string>>;

/**
 * The values a key takes (what the validator checks before the settings resolvers check the
 * values themselves):
 * - `text`: a string; `path`: a non-empty string, a relative one resolved against the config's folder;
 * - `choice`: one of `choices` (any case when `anyCase`);
 * - `boolean`: true or false; `switch`: true/false, or the strings true/false/yes/no;
 * - `duration`: a number of milliseconds or a duration string (`30s`); `number`: a number or a numeric string;
 * - `choices`: a list of `choices`, or one comma-separated string of them;
 * - `list`: a list of strings; `paths`: a list of non-empty strings, relative ones resolved against the config's folder; `names`: a list of strings or one comma-separated string;
 * - `env`: an object of variables (string, number or boolean values) or a list of `KEY=value`;
 * - `packagePaths`: an object of package name → file path, or a list of `package=path`;
 * - `msi`: true or false, or an object of the MSI options (MSI_OBJECT_KEYS: `dir`, `upgradeCode`,
 *   `winget`, `wingetUrl`, `wingetId`), which the build reads as `msi: true` plus those keys.
 */
export type KeyKind = 'text' | 'path' | 'choice' | 'choices' | 'boolean' | 'switch' | 'duration' | 'number' | 'list' | 'paths' | 'names' | 'env' | 'packagePaths' | 'msi';

/** The keys of an `msi` object in a config, the value kind of each. */
export const MSI_OBJECT_KEYS = { dir: 'string', upgradeCode: 'string', winget: 'boolean', wingetUrl: 'string', wingetId: 'string' } as const;

export interface ConfigKeySpec {
  key: ConfigKey;
  kind: KeyKind;
  /** For `choice` and `choices`: the allowed values. */
  choices?: readonly string[];
  /** For `choice`: whether any case is accepted (the service settings lower-case it). */
  anyCase?: boolean;
  /** The matching `svcpack build` flag (`--start-type`), `<entry>` for the positional argument. */
  flag: string;
  /** Placeholder of the flag's value in help (`--start-type <type>`); absent for a switch (`boolean`). */
  valueName?: string;
  /** For `boolean`: help of the `--no-…` flag that turns off a config's `true`; absent: there is none. */
  negation?: string;
  /** One line, without the default. */
  help: string;
  /** The default as help shows it (`20s`, `dist`, `package.json version`); absent: none (or said by the help). */
  default?: string;
}

/** Whether the flag of `spec` is given once per value (`--env A=1 --env B=2`), collecting a list. */
export const isRepeatable = (spec: Pick<ConfigKeySpec, 'kind'>): boolean => ['list', 'paths', 'env', 'packagePaths'].includes(spec.kind);

/** `spec.help` with its default, as `--help`, the JSON Schema and the options reference show it. */
export const helpWithDefault = (spec: Pick<ConfigKeySpec, 'help' | 'default'>): string => (spec.default === undefined ? spec.help : `${spec.help} (default: ${spec.default})`);

type Spec = Omit<ConfigKeySpec, 'key'>;

/** The service settings' and the runtime catalog's flags (runtime-shim/settings), by key. */
const SETTING_FLAG_BY_KEY: ReadonlyMap<SettingKey, { flag: string; valueName: string; help: string }> = new Map([...SETTING_FLAGS, ...RUNTIME_SETTINGS].map((f) => [f.key, f]));

/** The default of each service and runtime setting as its flag takes it: svcpack's own (`<name>` for the service name). */
const SETTING_DEFAULTS: ReadonlyMap<SettingKey, string> = new Map<SettingKey, string>([
  ...settingsToFlagPairs(defaultSettings('<name>')).map(([flag, value]): [SettingKey, string] => [SETTING_FLAGS.find((f) => f.flag === flag)!.key, value]),
  ...Object.entries(runtimeDefaultValues()).flatMap(([key, value]): Array<[SettingKey, string]> => (value === null ? [] : [[key as SettingKey, value]])),
]);

/**
 * A setting's key: flag, value name, help and default from the settings catalogs; choices in any
 * case (the resolvers lower-case them). `defaultText` replaces the catalog's default where the
 * build computes another (the display name: the service name).
 */
const setting = (key: SettingKey, kind: KeyKind, opts: { choices?: readonly string[]; defaultText?: string } = {}): Spec => {
  const f = SETTING_FLAG_BY_KEY.get(key);
  if (!f) throw new Error(`setting ${key} has no flag`);
  const fallback = opts.defaultText ?? SETTING_DEFAULTS.get(key);
  return {
    kind,
    flag: f.flag,
    valueName: f.valueName,
    help: f.help,
    ...(opts.choices ? { choices: opts.choices, anyCase: true } : {}),
    ...(fallback === undefined ? {} : { default: fallback }),
  };
};
const sign = (key: keyof SignOptions, kind: KeyKind, choices?: readonly string[]): Spec => {
  const { valueName, help, default: fallback } = SIGN_FLAGS[key];
  return { kind, flag: signFlag(key), help, ...(valueName ? { valueName } : {}), ...(choices ? { choices } : {}), ...(fallback === undefined ? {} : { default: fallback }) };
};

/** Every key (the mapped type makes a missing one a compile error), in --help order. */
const SPEC_BY_KEY: { readonly [K in ConfigKey]-?: Spec } = {
  entry: { kind: 'path', flag: '<entry>', help: "the app's entry file: .ts, .mts, .cts, .js, .mjs or .cjs; required here or in the config" },
  name: { kind: 'text', flag: '--name', valueName: 'name', help: 'service name (SCM key) and exe name: 1-256 characters, none of / \\ < > : " | ? *; required here or in the config' },
  displayName: setting('displayName', 'text', { defaultText: 'the service name' }),
  description: { ...setting('description', 'text'), help: 'service description and FileDescription (at most 1024 characters)', default: 'package.json description' },
  version: { kind: 'text', flag: '--version', valueName: 'x.y.z[.w]', help: 'FileVersion and ProductVersion, numeric, each part 0-65535', default: 'package.json version' },
  company: { kind: 'text', flag: '--company', valueName: 'text', help: 'CompanyName resource', default: 'package.json author' },
  productName: { kind: 'text', flag: '--product-name', valueName: 'text', help: 'ProductName resource', default: 'the display name' },
  copyright: { kind: 'text', flag: '--copyright', valueName: 'text', help: 'LegalCopyright resource' },
  icon: { kind: 'path', flag: '--icon', valueName: 'file.ico', help: 'exe icon, an .ico file', default: 'the Node.js icon' },
  targets: {
    kind: 'choices',
    choices: TARGETS,
    flag: '--target',
    valueName: 'targets',
    help: `the platforms to build for, comma-separated: ${TARGETS.join(', ')} (linux-x64: one Linux executable, its systemd unit and install/uninstall scripts; see docs/linux.md)`,
    default: DEFAULT_TARGETS.join(','),
  },
  outDir: { kind: 'path', flag: '--out-dir', valueName: 'dir', help: 'output folder', default: 'dist' },
  sbom: { kind: 'path', flag: '--sbom', valueName: 'file', help: 'also write a CycloneDX 1.6 JSON SBOM of the exe to this file (e.g. dist/MySvc.cdx.json): the embedded packages, Node.js, native addons, with hashes and licenses; direct packer only' },
  msi: { kind: 'msi', flag: '--msi', help: 'also write <name>-<version>-x64.msi next to the exe: a per-machine MSI that installs, upgrades and removes the service (needs wixl: apt-get install wixl msitools)', default: 'false' },
  msiDir: { kind: 'text', flag: '--msi-dir', valueName: 'dir', help: 'the MSI\'s install folder under %ProgramFiles% (e.g. Contoso\\MySvc)', default: '<company>\\<name>' },
  upgradeCode: { kind: 'text', flag: '--upgrade-code', valueName: 'guid', help: 'the MSI\'s UpgradeCode; keep it for every version', default: 'derived from the service name' },
  winget: { kind: 'boolean', flag: '--winget', help: 'also write the winget manifest of the MSI (version, installer and locale YAML, schema 1.10.0) to <out-dir>/winget/; needs --msi and --winget-url', default: 'false' },
  wingetUrl: { kind: 'text', flag: '--winget-url', valueName: 'url', help: 'where the MSI is downloaded from, for the winget manifest; {version} and {file} are replaced (e.g. https://github.com/contoso/mysvc/releases/download/v{version}/{file})' },
  wingetId: { kind: 'text', flag: '--winget-id', valueName: 'id', help: 'the winget PackageIdentifier, Publisher.Name', default: '<company>.<name>' },
  node: { kind: 'text', flag: '--node', valueName: 'version', help: 'embedded Node.js version: a supported LTS line 22, 24 or 26 (newest patch), or an exact x.y.z of one', default: DEFAULT_NODE_VERSION },
  nodeBinary: { kind: 'path', flag: '--node-binary', valueName: 'node.exe', help: 'use this win-x64 node.exe instead of fetching one' },
  packer: { kind: 'choice', choices: ['direct', 'pkg'], flag: '--packer', valueName: 'packer', help: 'how the exe is made: direct or pkg', default: 'direct' },
  compress: {
    kind: 'boolean',
    flag: '--compress',
    negation: 'do not compress the payload (overrides compress in the config)',
    help: 'Brotli-compress the payload (app bundle, koffi.node) inside the exe',
    default: 'false',
  },
  native: { kind: 'packagePaths', flag: '--native', valueName: 'package=path', help: 'the win32-x64 .node file of a native addon svcpack cannot fetch (repeat for more; in a config: { "better-sqlite3": "vendor/better_sqlite3.node" } or a list of "package=path")' },
  assets: { kind: 'list', flag: '--asset', valueName: 'glob', help: 'a file the app reads at run time that svcpack cannot find by itself, embedded in the exe: a glob relative to the project folder (repeat for more; in a config: ["templates/**", "data/*.json"])' },
  embedDependencies: {
    kind: 'boolean',
    flag: '--embed-dependencies',
    negation: 'embed only what the bundle reaches: a smaller exe, but packages loaded by computed names fail',
    help: 'embed the production dependency tree as npm installs it on win32-x64 (npm ci --omit=dev --os=win32 --cpu=x64), so packages loaded by computed names work',
    default: 'true with the direct packer',
  },
  include: { kind: 'list', flag: '--include', valueName: 'glob', help: 'a file of the embedded dependency tree to embed although the filter leaves it out: a tree path (node_modules/foo/docs/**) or package path (foo/docs/**) glob (repeat for more)' },
  exclude: { kind: 'list', flag: '--exclude', valueName: 'glob', help: 'a file of the embedded dependency tree to leave out: a tree path (node_modules/typescript/**) or package path (moment/locale/**) glob (repeat for more; wins over --include)' },
  packages: {
    kind: 'choice',
    choices: ['auto', 'bundle', 'node'],
    flag: '--packages',
    valueName: 'mode',
    help: "how the app reaches its packages: bundle (inlined into the bundle: the fastest start), node (loaded by Node's require from the embedded dependency tree where the app imports them, so APM agents' module load hooks see them), auto (node when a production dependency hooks module loading — require-in-the-middle or import-in-the-middle — else bundle)",
    default: 'auto',
  },
  preload: { kind: 'paths', flag: '--preload', valueName: 'file', help: "a module run before the app's entry in every process that runs the app, like node --require (an APM agent's tracing.ts): a .ts/.js file (repeat for more, run in order)" },
  allowNodeOptions: {
    kind: 'boolean',
    flag: '--allow-node-options',
    negation: 'ignore NODE_OPTIONS (overrides allowNodeOptions in the config)',
    help: 'let the NODE_OPTIONS environment variable add Node.js options when the exe runs (otherwise it is ignored)',
    default: 'false',
  },
  startType: setting('startType', 'choice', { choices: START_TYPES }),
  account: setting('account', 'text'),
  dependencies: setting('dependencies', 'names'),
  recovery: setting('recovery', 'text'),
  recoveryReset: setting('recoveryReset', 'duration'),
  recoveryCommand: setting('recoveryCommand', 'text'),
  recoveryOnNonCrash: setting('recoveryOnNonCrash', 'switch'),
  preshutdownTimeout: setting('preshutdownTimeout', 'duration'),
  sidType: setting('sidType', 'choice', { choices: SID_TYPES }),
  env: setting('env', 'env'),
  args: setting('args', 'list'),
  workingDir: setting('workingDir', 'text'),
  allowControl: setting('allowControl', 'names'),
  logDir: setting('logDir', 'text', { defaultText: 'Windows: %ProgramData%\\<name>\\logs; Linux: /var/log/<name> (LogsDirectory=)' }),
  logLevel: setting('logLevel', 'choice', { choices: LOG_LEVELS }),
  logRotate: setting('logRotate', 'text'),
  logKeep: setting('logKeep', 'number'),
  logCompress: setting('logCompress', 'switch'),
  eventLog: setting('eventLog', 'switch'),
  stopTimeout: setting('stopTimeout', 'duration'),
  supervise: setting('supervise', 'switch'),
  restartDelay: setting('restartDelay', 'duration'),
  restartFactor: setting('restartFactor', 'number'),
  restartMaxDelay: setting('restartMaxDelay', 'duration'),
  healthyAfter: setting('healthyAfter', 'duration'),
  maxRestarts: setting('maxRestarts', 'number'),
  restartWindow: setting('restartWindow', 'duration'),
  healthUrl: setting('healthUrl', 'text'),
  healthInterval: setting('healthInterval', 'duration'),
  healthTimeout: setting('healthTimeout', 'duration'),
  healthFailures: setting('healthFailures', 'number'),
  heartbeatTimeout: setting('heartbeatTimeout', 'duration'),
  successExitCodes: setting('successExitCodes', 'text'),
  restartExitCodes: setting('restartExitCodes', 'text'),
  preStart: setting('preStart', 'text'),
  postStart: setting('postStart', 'text'),
  preStop: setting('preStop', 'text'),
  postStop: setting('postStop', 'text'),
  hookTimeout: setting('hookTimeout', 'duration'),
  alertUrl: setting('alertUrl', 'text'),
  signer: sign('signer', 'choice', ['osslsigncode', 'signtool']),
  signCommand: sign('signCommand', 'text'),
  pfx: sign('pfx', 'path'),
  cert: sign('cert', 'path'),
  key: sign('key', 'path'),
  passwordEnv: sign('passwordEnv', 'text'),
  passwordFile: sign('passwordFile', 'path'),
  timestampUrl: sign('timestampUrl', 'text'),
  timestampOptional: sign('timestampOptional', 'boolean'),
  signDescription: sign('signDescription', 'text'),
  signUrl: sign('signUrl', 'text'),
};

export const CONFIG_KEYS: readonly ConfigKeySpec[] = (Object.keys(SPEC_BY_KEY) as ConfigKey[]).map((key) => ({ key, ...SPEC_BY_KEY[key] }));

/** Whether `key` is a config key (`$schema` is not: it is allowed and ignored). */
export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(SPEC_BY_KEY, key);
}

/** The spec of config key `key`. */
export function configKey(key: ConfigKey): ConfigKeySpec {
  return { key, ...SPEC_BY_KEY[key] };
}

/** Names that are not keys but mean one: a flag's name where the key differs, a singular for a list. */
const ALIASES: Readonly<Record<string, ConfigKey>> = { arg: 'args', asset: 'assets', dependency: 'dependencies', target: 'targets' };

/**
 * The key an unknown `name` was probably meant to be: its flag spelt as a key (`--start-type`,
 * `start-type`, `arg`), another case (`StartType`), or a key at most a few edits away
 * (`startTyp`). Null when nothing is close.
 */
export function suggestKey(name: string): ConfigKey | null {
  const camel = name.replace(/^-+/, '').replace(/[-_]+([a-zA-Z])/g, (_, c: string) => c.toUpperCase());
  if (isConfigKey(camel)) return camel;
  const alias = ALIASES[camel];
  if (alias) return alias;
  const lower = camel.toLowerCase();
  const sameCase = CONFIG_KEYS.find((k) => k.key.toLowerCase() === lower)?.key ?? Object.entries(ALIASES).find(([alias]) => alias.toLowerCase() === lower)?.[1];
  if (sameCase) return sameCase;
  let best: ConfigKey | null = null;
  let bestDistance = Math.max(1, Math.floor(lower.length / 3));
  for (const { key } of CONFIG_KEYS) {
    const d = editDistance(lower, key.toLowerCase());
    if (d <= bestDistance && (best === null || d < bestDistance)) {
      best = key;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
