/**
 * svcpack's programmatic API: `import { build } from 'svcpack'`. `build()` uses only the options
 * it is given; to build from the config as `svcpack build` does:
 * `build(mergeConfig(await loadConfig(), { version: '2.0.0' }))`.
 */
export { build } from './build';
export type { BuildEvent, BuildHooks, BuildResult, BuildStep } from './build';
/**
 * `watchBuild(options, hooks?)`: builds, then rebuilds whenever the app's inputs change, as
 * `svcpack build --watch` does; with `hooks.restart` also restarts the installed service after
 * each successful build (`true`: on Windows, running its exe directly; a ServiceHost: its own way,
 * e.g. under Wine). Resolves to a Watcher once the first build has ended; `stop()` ends it.
 */
export { watchBuild } from './watch/watch-build';
export type { RebuildReport, Watcher, WatchHooks } from './watch/watch-build';
export type { HostRunResult, RestartOutcome, ServiceHost } from './watch/restart';
export type { BuildOptions, Packer } from './config/options';
export { loadConfig } from './config/config-load';
export type { LoadConfigOptions, LoadedConfig } from './config/config-load';
export type { ConfigKey, ConfigOptions, OptionSources } from './config/config-keys';
export { defineConfig } from './config/define-config';
export type { SvcpackConfig, SvcpackConfigExport } from './config/define-config';
export { mergeConfig } from './config/merge';
export type { BuildRecord, TargetRecord } from './emit/build-record';
export { TARGETS } from './targets';
export type { Target } from './targets';
export { SvcpackError } from './errors';
export type { ErrorCode } from './errors';
/**
 * `sign(exe, options, hooks?)`: signs an exe in place (Authenticode, sha256), verifies the new
 * signature and updates `<Name>.build.json` next to it, as `svcpack sign` does. Resolves to
 * `{ file, bytes, sha256, signature, buildRecord }`; throws SvcpackError (INVALID_SIGN_OPTION,
 * SIGNER_NOT_FOUND, SIGN_BAD_PASSWORD, SIGN_CERT_EXPIRED, SIGN_TIMESTAMP_UNREACHABLE, …).
 */
export { sign } from './sign/sign-file';
export type { SignResult } from './sign/sign-file';
export type { SignHooks, SignedExe } from './sign/sign';
export type { SignOptions, Signer } from './config/sign-options';
export type { SignatureRecord } from './sign/record';
/**
 * `inspect(exePath)` / `inspectBytes(bytes)`: what an exe is, as `svcpack inspect --json` prints it;
 * `verifyAuthenticode(bytes)`: integrity and signer of its Authenticode signature (not the trust chain).
 */
export { inspect, inspectBytes } from './inspect/inspect';
export type { InspectResult, VersionInfoSummary } from './inspect/inspect';
export { verifyAuthenticode } from './inspect/authenticode';
export type { SignatureInfo } from './inspect/authenticode';
export type { ExeManifest } from './pack/manifest';
export type { LoggingInput } from '../runtime-shim/settings/logging-resolve';
export type { LoggingSettings } from '../runtime-shim/settings/logging-settings';
export type { SettingsInput } from '../runtime-shim/settings/resolve';
export type { ServiceSettings } from '../runtime-shim/settings/service-settings';
