/**
 * The core service test once per supported Node.js line (src/runtime/node-lines.ts: each line's
 * proven patch), under Wine 10's SCM: build → `install` → `start` → HTTP → graceful stop → a crash
 * ends it with a failure exit code → `uninstall`. Also per line: a machine-wide NODE_OPTIONS does
 * not reach the exe (SEA execArgvExtension "none"), and `version` names the embedded Node. One
 * extra Node 26 build with --allow-node-options shows the opt-in.
 *
 * The three exes (plus the opt-in one) are built in parallel while Wine's SCM comes up. Ports are
 * given as `--arg port=<n>`: Wine 10 gives services no custom environment (docs/wine10-facts.md).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { ExitCode } from '../../runtime-shim/lifecycle/lifecycle';
import { NODE_LINES } from '../../src/runtime/node-lines';
import {
  buildFixture,
  e2eFile,
  ensurePortFree,
  expectInOrder,
  httpGet,
  runExe,
  sc,
  spawnExe,
  waitForHttp,
  waitForState,
  waitForText,
  type BuiltFixture,
} from './wine';

const ERROR_SERVICE_SPECIFIC_ERROR = 1066;
const lines = NODE_LINES.map((line, i) => ({ ...line, name: `SvcpackE2ENode${line.major}`, port: 18091 + i, runPort: 18191 + i }));
const OPT_IN = { name: 'SvcpackE2ENodeOptIn', port: 18199 };

const file = e2eFile({
  services: lines.map((l) => l.name),
  setup: async () => {
    const [optIn, ...built] = await Promise.all([
      buildFixture('line-probe', OPT_IN.name, { node: NODE_LINES.at(-1)!.proven, allowNodeOptions: true }),
      ...lines.map((l) => buildFixture('line-probe', l.name, { node: l.proven, stopTimeout: 5_000 })),
    ]);
    return { optIn: optIn!, built: new Map(lines.map((l, i) => [l.major, built[i]!])) };
  },
});

async function exe(built: BuiltFixture, ...args: string[]) {
  const r = await runExe(built.exe, args, { timeoutMs: 60_000 });
  expect(r.code, `${args.join(' ')}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  return r;
}

/** `run` with NODE_OPTIONS=--no-deprecation set; returns what /info says, then ends it. */
async function infoUnderNodeOptions(built: BuiltFixture, port: number): Promise<{ node: string; noDeprecation: boolean; execArgv: string[] }> {
  await ensurePortFree(port);
  const p = spawnExe(built.exe, ['run'], { env: { PORT: String(port), NODE_OPTIONS: '--no-deprecation' }, tag: 'run-node-options' });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, 20_000);
    return JSON.parse((await httpGet(`http://127.0.0.1:${port}/info`)) ?? 'null') as { node: string; noDeprecation: boolean; execArgv: string[] };
  } finally {
    await p.kill();
  }
}

describe.each(lines)('Node.js $major ($proven)', (line) => {
  let built: BuiltFixture;
  beforeEach(() => {
    built = file.ctx.built.get(line.major)!;
  });

  test('build → install → start → HTTP → graceful stop → crash exit code → uninstall', async () => {
    expect(built.record.node.version).toBe(line.proven);
    const version = await exe(built, 'version');
    expect(version.stdout).toContain(`Node.js v${line.proven}`);

    await ensurePortFree(line.port);
    const installed = await exe(built, 'install', '--start-type', 'manual', '--arg', `port=${line.port}`);
    expect(installed.stdout).toMatch(/installed/);
    const started = await exe(built, 'start');
    expect(started.stdout).toMatch(/running/i);
    expect(await waitForHttp(`http://127.0.0.1:${line.port}/`, 20_000)).toBe('ok');
    const info = JSON.parse((await httpGet(`http://127.0.0.1:${line.port}/info`))!) as { node: string };
    expect(info.node).toBe(`v${line.proven}`);

    const stopping = await sc('stop', line.name);
    expect(stopping.code, stopping.text).toBe(0);
    const stopped = await waitForState(line.name, 'STOPPED', 15_000);
    expect([stopped.win32ExitCode, stopped.serviceExitCode], stopped.text).toEqual([0, 0]);
    const log = await waitForText(built.logFile, /\[lifecycle\] stopped\b/, 5_000);
    expectInOrder(log, [/\[lifecycle\] running/, /\[lifecycle\] stopping \(stop\)/, /SIGTERM: closing the server/, /server closed/, /\[lifecycle\] stopped\b/]);

    await exe(built, 'start');
    expect(await httpGet(`http://127.0.0.1:${line.port}/crash`)).toBe('crashing');
    const crashed = await waitForState(line.name, 'STOPPED', 15_000);
    expect(crashed.win32ExitCode, crashed.text).toBe(ERROR_SERVICE_SPECIFIC_ERROR);
    expect(crashed.serviceExitCode, crashed.text).toBe(ExitCode.UncaughtException);
    // Source maps work on every line: the frame names the TypeScript source.
    expect(await waitForText(built.logFile, /stopped after failure/, 5_000)).toMatch(/uncaught exception: Error: line-probe: deliberate uncaught error[\s\S]*app\.ts:\d+:\d+/);

    const removed = await exe(built, 'uninstall');
    expect(removed.stdout).toMatch(/removed|uninstalled/);
    expect((await sc('query', line.name)).state).toBeUndefined();
  });

  test('a NODE_OPTIONS in the environment does not reach the exe', async () => {
    expect(await infoUnderNodeOptions(built, line.runPort)).toEqual({ node: `v${line.proven}`, noDeprecation: false, execArgv: expect.any(Array) });
  });
});

test('--allow-node-options lets NODE_OPTIONS apply', async () => {
  expect(await infoUnderNodeOptions(file.ctx.optIn, OPT_IN.port)).toMatchObject({ noDeprecation: true });
});
