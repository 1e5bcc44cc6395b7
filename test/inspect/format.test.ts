import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGGING } from '../../runtime-shim/settings/logging-settings';
import { DEFAULT_OPERATION } from '../../runtime-shim/settings/operation-settings';
import { RUNTIME_SETTINGS } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings, type ServiceSettings } from '../../runtime-shim/settings/service-settings';
import { DEFAULT_SUPERVISION } from '../../runtime-shim/settings/supervision-settings';
import { formatInspect } from '../../src/inspect/format';
import type { InspectResult } from '../../src/inspect/inspect';
import { exeManifest } from '../../src/pack/manifest';

const signer = {
  subject: 'CN=ACME Code Signing, O=ACME',
  issuer: 'CN=ACME CA',
  serialNumber: '0A1B',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  sha256Fingerprint: 'ab'.repeat(32),
};

function result(overrides: Partial<InspectResult> = {}): InspectResult {
  return {
    file: 'dist/MySvc.exe',
    format: 'pe',
    bytes: 1234,
    sha256: 'cd'.repeat(32),
    svcpack: exeManifest(
      {
        name: 'MySvc',
        displayName: 'My Service',
        description: '',
        version: '1.4.0',
        svcpackVersion: '0.1.0',
        koffiSha256: 'ef'.repeat(32),
        stopTimeoutMs: 30_000,
        settings: {
          ...defaultSettings('MySvc'),
          env: { TOKEN: 'hunter2' },
          args: ['--port', '80'],
          recovery: { actions: [{ action: 'run', delayMs: 60_000 }], resetAfterMs: 3_600_000, command: 'C:\\notify.cmd', onNonCrashFailures: false },
        },
        logging: { ...DEFAULT_LOGGING, logDir: 'D:\\logs\\MySvc', logCompress: true, eventLog: false },
        supervision: { ...DEFAULT_SUPERVISION, supervise: true, heartbeatTimeoutMs: 30_000 },
        operation: { ...DEFAULT_OPERATION, exitCodes: { success: [0, 3], restart: 'all' }, alertUrl: 'https://ops:pw@alerts.example.com/hook/abcdef?key=123' },
      },
      { nodeVersion: '22.22.2', packer: 'pkg', compress: true, packages: { mode: 'bundle', reason: 'packages bundled' }, preload: ['src/tracing.ts'] },
    ),
    versionInfo: null,
    node: { version: '22.22.2' },
    sea: true,
    packages: null,
    signature: { status: 'unsigned' },
    ...overrides,
  };
}

/** label → value of each `label  value` line (labels are separated from values by 2+ spaces). */
const rowsOf = (text: string) =>
  new Map(text.trimEnd().split('\n').map((l) => /^\s*(\S(?:\S| (?! ))*) {2,}(.*)$/.exec(l)!).map((m) => [m[1]!, m[2]!] as const));

