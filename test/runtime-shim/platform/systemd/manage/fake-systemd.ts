/**
 * A fake systemd for the management commands' unit tests: a CommandRunner that answers
 * `systemctl` and `journalctl` from a small model of one unit (loaded from the unit folder on
 * daemon-reload, active or not, enabled or not) and records every call. Failures are scripted per
 * verb (`fail`), and `start` can be made to end the service (`startFails`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExeConfig } from '../../../../../runtime-shim/exe-config';
import type { CommandRunner, RunResult } from '../../../../../runtime-shim/platform/systemd/manage/runner';
import { unitContext, type UnitManagerDeps } from '../../../../../runtime-shim/platform/systemd/manage/manager';
import type { UnitContext } from '../../../../../runtime-shim/platform/systemd/manage/context';
import type { LiveQueryResult } from '../../../../../runtime-shim/status/status-client';
import { CONFIG } from '../../../modes/exe';

export const NAME = 'MySvc';
export const UNIT = `${NAME}.service`;
export const EXE = '/opt/mysvc/MySvc';

const ok = (stdout = ''): RunResult => ({ code: 0, stdout, stderr: '', timedOut: false });
const failed = (stderr: string, code = 1): RunResult => ({ code, stdout: '', stderr, timedOut: false });

export class FakeSystemd implements CommandRunner {
  readonly calls: string[][] = [];
  /** Whether systemd has the unit loaded (after daemon-reload with the file there). */
  loaded = false;
  active: 'active' | 'inactive' | 'failed' | 'activating' | 'deactivating' = 'inactive';
  pid = 0;
  enabled = false;
  result = 'success';
  execMainCode = 0;
  execMainStatus = 0;
  startMonotonicUs = 0;
  nRestarts = 0;
  version = 257;
  /** A verb (`daemon-reload`, `enable`, `start`, …) → the stderr it fails with. */
  readonly fail = new Map<string, string>();
  /** Verbs that hang past their timeout. */
  readonly hang = new Set<string>();
  /** `start` ends the service with this exit status instead of running it. */
  startFails: number | null = null;
  readonly attachedCalls: string[][] = [];

  constructor(readonly unitDir: string) {}

  run(file: string, args: readonly string[], opts: { timeoutMs?: number } = {}): RunResult {
    this.calls.push([file, ...args]);
    if (file === 'journalctl') return ok();
    const rest = args.filter((a) => a !== '--no-ask-password');
    const verb = rest[0]!;
    if (this.hang.has(verb) && opts.timeoutMs !== undefined) return { code: -1, stdout: '', stderr: '', timedOut: true };
    const failure = this.fail.get(verb);
    if (failure !== undefined) return failed(failure);
    const unitFile = path.join(this.unitDir, UNIT);
    switch (verb) {
      case '--version':
        return ok(`systemd ${this.version} (${this.version}.9-1)\n+PAM +AUDIT\n`);
      case 'daemon-reload':
        this.loaded = fs.existsSync(unitFile);
        return ok();
      case 'show':
        return ok(this.show());
      case 'enable':
        this.enabled = true;
        return ok();
      case 'disable':
        this.enabled = false;
        return ok();
      case 'start':
        if (!this.loaded) return failed(`Failed to start ${UNIT}: Unit ${UNIT} not found.`, 5);
        if (fs.readFileSync(unitFile, 'utf8').includes('RefuseManualStart=yes')) {
          return failed(`Failed to start ${UNIT}: Operation refused, unit ${UNIT} may be requested by dependency only (it is configured to refuse manual start/stop).`);
        }
        if (this.startFails !== null) {
          this.active = 'failed';
          this.pid = 0;
          this.result = 'exit-code';
          this.execMainCode = 1;
          this.execMainStatus = this.startFails;
          return failed(`Job for ${UNIT} failed because the control process exited with error code.\nSee "systemctl status ${UNIT}" and "journalctl -xeu ${UNIT}" for details.`);
        }
        this.active = 'active';
        this.pid = 4242;
        this.result = 'success';
        this.startMonotonicUs = 1_000_000;
        return ok();
      case 'stop':
        this.active = 'inactive';
        this.pid = 0;
        this.execMainCode = 1;
        this.execMainStatus = 0;
        return ok();
      case 'reload':
        return this.active === 'active' ? ok() : failed(`Job for ${UNIT} failed.`);
      case 'clean':
      case 'reset-failed':
        return ok();
      default:
        return failed(`Unknown command verb '${verb}'.`);
    }
  }

  attached(file: string, args: readonly string[]): Promise<number> {
    this.attachedCalls.push([file, ...args]);
    return Promise.resolve(0);
  }

  /** The systemctl verbs called, in order (`daemon-reload`, `enable MySvc.service`, …), without show and --version. */
  verbs(): string[] {
    return this.calls
      .filter(([file]) => file === 'systemctl')
      .map(([, ...args]) => args.filter((a) => a !== '--no-ask-password').join(' '))
      .filter((v) => !v.startsWith('show ') && v !== '--version');
  }

  private show(): string {
    return [
      `LoadState=${this.loaded ? 'loaded' : 'not-found'}`,
      `ActiveState=${this.active}`,
      `SubState=${this.active === 'active' ? 'running' : 'dead'}`,
      `MainPID=${this.pid}`,
      `Result=${this.result}`,
      `ExecMainStatus=${this.execMainStatus}`,
      `ExecMainCode=${this.execMainCode}`,
      `ExecMainStartTimestampMonotonic=${this.active === 'active' ? this.startMonotonicUs : 0}`,
      `ExecMainStartTimestamp=${this.active === 'active' ? 'Mon 2026-12-07 16:50:00 UTC' : ''}`,
      `NRestarts=${this.nRestarts}`,
      `UnitFileState=${this.loaded ? (this.enabled ? 'enabled' : 'disabled') : ''}`,
      'LoadError=',
    ].join('\n');
  }
}

export interface Harness {
  systemd: FakeSystemd;
  ctx: UnitContext;
  deps: UnitManagerDeps;
  config: ExeConfig;
  out: string[];
  warnings: string[];
  unitDir: string;
  unitFile: string;
  dropIn: string;
  live: { result: LiveQueryResult | null; asked: string[] };
}

/** A fake systemd over a temporary unit folder, and the context the commands run with (root unless said). */
export function harness(opts: { isRoot?: boolean; config?: Partial<ExeConfig> } = {}): Harness {
  const unitDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-units-'));
  const systemd = new FakeSystemd(unitDir);
  const out: string[] = [];
  const warnings: string[] = [];
  const live: Harness['live'] = { result: null, asked: [] };
  let now = 0;
  const deps: UnitManagerDeps = {
    exePath: EXE,
    unitDir,
    runner: systemd,
    isRoot: opts.isRoot ?? true,
    out: (line) => out.push(line),
    warn: (line) => warnings.push(line),
    now: () => (now += 250),
    monotonicUs: () => 6_000_000,
    queryLive: (p) => {
      live.asked.push(p);
      return Promise.resolve(live.result ?? { ok: false, reason: `no status pipe ${p}` });
    },
    env: {},
  };
  const config: ExeConfig = { ...CONFIG, name: NAME, settings: { ...CONFIG.settings, workingDir: 'exe', displayName: 'My Service' }, ...opts.config };
  return {
    systemd,
    ctx: unitContext(config, deps),
    deps,
    config,
    out,
    warnings,
    unitDir,
    unitFile: path.join(unitDir, UNIT),
    dropIn: path.join(unitDir, `${UNIT}.d`, 'svcpack.conf'),
    live,
  };
}
