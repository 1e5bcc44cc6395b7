/**
 * Captures what the code under test writes to process.stdout and process.stderr, for tests that
 * run the CLI's main() in-process. Call at the top of a file or describe block: it installs a
 * beforeEach (start capturing, empty buffers) and an afterEach (restore the real streams).
 */
import { afterEach, beforeEach, vi } from 'vitest';

/** What was written since the test began; assign '' to start over within a test. */
export interface CapturedOutput {
  stdout: string;
  stderr: string;
}

export function captureOutput(): CapturedOutput {
  const out: CapturedOutput = { stdout: '', stderr: '' };
  beforeEach(() => {
    out.stdout = '';
    out.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out.stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((out.stderr += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return out;
}
