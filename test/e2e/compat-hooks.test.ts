/**
 * The compatibility suite, part three: APM and tracing agents (OpenTelemetry, Elastic APM) that
 * patch `http` and `pg` through require-in-the-middle as they load (fixtures/compat-hooks, the
 * apps in compat-apps.ts), each started by a `preload` module before the app's entry. Each app
 * is built, run as a service under Wine's SCM, probed (the probe reads back the spans the agent
 * recorded for its own requests and query) and stopped gracefully by compat-suite.ts.
 */
import { COMPAT_HOOKS } from './compat-apps';
import { compatSuite } from './compat-suite';

compatSuite(COMPAT_HOOKS);
