import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { describeMachine, toolVersion } from '../../../bench/lib/machine';

describe('describeMachine', () => {
  it('describes this machine', () => {
    const m = describeMachine();
    expect(m.cpu).not.toBe('');
    expect(m.cores).toBeGreaterThanOrEqual(1);
    expect(m.memoryGiB).toBeCloseTo(os.totalmem() / 2 ** 30, 1);
    expect(m.kernel).toBe(os.release());
    expect(m.os).not.toBe('');
  });
});

describe('toolVersion', () => {
  const node = process.execPath;

  it("returns the first line a tool prints", async () => {
    expect(await toolVersion(node, ['--version'])).toBe(process.version);
    expect(await toolVersion(node, ['-e', 'console.log("\\n  tool 1.2  \\nsecond line")'])).toBe('tool 1.2');
  });

  it('reads stderr when stdout is empty, even from a failing command', async () => {
    expect(await toolVersion(node, ['-e', 'console.error("v9 on stderr"); process.exit(1)'])).toBe('v9 on stderr');
  });

  it("answers 'not found' for a missing command or a failure without output", async () => {
    expect(await toolVersion('svcpack-bench-no-such-tool', ['--version'])).toBe('not found');
    expect(await toolVersion(node, ['-e', 'process.exit(3)'])).toBe('not found');
  });
});
