import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_FLAGS } from '../../runtime-shim/settings/flags';
import { RUNTIME_SETTINGS } from '../../runtime-shim/settings/runtime-settings';
import { createProgram } from '../../src/cli';
import { COMMAND_LINE_FLAGS } from '../../src/config/command-line-flags';
import { ACCEPTED_ALIASES, CONFIG_KEYS, configKey, helpWithDefault, isConfigKey } from '../../src/config/config-keys';
import { configSchema } from '../../src/config/config-schema';
import { defineConfig, DEFINE_CONFIG_MODULE } from '../../src/config/define-config';
import { jsonSyntaxError } from '../../src/config/json-syntax';
import { SIGN_FLAGS, SIGN_KEYS, SIGN_PATH_KEYS, signFlag } from '../../src/config/sign-options';

describe('the config key table', () => {
  it('has every service setting, runtime setting and signing option under its flag, with its value name and help', () => {
    for (const { key, flag, valueName, help } of [...SETTING_FLAGS, ...RUNTIME_SETTINGS]) {
      expect(configKey(key)).toMatchObject({ flag, valueName });
      if (key !== 'description') expect(configKey(key).help).toBe(help); // the build's description also names the version resource
    }
    for (const key of SIGN_KEYS) expect(configKey(key)).toMatchObject({ flag: signFlag(key), help: SIGN_FLAGS[key].help });
  });

  it("gives the runtime settings the catalog's defaults and the service settings their defaults", () => {
    expect(configKey('stopTimeout').default).toBe('20s');
    expect(configKey('restartDelay').default).toBe('100ms');
    expect(configKey('healthInterval').default).toBe('10s');
    expect(configKey('hookTimeout').default).toBe('30s');
    // The catalog's default is null: the platform's own folder.
    expect(configKey('logDir').default).toBe('Windows: %ProgramData%\\<name>\\logs; Linux: /var/log/<name> (LogsDirectory=)');
    expect(configKey('startType').default).toBe('auto');
    expect(configKey('workingDir').default).toBe('exe');
    expect(configKey('displayName').default).toBe('the service name');
  });

  it("is where the help of svcpack build and svcpack sign comes from: each option shows its key's help and default", () => {
    const program = createProgram();
    const keyByFlag = new Map(CONFIG_KEYS.map((k) => [k.flag, k]));
    for (const name of ['build', 'sign']) {
      const command = program.commands.find((c) => c.name() === name)!;
      let checked = 0;
      for (const option of command.options) {
        const spec = keyByFlag.get(option.long ?? '');
        if (!spec) continue;
        expect(option.description, option.long).toBe(helpWithDefault(spec));
        expect(option.flags, option.long).toBe(spec.valueName === undefined ? spec.flag : `${spec.flag} <${spec.valueName}>`);
        checked++;
      }
      expect(checked, name).toBe(name === 'build' ? CONFIG_KEYS.length - 1 : SIGN_KEYS.length);
    }
  });

  it('the signing path keys are exactly SIGN_PATH_KEYS', () => {
    const signPaths = CONFIG_KEYS.filter((k) => (SIGN_KEYS as readonly string[]).includes(k.key) && k.kind === 'path').map((k) => k.key);
    expect(signPaths.sort()).toEqual([...SIGN_PATH_KEYS].sort());
  });

  it('every option of svcpack build is a config key, and every config key an option', () => {
    const buildCommand = createProgram().commands.find((c) => c.name() === 'build');
    // The command-line-only flags (config/command-line-flags.ts) and the booleans' --no- forms.
    const notConfig = new Set([...COMMAND_LINE_FLAGS.map((f) => f.flag.split(' ')[0]!), '--no-compress', '--no-allow-node-options', '--no-embed-dependencies']);
    expect([...notConfig].slice(0, 5)).toEqual(['--config', '--json', '--verbose', '--watch', '--restart']);
    const flags = (buildCommand?.options ?? []).map((o) => o.long ?? '').filter((f) => !notConfig.has(f));
    const keyFlags = new Map(CONFIG_KEYS.map((k) => [k.flag, k.key]));
    for (const flag of flags) expect(keyFlags.has(flag), `${flag} has no config key`).toBe(true);
    const missing = CONFIG_KEYS.filter((k) => k.flag !== '<entry>' && !flags.includes(k.flag));
    expect(missing.map((k) => k.key)).toEqual([]);
  });

  it('isConfigKey: config keys only; $schema and cwd are not', () => {
    expect(isConfigKey('startType')).toBe(true);
    expect(isConfigKey('stopTimeout')).toBe(true);
    expect(isConfigKey('stopTimeoutMs')).toBe(false); // an old name, accepted in a config for stopTimeout
    expect(isConfigKey('$schema')).toBe(false);
    expect(isConfigKey('cwd')).toBe(false);
    expect(isConfigKey('toString')).toBe(false);
  });
});

