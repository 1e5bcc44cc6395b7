/**
 * The JSON Schema of svcpack.config.json, made from the key table (config-keys.ts) so the two
 * cannot drift: svcpack.schema.json at the package root is this, written by
 * scripts/write-config-schema.ts and checked by test/config/config-schema.test.ts. Editors use it
 * through `"$schema": "./node_modules/svcpack/svcpack.schema.json"`. Pure.
 */
import { ACCEPTED_ALIASES, CONFIG_KEYS, configKey, helpWithDefault, MSI_OBJECT_KEYS, type ConfigKeySpec } from './config-keys';

type Schema = Record<string, unknown>;

const stringList: Schema = { type: 'array', items: { type: 'string' } };

/** The schema of one key's value: what config-validate.ts accepts for its kind. */
function valueSchema(spec: ConfigKeySpec): Schema {
  switch (spec.kind) {
    case 'text':
      return { type: 'string' };
    case 'path':
      return { type: 'string', minLength: 1 };
    case 'choice':
      return { enum: [...(spec.choices ?? [])] };
    case 'choices': {
      // One choice, or several separated by commas (spaces allowed around them), as the validator takes them.
      const one = (spec.choices ?? []).join('|');
      return { anyOf: [{ type: 'array', items: { enum: [...(spec.choices ?? [])] }, minItems: 1 }, { type: 'string', pattern: `^\\s*(${one})\\s*(,\\s*(${one})\\s*)*$` }] };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'switch':
      return { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', 'yes', 'no'] }] };
    case 'duration':
      return { type: ['integer', 'string'], minimum: 0 };
    case 'number':
      return { type: ['number', 'string'] };
    case 'list':
      return stringList;
    case 'paths':
      return { type: 'array', items: { type: 'string', minLength: 1 } };
    case 'names':
      return { anyOf: [stringList, { type: 'string' }] };
    case 'packagePaths':
      return {
        anyOf: [
          { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
          { type: 'array', items: { type: 'string', pattern: '.=.' } },
        ],
      };
    case 'msi':
      return {
        anyOf: [
          { type: 'boolean' },
          {
            type: 'object',
            properties: Object.fromEntries(Object.entries(MSI_OBJECT_KEYS).map(([key, type]) => [key, { type }])),
            additionalProperties: false,
          },
        ],
      };
    case 'env':
      return {
        anyOf: [
          { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          { type: 'array', items: { type: 'string', pattern: '=' } },
        ],
      };
  }
}

/** The whole schema: an object of the config keys (and their accepted old names) and `$schema`, nothing else. */
export function configSchema(): Schema {
  const properties: Record<string, Schema> = { $schema: { type: 'string', description: 'this schema; ignored by svcpack' } };
  for (const spec of CONFIG_KEYS) {
    properties[spec.key] = { description: `${spec.flag}: ${helpWithDefault(spec)}`, ...valueSchema(spec) };
  }
  // Old names still accepted, so configs that use them keep validating in editors.
  for (const [alias, key] of Object.entries(ACCEPTED_ALIASES)) {
    properties[alias] = { description: `the old name of ${key}, still accepted; use ${key}`, deprecated: true, ...valueSchema(configKey(key)) };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'svcpack config',
    description: 'svcpack build options: svcpack.config.json, or the "svcpack" key of package.json. Keys are the build flags in camelCase.',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}
