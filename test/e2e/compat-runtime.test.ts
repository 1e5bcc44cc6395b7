/**
 * The compatibility suite, part two: packages reached only at run time, by names the bundler
 * cannot see (fixtures/compat-runtime, the apps in compat-apps.ts). Each app is built, run as a
 * service under Wine's SCM, probed and stopped gracefully by the machinery in compat-suite.ts.
 */
import { COMPAT_RUNTIME } from './compat-apps';
import { compatSuite } from './compat-suite';

compatSuite(COMPAT_RUNTIME);
