import { describe, expect, it } from 'vitest';
import { runOptionsProblem } from '../../bench/run';

describe('runOptionsProblem (npm run bench options)', () => {
  it('accepts the defaults, --quick, at least 5 repetitions and known suites', () => {
    expect(runOptionsProblem({})).toBeNull();
    expect(runOptionsProblem({ quick: true, reps: 1 })).toBeNull();
    expect(runOptionsProblem({ reps: 7, only: ['build', 'supervision'] })).toBeNull();
  });

  it('names the option and what to pass', () => {
    expect(runOptionsProblem({ reps: 2 })).toBe('--reps 2 is too few: use at least 5 (or --quick for a smoke run)');
    expect(runOptionsProblem({ reps: 0 })).toBe('--reps 0 is not a positive whole number');
    expect(runOptionsProblem({ reps: 5.5 })).toBe('--reps 5.5 is not a positive whole number');
    expect(runOptionsProblem({ only: ['build', 'nope'] })).toBe('unknown suite nope: choose from build, size, service, supervision, lines, addons, embedded, tree, packages, linux');
  });
});
