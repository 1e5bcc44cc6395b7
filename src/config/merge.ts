/** Merging what was given (command line or API) over what a config holds: precedence. Pure. */
import { usageError } from '../errors';
import { ACCEPTED_ALIASES, type ConfigKey, type ConfigOptions, type OptionSources } from './config-keys';
import type { BuildOptions } from './options';

/**
 * The options a build runs with: `given` (command-line flags or API options; a key whose value is
 * `undefined` counts as not given) over `config` (what loadConfig read: the config file over
 * package.json "svcpack"). A given key replaces the config's value whole, so a list given on the
 * command line (`--env`, `--arg`, `--dependencies`) replaces the config's list. The result's
 * `sources` names the config's keys that were not overridden (plus `given.sources`), so messages
 * name those by config and key, the others by flag. A key given by its old name (ACCEPTED_ALIASES)
 * counts as given under its key. Throws a usage error (exit 2) when neither
 * has `entry` or `name`.
 */
export function mergeConfig(config: { options: ConfigOptions; sources: OptionSources }, given: Partial<BuildOptions>): BuildOptions {
  const defined: Record<string, unknown> = Object.fromEntries(Object.entries(given).filter(([key, value]) => value !== undefined && key !== 'sources'));
  // A key given by its old name (`stopTimeoutMs`) overrides the config's value of the key.
  for (const [alias, key] of Object.entries(ACCEPTED_ALIASES)) {
    if (alias in defined && !(key in defined)) {
      defined[key] = defined[alias];
      delete defined[alias];
    }
  }
  const sources: OptionSources = {};
  for (const [key, source] of Object.entries(config.sources) as Array<[ConfigKey, string]>) {
    if (!(key in defined)) sources[key] = source;
  }
  const merged = { ...config.options, ...defined, sources: { ...sources, ...given.sources } };
  if (merged.entry === undefined) {
    throw usageError('USAGE', 'no entry file given', 'pass it (svcpack build <entry>), or set "entry" in svcpack.config.json');
  }
  if (merged.name === undefined) throw usageError('USAGE', 'no service name given', 'pass --name <name>, or set "name" in svcpack.config.json');
  return merged as BuildOptions;
}
