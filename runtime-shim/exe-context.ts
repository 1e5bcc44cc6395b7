/**
 * What boot.ts hands to every mode and to the management commands: the configuration baked into
 * the exe and the platform it runs on. The modes take both from here, never from the build's
 * global or from native bindings, so each startup path runs in a unit test with a fake platform.
 */
import type { ExeConfig } from './exe-config';
import type { Platform } from './platform/platform';

export interface ExeContext {
  /** What `svcpack build` baked into the exe. Read-only. */
  config: ExeConfig;
  /** The operating system's side: service manager, stored settings, system log, process jobs, … */
  platform: Platform;
}
