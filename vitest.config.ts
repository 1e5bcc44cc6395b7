/**
 * Four projects, each run on its own with `vitest run --project <name>` (npm run test:unit,
 * test:e2e, test:bench, test:systemd); `vitest run` (npm test) runs all four,
 * one after the other:
 *
 * - unit: everything outside test/e2e, test/bench and test/systemd. No Wine, no systemd. Files run
 *   in parallel, one worker per CPU (vitest's default leaves one CPU idle, which on a 2-core
 *   machine is no parallelism).
 * - e2e: test/e2e, under Wine. Files run one at a time: they share one Wine prefix and its
 *   Service Control Manager. test/e2e/global-setup.ts checks for Wine and finishes the prefix once
 *   before the first file; without Wine the project fails at once with one line.
 * - bench: test/bench, the benchmark code and one quick run of every suite (Wine and mingw-w64).
 *   One file at a time, in the same prefix as e2e, with the same Wine check.
 * - systemd: test/systemd, on a real systemd 257: each file boots the Debian trixie root of
 *   scripts/systemd-root.sh as a container (test/support/systemd.ts). One file at a time;
 *   test/systemd/global-setup.ts fails the project at once with one line when the tests do not run
 *   as root or systemd-nspawn, nsenter or the systemd root is missing.
 *
 * `sequence.groupOrder` runs the groups in turn (unit, then e2e, then bench, then systemd) so the
 * Wine and systemd tests, whose timings matter, never share the CPU with the parallel unit files.
 */
import os from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summary-reporter.ts';

const SERIAL_PROJECTS = ['test/e2e/**', 'test/bench/**', 'test/systemd/**'];

export default defineConfig({
  test: {
    reporters: ['default', new SummaryReporter()],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...SERIAL_PROJECTS],
          maxWorkers: Math.max(2, os.availableParallelism()),
          testTimeout: 30_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'bench',
          include: ['test/bench/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'systemd',
          include: ['test/systemd/**/*.test.ts'],
          globalSetup: ['test/systemd/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
