/** The exe's command line for Task Scheduler mode: install --as/--trigger and the --task argument. */
import { describe, expect, it } from 'vitest';
import { parseExeArgs, TASK_ARG } from '../../../../runtime-shim/commands/command-line';

describe('task command line', () => {
  it('--task starts task mode with the app args after it', () => {
    expect(TASK_ARG).toBe('--task');
    expect(parseExeArgs(['--task'])).toEqual({ kind: 'task', args: [] });
    expect(parseExeArgs(['--task', '--port', '8080'])).toEqual({ kind: 'task', args: ['--port', '8080'] });
  });

  it('install --as task collects every --trigger, quoted two-word values included', () => {
    expect(parseExeArgs(['install', '--as', 'task', '--trigger', 'boot', '--trigger', 'daily 03:00', '--trigger=every 15m', '--account', 'LocalSystem'])).toEqual({
      kind: 'install',
      input: { account: 'LocalSystem' },
      runtime: {},
      force: false,
      task: { triggers: ['boot', 'daily 03:00', 'every 15m'] },
    });
    expect(parseExeArgs(['install', '--as=task'])).toEqual({ kind: 'install', input: {}, runtime: {}, force: false, task: { triggers: [] } });
  });

  it('a service install reads as before', () => {
    expect(parseExeArgs(['install', '--as', 'service'])).toEqual({ kind: 'install', input: {}, runtime: {}, force: false });
  });

  it('usage errors', () => {
    expect(parseExeArgs(['install', '--as', 'job'])).toEqual({ kind: 'usage-error', message: '--as "job" is neither service nor task' });
    expect(parseExeArgs(['install', '--trigger', 'boot'])).toEqual({ kind: 'usage-error', message: '--trigger needs --as task (a service starts by its --start-type)' });
    expect(parseExeArgs(['install', '--as', 'task', '--trigger', 'daily', '03:00'])).toEqual({
      kind: 'usage-error',
      message: `unexpected argument '03:00' for 'install': put a two-word trigger in quotes, e.g. --trigger "daily 03:00"`,
    });
    expect(parseExeArgs(['install', '--as', 'task', '--trigger'])).toEqual({ kind: 'usage-error', message: "option '--trigger' needs a value" });
  });
});
