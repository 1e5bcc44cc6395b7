/**
 * Checks the object a config holds (a config file's, or package.json "svcpack") against the key
 * table: unknown keys (with a suggestion), values of the wrong type, choices that are not
 * allowed. Values pass on as given — the settings resolvers check them later, and their messages
 * then name the config and key through the returned `sources` — except that relative paths are
 * resolved against the config's folder and env values that are numbers or booleans become
 * strings. Pure (no file access).
 */
import path from 'node:path';
import { usageError, type SvcpackError } from '../errors';
import { ACCEPTED_ALIASES, CONFIG_KEYS, MSI_OBJECT_KEYS, configKey, isConfigKey, suggestKey, type ConfigKeySpec, type ConfigOptions, type OptionSources } from './config-keys';

/** Where a config object came from, for messages and relative paths. */
export interface ConfigOrigin {
  /** How messages name it: `svcpack.config.json`, `package.json "svcpack"`. */
  label: string;
  /** How messages name the file it is in: `svcpack.config.json`, `package.json`. */
  file: string;
  /** Relative paths resolve against this folder. */
  dir: string;
  /** How messages name one of its keys: `svcpack.config.json: startType`, `package.json "svcpack".startType`. */
  keyLabel: (key: string) => string;
}

/** A config file, named `label` in messages (its path as the user would write it). */
export const fileOrigin = (label: string, dir: string): ConfigOrigin => ({ label, file: label, dir, keyLabel: (key) => `${label}: ${key}` });

/** The `"svcpack"` key of a package.json named `label` in messages. */
export const packageJsonOrigin = (label: string, dir: string): ConfigOrigin => ({
  label: `${label} "svcpack"`,
  file: label,
  dir,
  keyLabel: (key) => `${label} "svcpack".${key}`,
});

export interface ValidatedConfig {
  options: ConfigOptions;
  /** Every key of `options`, named as `origin.keyLabel` names it (a key given by its old name: by that name). */
  sources: OptionSources;
}

/**
 * `value` as build options. Throws an INVALID_CONFIG usage error (exit 2) naming the origin, the
 * key and what is allowed, for the first problem. `$schema` and keys whose value is `undefined`
 * (a code config's unset variable) are skipped; `null` is not allowed. A key given by its old name
 * (ACCEPTED_ALIASES: `stopTimeoutMs`) is returned under its key; giving both is an error.
 */
export function validateConfig(value: unknown, origin: ConfigOrigin): ValidatedConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainObject(value)) {
    throw invalid(
      `${origin.label} is ${typeName(value)}, not an object of build options`,
      'make it an object such as { "entry": "src/app.ts", "name": "MySvc" }',
    );
  }
  const options: Record<string, unknown> = {};
  const sources: OptionSources = {};
  for (const [name, raw] of Object.entries(value)) {
    if (name === '$schema') continue;
    const key = Object.hasOwn(ACCEPTED_ALIASES, name) ? ACCEPTED_ALIASES[name as keyof typeof ACCEPTED_ALIASES] : name;
    if (!isConfigKey(key)) throw unknownKey(name, origin);
    if (raw === undefined) continue;
    if (sources[key] !== undefined) {
      throw invalid(`${origin.label} gives ${key} twice: as ${JSON.stringify(key)} and as its old name ${JSON.stringify(key === name ? aliasOf(key) : name)}`, `keep ${JSON.stringify(key)} only`);
    }
    options[key] = checked(configKey(key), raw, origin, name);
    sources[key] = origin.keyLabel(name);
  }
  return { options: options as ConfigOptions, sources };
}

/** The old name of `key`. */
const aliasOf = (key: string): string => Object.entries(ACCEPTED_ALIASES).find(([, k]) => k === key)?.[0] ?? key;

