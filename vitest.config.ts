import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/support/summary-reporter';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', new SummaryReporter()],
    // The Wine end-to-end tests share one Wine prefix and its Service Control Manager.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 180_000,
  },
});
