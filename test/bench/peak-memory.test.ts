/**
 * runTool's peak memory (GNU time's %M, bench/peers/tools.ts): what the figure covers, with Node
 * programs that touch a known amount of memory. These pin down the facts the build suite's notes
 * state: the figure is the largest single process among the command and the children it waited
 * for, never a sum, and a child still running when the command exits is not counted.
 */
import { describe, expect, it } from 'vitest';
import { GNU_TIME_MISSING, maxPeak, parsePeakRss, requireGnuTime, runTool } from '../../bench/peers/tools';

const MiB = 1024;
/** A Node program that touches `mib` MiB (Buffer.alloc zero-fills every page) and holds it briefly. */
const touch = (mib: number) => `const b = Buffer.alloc(${mib} * 1024 * 1024, 1); setTimeout(() => b.length, 50);`;
const node = (code: string) => runTool(process.execPath, ['-e', code], { what: 'node -e', peakMemory: true });

describe('parsePeakRss', () => {
  it('reads the last line of what time -f %M -o FILE wrote', () => {
    expect(parsePeakRss('123456\n')).toBe(123456);
    expect(parsePeakRss('Command exited with non-zero status 2\n4242\n')).toBe(4242);
  });

  it('refuses output without a figure', () => {
    expect(() => parsePeakRss('')).toThrow('/usr/bin/time reported no peak memory (its output ends "")');
    expect(() => parsePeakRss('Command terminated by signal 9\n')).toThrow('its output ends "Command terminated by signal 9"');
  });
});

describe('maxPeak', () => {
  it('is the larger known figure', () => {
    expect(maxPeak(undefined, undefined)).toBeUndefined();
    expect(maxPeak(5, undefined)).toBe(5);
    expect(maxPeak(undefined, 7)).toBe(7);
    expect(maxPeak(9, 7)).toBe(9);
  });
});

describe('runTool with peakMemory', () => {
  it('finds GNU time on this machine', async () => {
    await expect(requireGnuTime()).resolves.toBeUndefined();
    expect(GNU_TIME_MISSING).toMatch(/ — install the Debian package time/);
  });

  it('reports the command\'s peak resident set in KiB, with its output', async () => {
    const small = await node('console.log("hi")');
    expect(small.stdout).toBe('hi\n');
    expect(small.peakRssKiB).toBeGreaterThan(10 * MiB);
    const big = await node(touch(300));
    expect(big.peakRssKiB).toBeGreaterThan(300 * MiB);
    expect(big.peakRssKiB - small.peakRssKiB).toBeGreaterThan(250 * MiB);
  });

  it('counts a child the command waited for as its own process: the largest, not the sum', async () => {
    const parent = `require('node:child_process').execFileSync(process.execPath, ['-e', ${JSON.stringify(touch(300))}]);`;
    const { peakRssKiB } = await node(parent);
    const childAlone = (await node(touch(300))).peakRssKiB;
    const bare = (await node('')).peakRssKiB;
    expect(peakRssKiB).toBeGreaterThan(300 * MiB);
    // A sum would be the child's figure plus the parent's (≈ a bare Node): it is the child's alone.
    expect(Math.abs(peakRssKiB - childAlone)).toBeLessThan(bare / 2);
  });

  it('does not count a child still running when the command exits (as svcpack leaves esbuild)', async () => {
    const child = `${touch(300)} process.stdout.write('ready'); setTimeout(() => {}, 500);`;
    const parent = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'pipe', 'ignore'] });
c.stdout.once('data', () => { c.unref(); c.stdout.destroy(); process.exit(0); });`;
    const { peakRssKiB } = await node(parent);
    expect(peakRssKiB).toBeLessThan(200 * MiB);
  });

  it('keeps the failure message of a command that fails', async () => {
    await expect(runTool(process.execPath, ['-e', 'console.error("boom: broken"); process.exit(3)'], { what: 'the failing step', peakMemory: true })).rejects.toThrow(
      'the failing step failed: boom: broken',
    );
  });
});
