/** The supervisor ↔ app child messages for controls (issue 16). */
import { describe, expect, it } from 'vitest';
import { isToChild, isToSupervisor } from '../../../runtime-shim/supervise/ipc';
import { BAKED_RUNTIME } from '../manage/fake-scm';

describe('IPC messages for controls', () => {
  it('the child announces its handlers and answers controls by id', () => {
    const handled = { reload: true, pauseContinue: true, custom: false, sessionChange: false, powerEvent: false };
    expect(isToSupervisor({ type: 'controls', handled })).toBe(true);
    expect(isToSupervisor({ type: 'control-done', id: 3 })).toBe(true);
    expect(isToSupervisor({ type: 'controls' })).toBe(false);
    expect(isToSupervisor({ type: 'control-done', id: '3' })).toBe(false);
  });

  it('the supervisor sends stops and controls (a reload with its settings)', () => {
    expect(isToChild({ type: 'stop', reason: 'stop' })).toBe(true);
    expect(isToChild({ type: 'control', id: 1, control: 'pause' })).toBe(true);
    expect(isToChild({ type: 'control', id: 2, control: 'paramchange', settings: BAKED_RUNTIME })).toBe(true);
    expect(isToChild({ type: 'control', id: 3, control: { kind: 'custom', code: 200 } })).toBe(true);
    expect(isToChild({ type: 'control', control: 'pause' })).toBe(false);
    expect(isToChild({ type: 'control', id: 4 })).toBe(false);
    expect(isToChild(null)).toBe(false);
  });
});
