/**
 * The `svcpack build` command-line options, made from the config key table (config-keys.ts): one
 * commander option per key (a boolean's `--no-…` form too, where the table has one), with the
 * key's value name, help and default, and the values given read back under their keys. No option
 * has a commander default, so a flag not given never hides a config's value: defaults are
 * resolveBuildOptions' and only shown in the help.
 */
import { Option } from 'commander';
import { helpWithDefault, isRepeatable, type ConfigKeySpec, type ConfigOptions } from './config-keys';

/** The commander options of `spec`'s flag: the flag itself, and its `--no-…` form when the table gives one. */
export function flagOptions(spec: ConfigKeySpec): Option[] {
  const option = new Option(spec.valueName === undefined ? spec.flag : `${spec.flag} <${spec.valueName}>`, helpWithDefault(spec));
  if (isRepeatable(spec)) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  const options = [option];
  if (spec.negation !== undefined) options.push(new Option(`--no-${spec.flag.slice(2)}`, spec.negation));
  return options;
}

/**
 * The options of `specs` given on the command line (commander's parsed values: strings, lists of
 * the repeatable ones, booleans of the switches) under their keys; validation is the build's.
 */
export function optionsFromFlags(o: Record<string, unknown>, specs: readonly ConfigKeySpec[]): Partial<ConfigOptions> {
  const given: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.flag.startsWith('<')) continue;
    const value = o[new Option(spec.flag).attributeName()];
    if (value !== undefined) given[spec.key] = value;
  }
  return given as Partial<ConfigOptions>;
}
