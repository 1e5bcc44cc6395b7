import { describe, expect, it } from 'vitest';
import { isToChild, isToSupervisor } from '../../../runtime-shim/supervise/ipc';

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
