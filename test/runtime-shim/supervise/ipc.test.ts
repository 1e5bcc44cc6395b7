import { describe, expect, it } from 'vitest';
import { isToChild, isToSupervisor } from '../../../runtime-shim/supervise/ipc';
import { BAKED_RUNTIME } from '../commands/fake-scm';

describe('IPC messages between the supervisor and the app', () => {
  it('the supervisor takes running, heartbeat, log and usage (with a sample), nothing else', () => {
    expect(isToSupervisor({ type: 'running' })).toBe(true);
    expect(isToSupervisor({ type: 'heartbeat' })).toBe(true);
    expect(isToSupervisor({ type: 'log', level: 'error', source: 'app', message: 'x' })).toBe(true);
    expect(isToSupervisor({ type: 'usage', sample: { pid: 1, nowMs: 0, uptimeMs: 1, rssBytes: 1, heapUsedBytes: 1, cpuMicros: 1 } })).toBe(true);
    expect(isToSupervisor({ type: 'usage' })).toBe(false);
    expect(isToSupervisor({ type: 'usage', sample: null })).toBe(false);
    expect(isToSupervisor({ type: 'log', level: 'error' })).toBe(false);
    expect(isToSupervisor('running')).toBe(false);
  });

  it('the app takes stop and usage requests', () => {
    expect(isToChild({ type: 'stop', reason: 'stop' })).toBe(true);
    expect(isToChild({ type: 'usage' })).toBe(true);
    expect(isToChild({ type: 'running' })).toBe(false);
    expect(isToChild(null)).toBe(false);
  });
});

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
