/**
 * `services` of `svcpack/runtime`: the SCM client (client.ts) on the exe's backend
 * (native-services.ts), with its types, errors and the restart policy a watchdog needs.
 */
import { createServices } from './client';
import { nativeServices } from './native-services';

export const services = /* @__PURE__ */ createServices(nativeServices);
export type { Services, ServiceWatch, StatusListener, WaitOptions } from './client';
export { ServiceAccessDeniedError, ServiceDeletedError, ServiceError, ServiceNotFoundError, ServicesUnavailableError } from './errors';
export { exitCodeOf, stoppedWithError, type ServiceInfo, type ServiceState, type ServiceStatus, type StartType } from './status';
export { ServiceGuard, type GuardAction, type ServiceGuardSettings } from './service-guard';
export { DEFAULT_RESTART_POLICY, RestartPolicy, type RestartDecision, type RestartPolicySettings } from '../supervise/restart-policy';
