/**
 * The options reference, docs/options.md, made from the option tables so that it cannot drift
 * from them: the config key table (config-keys.ts: every `svcpack build` flag and config key,
 * with its value, default and help) and the settings catalogs (runtime-shim/settings: what an
 * installed service's `install` and `config set` take, and when a change takes effect).
 * scripts/write-options-doc.ts writes the page; test/config/options-doc.test.ts fails when the
 * committed page differs. Pure.
 */
import { SETTING_FLAGS } from '../../runtime-shim/settings/flags';
import { RUNTIME_SETTINGS } from '../../runtime-shim/settings/runtime-settings';
import { COMMAND_LINE_FLAGS } from './command-line-flags';
import { ACCEPTED_ALIASES, CONFIG_KEYS, configKey, type ConfigKey, type ConfigKeySpec, type KeyKind } from './config-keys';

/** `text` as Markdown table-cell text: Markdown's punctuation escaped, `<` and `>` as entities. */
function md(text: string): string {
  return text
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** `text` as a code span in a table cell (a `|` must still be escaped there). */
const code = (text: string): string => `\`${text.replace(/\|/g, '\\|')}\``;

/** What a config gives for each kind of key (config-validate.ts accepts exactly this). */
const CONFIG_VALUE: { readonly [K in KeyKind]: string } = {
  text: 'string',
  path: 'path (relative to the config)',
  choice: '',
  choices: '',
  boolean: '`true` or `false`',
  switch: '`true` or `false` (or `"yes"`/`"no"`)',
  duration: 'duration string (`"30s"`) or milliseconds',
  number: 'number (or numeric string)',
  list: 'list of strings',
  paths: 'list of paths (relative to the config)',
  names: 'list of strings, or one comma-separated string',
  env: '`{ "KEY": "value" }` or list of `"KEY=value"`',
  packagePaths: '`{ "package": "path" }` or list of `"package=path"`',
  msi: '`true`, `false` or `{ "dir", "upgradeCode", "winget", "wingetUrl", "wingetId" }`',
};

function configValue(spec: ConfigKeySpec): string {
  const listed = (spec.choices ?? []).map((c) => code(JSON.stringify(c))).join(', ');
  if (spec.kind === 'choices') return `list of ${listed}, or one comma-separated string of them`;
  if (spec.kind !== 'choice') return CONFIG_VALUE[spec.kind];
  return `${listed}${spec.anyCase ? ' (any case)' : ''}`;
}

function flagCell(spec: Pick<ConfigKeySpec, 'flag' | 'valueName' | 'negation'> & { kind?: KeyKind }): string {
  if (spec.flag === '<entry>') return code('[entry]');
  const flag = code(spec.valueName === undefined ? spec.flag : `${spec.flag} <${spec.valueName}>`);
  const repeat = spec.kind && ['list', 'paths', 'env', 'packagePaths'].includes(spec.kind) ? ' (repeat)' : '';
  return `${flag}${repeat}${spec.negation === undefined ? '' : `, ${code(`--no-${spec.flag.slice(2)}`)}`}`;
}

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

/** docs/options.md. */
export function optionsReference(): string {
  const aliases = Object.entries(ACCEPTED_ALIASES).map(([alias, key]) => `${code(alias)} for ${code(key)}`);
  const build = CONFIG_KEYS.map((spec) => row([flagCell(spec), code(spec.key), configValue(spec), md(spec.default ?? ''), md(spec.help)]));
  const installed = [
    ...SETTING_FLAGS.map((f) => ({ key: f.key as ConfigKey, flag: f.flag, valueName: f.valueName, help: f.help, appliesOn: f.appliesOn, kind: 'service settings' })),
    ...RUNTIME_SETTINGS.map((s) => ({ key: s.key as ConfigKey, flag: s.flag, valueName: s.valueName, help: s.help, appliesOn: s.appliesOn, kind: 'runtime settings' })),
  ].map((s) =>
    row([
      code(`${s.flag} <${s.valueName}>`),
      code(s.flag.slice(2)),
      md(configKey(s.key).default ?? ''),
      s.appliesOn === 'now' ? 'now' : s.appliesOn === 'reload' ? 'on `reload`' : 'at the next start',
      md(s.help),
    ]),
  );
  return [
    '# Options reference',
    '',
    '<!-- Generated from the option tables (src/config/config-keys.ts and the settings catalogs in',
    '     runtime-shim/settings/) by `node --import ./scripts/ts-register.js scripts/write-options-doc.ts`.',
    '     Do not edit: test/config/options-doc.test.ts fails when this page differs from the tables. -->',
    '',
    '## `svcpack build` options and config keys',
    '',
    'Every option of `svcpack build` is also a key of the config (`svcpack.config.json`, `.ts`, `.mts`,',
    '`.cts`, `.js`, `.mjs`, `.cjs`, or the `"svcpack"` key of package.json) and of the `build()` API: the',
    'flag in camelCase, except `--arg` → `args` and `--asset` → `assets`. A flag given on the command',
    "line wins over the config; a list given there replaces the config's. A flag marked (repeat) is",
    `given once per value. ${COMMAND_LINE_FLAGS.map((f) => code(f.flag.split(' ')[0]!)).join(', ')} exist on the command line only (below the table).`,
    `Old key names still accepted: ${aliases.join(', ')}.`,
    '',
    row(['flag', 'config key', 'value in a config', 'default', 'description']),
    row(['---', '---', '---', '---', '---']),
    ...build,
    '',
    'Command line only (they say how one run goes, not what is built, so a config cannot hold them):',
    '',
    row(['flag', 'description']),
    row(['---', '---']),
    ...COMMAND_LINE_FLAGS.map((f) => row([code(f.flag), md(f.help)])),
    '',
    '## Settings of an installed service',
    '',
    "The exe's `install` takes these flags, and `config set <name> <value>` changes one later (the",
    'name is the flag without dashes; `config get` lists them, `config reset <name>` goes back to the',
    "exe's own value). The service settings (from `--start-type` to `--allow-control`) are what the",
    'Service Control Manager keeps; the runtime settings (from `--log-dir` on) are stored with the',
    "service under its Parameters registry key, over the exe's own values, which are their defaults:",
    'the values the exe was built with (svcpack\'s defaults are listed). "takes effect" says when a',
    'running service applies a change: now (the SCM applies it), on `reload` (`MySvc.exe reload`, or',
    'the next start), or at the next start (`MySvc.exe restart`).',
    '',
    row(['`install` flag', '`config` name', "svcpack's default", 'takes effect', 'description']),
    row(['---', '---', '---', '---', '---']),
    ...installed,
    '',
  ].join('\n');
}
