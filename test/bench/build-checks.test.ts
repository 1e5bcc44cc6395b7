/**
 * The build suite's targets (bench/suites/build.ts `fixtureChecks`), from made-up measurements:
 * which checks each fixture gets, their targets, and that a missed one carries its explanation.
 */
import { describe, expect, it } from 'vitest';
import { measurement } from '../../bench/lib/stats';
import type { Measurement } from '../../bench/lib/types';
import { BUN_GAP, COLD_GAP, CONTENDER, fixtureChecks, MEMORY_GAP } from '../../bench/suites/build';

/** Measurements of `fixture`: warm, cold (s) and warm peak memory (MiB) of svcpack, bun and pkg --sea. */
function figures(fixture: string, f: { warm: [number, number, number]; cold: [number, number, number]; memory: [number, number, number] }): Measurement[] {
  const who = [CONTENDER.svcpack, CONTENDER.bun, CONTENDER.pkg];
  return [
    ...who.map((c, i) => measurement(`build.warm.${fixture}`, 'warm', c, 's', [f.warm[i]!])),
    ...who.map((c, i) => measurement(`build.cold.${fixture}`, 'cold', c, 's', [f.cold[i]!])),
    ...who.map((c, i) => measurement(`build.memory.warm.${fixture}`, 'memory', c, 'MB', [f.memory[i]!])),
  ];
}

const hello = { id: 'hello', label: 'hello-http' } as const;
const large = { id: 'large', label: 'large-app' } as const;

describe('fixtureChecks', () => {
  it('hello-http: warm ≤ 1.0× bun, warm ≤ 0.15× pkg, cold ≤ 1.5× bun, warm peak memory ≤ bun', () => {
    const checks = fixtureChecks(hello, figures('hello', { warm: [0.5, 0.5, 10], cold: [0.75, 0.5, 10], memory: [200, 250, 300] }));
    expect(checks.map((c) => [c.id, c.target.op, c.target.value, c.value, c.met])).toEqual([
      ['build.warm.hello.svcpack-vs-bun', '<=', 1.0, 1.0, true],
      ['build.warm.hello.svcpack-vs-pkg', '<=', 0.15, 0.05, true],
      ['build.cold.hello.svcpack-vs-bun', '<=', 1.5, 1.5, true],
      ['build.memory.warm.hello.svcpack-vs-bun', '<=', 1.0, 0.8, true],
    ]);
    expect(checks.every((c) => c.kind === 'ratio' && !c.label.includes('informational'))).toBe(true);
  });

  it('large-app: warm ≤ 1.2× bun is a real target; only the pkg ratio stays informational', () => {
    const checks = fixtureChecks(large, figures('large', { warm: [1.3, 1.0, 10], cold: [1.6, 1.0, 10], memory: [600, 300, 300] }));
    expect(checks.map((c) => [c.id, c.target.value, c.met])).toEqual([
      ['build.warm.large.svcpack-vs-bun', 1.2, false],
      ['build.warm.large.svcpack-vs-pkg', 0.15, true],
      ['build.cold.large.svcpack-vs-bun', 1.5, false],
      ['build.memory.warm.large.svcpack-vs-bun', 1.0, false],
    ]);
    expect(checks.map((c) => c.explanation)).toEqual([BUN_GAP, undefined, COLD_GAP, MEMORY_GAP]);
    expect(checks.filter((c) => c.label.includes('informational')).map((c) => c.id)).toEqual(['build.warm.large.svcpack-vs-pkg']);
  });

  it('names a missing measurement', () => {
    const partial = figures('hello', { warm: [1, 1, 1], cold: [1, 1, 1], memory: [1, 1, 1] }).filter((m) => m.metric !== 'build.memory.warm.hello' || m.contender !== CONTENDER.bun);
    expect(() => fixtureChecks(hello, partial)).toThrow('build: no build.memory.warm.hello measurement for bun build --compile');
  });
});