describe('formatInspect', () => {
  it('one aligned block; env names only', () => {
    const text = formatInspect(result());
    const lines = text.trimEnd().split('\n');
    expect(new Set(lines.map((l) => l.search(/(?<=\S {2,})\S/)))).toEqual(new Set([25])); // widest label '  recovery-on-non-crash' + 2
    const rows = rowsOf(text);
    expect(rows.get('description')).toBe('(none)');
    expect(rows.get('packer')).toBe('pkg');
    expect(rows.get('compressed')).toBe('yes');
    expect(rows.get('package loading')).toBe('bundle: packages bundled');
    expect(rows.get('preload')).toBe('src/tracing.ts');
    expect(rows.get('size')).toBe('1.2 KB (1234 bytes)');
    expect(rows.get('env')).toBe('TOKEN=***');
    expect(rows.get('arg')).toBe('--port 80');
    expect(rows.get('recovery')).toBe('run/1m');
    expect(rows.get('recovery-reset')).toBe('1h');
    expect(rows.get('recovery-command')).toBe('C:\\notify.cmd');
    expect(rows.get('recovery-on-non-crash')).toBe('false');
    expect(rows.get('dependencies')).toBe('none');
    expect(rows.get('stop-timeout')).toBe('30s');
    expect(rows.get('working-dir')).toBe('exe');
    expect(rows.get('log-dir')).toBe('D:\\logs\\MySvc');
    expect(rows.get('log-compress')).toBe('true');
    expect(rows.get('event-log')).toBe('false');
    expect(rows.get('supervise')).toBe('true');
    expect(rows.get('restart-delay')).toBe('100ms');
    expect(rows.get('heartbeat-timeout')).toBe('30s');
    expect(rows.get('health-url')).toBe('none');
    expect(rows.has('health-interval')).toBe(false); // no health URL: the probe details do not apply
    expect(rows.get('success-exit-codes')).toBe('0,3');
    expect(rows.get('pre-start')).toBe('none');
    expect(rows.get('alert-url')).toBe('https://***@alerts.example.com/hook/***?***');
    expect(text).not.toMatch(/hunter2|pw@|key=123|abcdef/);
  });

  it('every setting of the runtime catalog that applies has a row, named as config get names it', () => {
    const rows = rowsOf(formatInspect(result()));
    for (const { flag } of RUNTIME_SETTINGS) if (!/^--health-(interval|timeout|failures)$/.test(flag)) expect(rows.has(flag.slice(2)), flag).toBe(true);
    const r = result();
    const m = r.svcpack!;
    const withHealth = { ...m, supervision: { ...m.supervision, health: { url: 'http://127.0.0.1:8080/health', intervalMs: 10_000, timeoutMs: 5_000, failures: 3 } } };
    expect(rowsOf(formatInspect({ ...r, svcpack: withHealth })).get('health-interval')).toBe('10s');
  });

  it('an exe of an older svcpack: no operation settings, package loading or preload recorded', () => {
    const r = result();
    const { operation: _o, packages: _p, preload: _l, ...old } = r.svcpack!;
    const rows = rowsOf(formatInspect({ ...r, svcpack: old }));
    expect(rows.get('alert-url')).toBe('not recorded (built by an older svcpack)');
    expect(rows.get('hook-timeout')).toBe('not recorded (built by an older svcpack)');
    expect(rows.get('stop-timeout')).toBe('30s');
    expect(rows.has('package loading')).toBe(false);
    expect(rows.has('preload')).toBe(false);
  });

  it('the working folder; an exe built before the setting existed says it is not set', () => {
    const r = result();
    expect(rowsOf(formatInspect({ ...r, svcpack: { ...r.svcpack!, settings: { ...r.svcpack!.settings, workingDir: 'D:\\apps' } } })).get('working-dir')).toBe('D:\\apps');
    const { workingDir: _, ...old } = r.svcpack!.settings;
    expect(rowsOf(formatInspect({ ...r, svcpack: { ...r.svcpack!, settings: old as ServiceSettings } })).get('working-dir')).toBe('not set (built before svcpack set it)');
  });

  it('who may control the service besides administrators; an exe built before the setting existed has no one', () => {
    const r = result();
    const rows = (settings: object) => rowsOf(formatInspect({ ...r, svcpack: { ...r.svcpack!, settings: settings as ServiceSettings } }));
    expect(rows({ ...r.svcpack!.settings, allowControl: [] }).get('allow-control')).toBe('administrators only (the Windows default)');
    expect(rows({ ...r.svcpack!.settings, allowControl: ['Users', 'CORP\\Ops'] }).get('allow-control')).toBe('Users,CORP\\Ops');
    const { allowControl: _, ...old } = r.svcpack!.settings;
    expect(rows(old).get('allow-control')).toBe('administrators only (the Windows default)');
  });

  it('a valid signature: signer, certificate, program, timestamp', () => {
    const rows = rowsOf(
      formatInspect(
        result({
          signature: { status: 'valid', digestAlgorithm: 'sha256', signer, description: 'My Service', url: 'https://acme.example', timestamp: { time: '2026-05-01T10:00:00.000Z', signer: 'CN=TSA' } },
        }),
      ),
    );
    expect(rows.get('signature')).toBe('valid (sha256): unchanged since signed by the certificate below (trust chain not checked)');
    expect(rows.get('signer')).toBe(signer.subject);
    expect(rows.get('certificate')).toBe('valid 2026-01-01 to 2027-01-01, serial 0A1B');
    expect(rows.get('program')).toBe('My Service — https://acme.example');
    expect(rows.get('timestamp')).toBe('2026-05-01T10:00:00.000Z by CN=TSA');
  });

  it('an invalid signature shows its problem; an exe svcpack did not build shows its version strings', () => {
    const text = formatInspect(
      result({
        svcpack: null,
        node: null,
        sea: false,
        versionInfo: { fileVersion: '1.0.0.0', productVersion: '1.0.0.0', strings: { ProductName: 'Other', CompanyName: 'Someone' } },
        signature: { status: 'invalid', problem: 'the file was changed after it was signed', signer },
      }),
    );
    const rows = rowsOf(text);
    expect(rows.get('svcpack')).toBe('no (not built by svcpack)');
    expect(rows.get('product')).toBe('Other');
    expect(rows.get('company')).toBe('Someone');
    expect(rows.get('Node.js')).toBe('unknown');
    expect(rows.get('signature')).toBe('INVALID: the file was changed after it was signed');
    expect(rows.has('packer')).toBe(false);
    expect(rows.has('start-type')).toBe(false);
  });

  it('the embedded packages come last: a count, then name@version, license, location and integrity in columns', () => {
    const text = formatInspect(
      result({
        packages: [
          { name: '@babel/core', version: '7.29.0', license: '(MIT OR Apache-2.0)', integrity: 'sha512-AAAA', location: 'node_modules/@babel/core', files: 3, bytes: 2048 },
          { name: 'ms', version: '2.1.3', license: null, integrity: null, location: 'node_modules/debug/node_modules/ms', files: 1, bytes: 1024 },
        ],
      }),
    );
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([
      `${'packages'.padEnd(25)}2 of the dependency tree (4 files, 3.0 KB)`,
      `${''.padEnd(25)}@babel/core@7.29.0  (MIT OR Apache-2.0)  node_modules/@babel/core            sha512-AAAA`,
      `${''.padEnd(25)}ms@2.1.3            (no license)         node_modules/debug/node_modules/ms  (no integrity)`,
    ]);
    expect(formatInspect(result())).not.toMatch(/^packages/m);
  });
});