describe('svcpack.schema.json', () => {
  it('is the schema made from the key table', () => {
    const file = path.resolve(__dirname, '../../svcpack.schema.json');
    const committed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(committed, 'svcpack.schema.json is out of date: node --import ./scripts/ts-register.js scripts/write-config-schema.ts').toEqual(configSchema());
  });

  it('has every key, $schema, the accepted old names (deprecated), and no others', () => {
    const properties = configSchema().properties as Record<string, { deprecated?: boolean }>;
    expect(Object.keys(properties).sort()).toEqual(['$schema', ...CONFIG_KEYS.map((k) => k.key), ...Object.keys(ACCEPTED_ALIASES)].sort());
    expect(properties.stopTimeoutMs).toMatchObject({ deprecated: true, type: ['integer', 'string'] });
    expect(configSchema().additionalProperties).toBe(false);
  });
});

describe('defineConfig', () => {
  it('returns its argument; the stand-in a code config imports does the same', async () => {
    const config = { name: 'X', startType: 'manual' };
    expect(defineConfig(config)).toBe(config);
    const fn = async () => config;
    expect(defineConfig(fn)).toBe(fn);
    const standIn = (await import(`data:text/javascript,${encodeURIComponent(DEFINE_CONFIG_MODULE)}`)) as { defineConfig: (c: unknown) => unknown };
    expect(standIn.defineConfig(config)).toBe(config);
  });
});

describe('jsonSyntaxError', () => {
  it('null for valid JSON (as JSON.parse decides)', () => {
    for (const text of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '"s"', '0', '\uFEFF{"a":{}}']) {
      expect(jsonSyntaxError(text), text).toBeNull();
    }
  });

  it('line, column and what is wrong, for what JSON.parse rejects', () => {
    const cases: Array<[string, number, number, string]> = [
      ['{"a":1,}', 1, 7, 'a trailing comma before "}" is not allowed in JSON'],
      ['[1,2,]', 1, 5, 'a trailing comma before "]" is not allowed in JSON'],
      ['{\n/* c */ "a": 1}', 2, 1, 'comments are not allowed in JSON'],
      ['{"a": "x\ny"}', 1, 9, 'a string contains a line break or control character (write it as \\n)'],
      ['{"a": "\\q"}', 1, 8, 'a string contains a bad escape sequence'],
      ['{"a": "x', 1, 9, 'a string is not closed'],
      ['{"a": 01}', 1, 8, 'expected "," or "}", found "1"'],
      ['{"a": 1} x', 1, 10, 'unexpected text after the end of the JSON value'],
      ["{\"a\": 'x'}", 1, 7, 'strings in JSON are written in double quotes'],
      ['{"a" 1}', 1, 6, 'expected ":", found "1"'],
    ];
    for (const [text, line, column, message] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(jsonSyntaxError(text), text).toEqual({ line, column, message });
    }
  });
});