/** The value of `spec.key` (given as `name`) as the build takes it, or an error saying what the key allows. */
function checked(spec: ConfigKeySpec, value: unknown, origin: ConfigOrigin, name: string = spec.key): unknown {
  const allowed = (ok: boolean, use: string): void => {
    if (!ok) throw invalid(`${origin.label}: ${name} ${shown(value)} is not allowed`, `use ${use}`);
  };
  const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((item) => typeof item === 'string');
  switch (spec.kind) {
    case 'text':
      allowed(typeof value === 'string', 'a string');
      return value;
    case 'path':
      allowed(typeof value === 'string' && value !== '', `a path (a relative one is resolved against the folder of ${origin.file})`);
      return path.resolve(origin.dir, value as string);
    case 'choice': {
      const choices = spec.choices ?? [];
      const given = typeof value === 'string' ? (spec.anyCase ? value.toLowerCase() : value) : undefined;
      allowed(given !== undefined && choices.includes(given), quotedList(choices));
      return value;
    }
    case 'choices': {
      const choices = spec.choices ?? [];
      const items = typeof value === 'string' ? value.split(',').map((v) => v.trim()) : isStringList(value) ? value : undefined;
      allowed(items !== undefined && items.length > 0 && items.every((item) => choices.includes(item)), `a list of ${choices.map((c) => JSON.stringify(c)).join(', ')}, such as ${JSON.stringify(choices)}, or one comma-separated string such as "${choices.join(',')}"`);
      return value;
    }
    case 'boolean':
      allowed(typeof value === 'boolean', 'true or false');
      return value;
    case 'switch':
      allowed(typeof value === 'boolean' || typeof value === 'string', 'true or false');
      return value;
    case 'duration':
      allowed((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string', 'a number of milliseconds or a duration such as "30s"');
      return value;
    case 'number':
      allowed((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string', 'a number');
      return value;
    case 'list':
      allowed(isStringList(value), 'a list of strings, such as ["--port", "8080"]');
      return value;
    case 'paths':
      allowed(isStringList(value) && value.every((item) => item !== ''), `a list of paths (relative ones are resolved against the folder of ${origin.file})`);
      return (value as string[]).map((item) => path.resolve(origin.dir, item));
    case 'names':
      allowed(typeof value === 'string' || isStringList(value), 'a list of service names, such as ["Tcpip"], or one comma-separated string');
      return value;
    case 'packagePaths': {
      const use = 'an object such as { "better-sqlite3": "vendor/better_sqlite3.node" } or a list of "package=path" strings';
      if (Array.isArray(value)) {
        allowed(isStringList(value), use);
        return value;
      }
      allowed(typeof value === 'object' && value !== null && isPlainObject(value) && Object.values(value as object).every((v) => typeof v === 'string'), use);
      return value;
    }
    case 'msi': {
      const use = `true, false or an object of ${Object.keys(MSI_OBJECT_KEYS).map((k) => JSON.stringify(k)).join(', ')} (such as { "dir": "Contoso\\MySvc" })`;
      if (typeof value === 'boolean') return value;
      allowed(typeof value === 'object' && value !== null && !Array.isArray(value) && isPlainObject(value), use);
      for (const [k, v] of Object.entries(value as object)) {
        const kind = (MSI_OBJECT_KEYS as Record<string, string>)[k];
        if (kind === undefined) throw invalid(`${origin.label}: ${name} has the unknown key ${JSON.stringify(k)}`, `use ${use}`);
        if (typeof v !== kind) throw invalid(`${origin.label}: ${name}.${k} ${shown(v)} is not allowed`, `use ${kind === 'boolean' ? 'true or false' : 'a string'}`);
      }
      return value;
    }
    case 'env': {
      const use = 'an object such as { "PORT": "8080" } or a list of "KEY=value" strings';
      if (Array.isArray(value)) {
        allowed(isStringList(value), use);
        return value;
      }
      allowed(typeof value === 'object' && value !== null && isPlainObject(value), use);
      const env: Record<string, string> = {};
      for (const [name, v] of Object.entries(value as object)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw invalid(`${origin.label}: env variable ${JSON.stringify(name)} has the value ${shown(v)}`, 'give each variable a string, number or boolean');
        }
        env[name] = String(v);
      }
      return env;
    }
  }
}

function unknownKey(name: string, origin: ConfigOrigin): SvcpackError {
  const message = `${origin.label}: unknown key ${JSON.stringify(name)}`;
  if (/^pass(word)?$/i.test(name)) {
    return invalid(message, 'a password never goes into a config: set "passwordEnv" to the name of an environment variable holding it, or "passwordFile" to a file');
  }
  const suggestion = suggestKey(name);
  return invalid(
    message,
    suggestion
      ? `did you mean "${suggestion}"? (keys: svcpack build's options in camelCase, see svcpack build --help)`
      : `use svcpack build's options in camelCase (--start-type → "startType"; ${CONFIG_KEYS.length} keys, see svcpack build --help)`,
  );
}

const invalid = (message: string, hint: string): SvcpackError => usageError('INVALID_CONFIG', message, hint);

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `"a", "b" or "c"`. */
function quotedList(items: readonly string[]): string {
  const q = items.map((i) => JSON.stringify(i));
  return q.length < 2 ? (q[0] ?? 'nothing') : `${q.slice(0, -1).join(', ')} or ${q.at(-1)}`;
}

/** A value as a message shows it: JSON, at most 60 characters. */
function shown(value: unknown): string {
  if (typeof value === 'function') return '(a function)';
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // a bigint, a cycle
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'non-plain'} object`;
  return typeof value === 'undefined' ? 'empty' : `a ${typeof value}`;
}
