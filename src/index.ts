/** svcpack's programmatic API: `import { build } from 'svcpack'`. */
export { build } from './build';
export type { BuildEvent, BuildHooks, BuildResult, BuildStep } from './build';
export type { BuildOptions, Packer } from './config/options';
export type { BuildRecord } from './emit/build-record';
export { SvcpackError } from './errors';
export type { ErrorCode } from './errors';
export type { LoggingInput } from '../runtime-shim/settings/logging-resolve';
export type { LoggingSettings } from '../runtime-shim/settings/logging-settings';
export type { SettingsInput } from '../runtime-shim/settings/resolve';
export type { ServiceSettings } from '../runtime-shim/settings/service-settings';
