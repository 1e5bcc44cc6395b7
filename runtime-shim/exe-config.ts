import type { LoggingSettings } from './settings/logging-settings';
import type { ServiceSettings } from './settings/service-settings';
import type { OperationSettings } from './settings/operation-settings';
import type { SupervisionSettings } from './settings/supervision-settings';

/**
 * What `svcpack build` bakes into the exe (esbuild `define` of `__SVCPACK_EXE__`). Read-only at
 * run time.
 */
export interface ExeConfig {
  name: string;
  displayName: string;
  description: string;
  version: string;
  svcpackVersion: string;
  /** Stop timeout in ms: how long stop handlers may run before the stop is forced. */
  stopTimeoutMs: number;
  /** SHA-256 (hex) of the embedded koffi.node, checked before every load. */
  koffiSha256: string;
  /** The service settings `install` applies unless its flags override them. */
  settings: ServiceSettings;
  /** Log files, rotation and the Event Log. */
  logging: LoggingSettings;
  /** Supervised mode: restart policy and health checks. */
  supervision: SupervisionSettings;
  /** Exit-code policy, hooks and the alert webhook. */
  operation: OperationSettings;
}

declare const __SVCPACK_EXE__: ExeConfig;

export const exeConfig: ExeConfig = __SVCPACK_EXE__;
