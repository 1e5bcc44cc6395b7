/**
 * The compatibility suite: one small realistic service per widely used package or framework
 * (fixtures/compat, the apps in compat-apps.ts), each built, run as a service under Wine's SCM,
 * probed and stopped gracefully by the machinery in compat-suite.ts, which prints the figures of
 * the table in docs/compatibility.md.
 */
import { COMPAT } from './compat-apps';
import { compatSuite } from './compat-suite';

compatSuite(COMPAT);
