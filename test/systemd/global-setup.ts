/**
 * globalSetup of the systemd project (vitest.config.ts), run once in vitest's main process before
 * the first test file: without what the systemd tests need (root, systemd-nspawn, nsenter, the
 * Debian trixie root of scripts/systemd-root.sh) the run ends at once, exit code 1, with
 * checkSystemd()'s one line on stderr and where the tests that need no systemd are. It exits rather
 * than throws, as test/e2e/global-setup.ts does for Wine: a systemd test never skips, in CI neither.
 */
import { checkSystemd } from '../support/systemd';

export default function setup(): void {
  const check = checkSystemd();
  if (!check.ok) {
    process.stderr.write(`\n${check.problem}; the tests that need no systemd: npm run test:unit\n`);
    process.exit(1);
  }
}
