/**
 * globalSetup of the e2e and bench projects (vitest.config.ts), run once in vitest's main process
 * before the first test file of the run:
 *
 * - Without Wine 10 the run ends at once, exit code 1, with one line on stderr: checkWine()'s
 *   (what is missing — run npm run setup:test) and where the tests that need no Wine are. It
 *   exits rather than throws: vitest would report a thrown error as "No test files found" plus a
 *   stack trace. `npm test` ends there too, before the unit files, since vitest runs every
 *   project's global setup first. In CI as well: a Wine test never skips.
 * - Otherwise the shared Wine prefix is created and finished (ensurePrefix()) before any file
 *   starts its Wine session in it; the files still start and end their own sessions (e2eFile).
 */
import { checkWine, ensurePrefix } from '../support/wine';

export default async function setup(): Promise<void> {
  const wine = checkWine();
  if (!wine.ok) {
    process.stderr.write(`\n${wine.problem}; the tests that need no Wine: npm run test:unit\n`);
    process.exit(1);
  }
  await ensurePrefix();
}
