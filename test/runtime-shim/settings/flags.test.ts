import { describe, it, expect } from 'vitest';
import { SETTING_FLAGS, settingFlag, settingsInputFromFlags } from '../../../runtime-shim/settings/flags';

describe('SETTING_FLAGS', () => {
  it('has one flag per settings key, named as the key in kebab-case (args: --arg)', () => {
    const kebab = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    expect(SETTING_FLAGS.map((f) => f.key)).toEqual([
      'startType', 'displayName', 'description', 'account', 'dependencies', 'recovery', 'recoveryReset',
      'recoveryCommand', 'recoveryOnNonCrash', 'preshutdownTimeout', 'sidType', 'env', 'args', 'workingDir', 'allowControl',
    ]);
    for (const f of SETTING_FLAGS) expect(f.flag).toBe(f.key === 'args' ? '--arg' : kebab(f.key));
    expect(new Set(SETTING_FLAGS.map((f) => f.flag)).size).toBe(SETTING_FLAGS.length);
  });

  it('only --env and --arg repeat; every flag has a value name and one line of help', () => {
    expect(SETTING_FLAGS.filter((f) => f.repeatable).map((f) => f.flag)).toEqual(['--env', '--arg']);
    for (const f of SETTING_FLAGS) {
      expect(f.valueName).not.toBe('');
      expect(f.help).toMatch(/^[^\n]+$/);
    }
  });

  it('settingFlag finds the flag of a key', () => {
    expect(settingFlag('recoveryOnNonCrash').flag).toBe('--recovery-on-non-crash');
    expect(settingFlag('args')).toMatchObject({ key: 'args', flag: '--arg', repeatable: true });
  });
});

describe('settingsInputFromFlags', () => {
  it('single-valued flags take their last value, repeatable ones keep all in order', () => {
    const input = settingsInputFromFlags(
      new Map([
        ['--start-type', ['manual', 'auto']],
        ['--dependencies', ['Tcpip,+Group']],
        ['--recovery-on-non-crash', ['no']],
        ['--env', ['A=1', 'B=2']],
        ['--arg', ['--port', '80']],
      ]),
    );
    expect(input).toEqual({ startType: 'auto', dependencies: 'Tcpip,+Group', recoveryOnNonCrash: 'no', env: ['A=1', 'B=2'], args: ['--port', '80'] });
  });

  it('ignores flags that are not settings and flags without values', () => {
    expect(settingsInputFromFlags(new Map([['--force', ['x']], ['--account', []]]))).toEqual({});
  });
});
