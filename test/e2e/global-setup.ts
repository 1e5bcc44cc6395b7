/**
 * globalSetup of the e2e and bench projects (vitest.config.ts), run once in vitest's main process
 * before the first test file of the run:
 *
 * - Without Wine 10 the run ends at once: checkWine()'s one line on stderr, exit code 1. (Thrown
 *   from here instead, vitest reports "No test files found" and a stack trace, and every file's
 *   own check would fail each of its tests after the run had started.) In CI too: a Wine test
 *   never skips.
 * - Otherwise the shared Wine prefix is created and finished (ensurePrefix()) before any file
 *   starts its Wine session in it; the files still start and end their own sessions (e2eFile).
 */
import { checkWine, ensurePrefix } from '../support/wine';

export default async function setup(): Promise<void> {
  const wine = checkWine();
  if (!wine.ok) {
    process.stderr.write(`\n${wine.problem}\n`);
    process.exit(1);
  }
  await ensurePrefix();
}
