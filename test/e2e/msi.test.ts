/**
 * The MSI of `svcpack build --msi` under Wine 10's msiexec (docs/signing-and-release.md, The MSI;
 * docs/wine10-facts.md, msiexec): the operate fixture built as 1.0.0 and 1.0.1 with service
 * settings that the MSI tables cannot carry (delayed start, recovery, preshutdown timeout) and
 * ones they can (display name, description, account, dependencies, the service argument).
 *
 * - `msiexec /i /qn` → the service RUNNING with the build's settings (read back with the exe's
 *   `status --json` and the service's registry key: Wine's `sc qc`/`sc qfailure` are not
 *   implemented), HTTP answering;
 * - 1.0.1 over 1.0.0 → one product, one service, the new exe running, the stored `config set`
 *   value, the data folder and the log kept; 1.0.0 over 1.0.1 is refused (1603);
 * - `msiexec /x /qn` → no service, no program files, the data folder kept; `REMOVEDATA=1` removes it;
 * - a failed install (the port in use: the service stops at start) rolls back: no service, no
 *   files, no product.
 *
 * The tests run in order and share the installed state; each cleans up what it needs first.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFixture, dataDirOf, e2eFile, findWine, removeService, ensurePortFree, httpGet, regQuery, runExe, sc, waitForHttp, waitForState, wine, winePrefix, winPath, type BuiltFixture } from './wine';
import { inspectMsi } from '../../src/inspect/msi';
import { defaultUpgradeCode, productCode } from '../../src/msi/guid';

const NAME = 'SvcpackE2EMsi';
const PORT = 18741; // the operate fixture's port=N argument: Wine gives services no custom environment
const COMPANY = 'Svcpack Tests';
const KEY = `HKLM\\System\\CurrentControlSet\\Services\\${NAME}`;
const UNINSTALL = 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const programDir = path.join(winePrefix, 'drive_c', 'Program Files', COMPANY, NAME);
/** msiexec's 1603 (ERROR_INSTALL_FAILURE: a launch condition, here the downgrade) as a Linux exit status (8 bits). */
const INSTALL_FAILURE = 1603 & 0xff;
/** What Wine's msiexec exits with when a custom action fails (Windows: 1603): 1627, ERROR_FUNCTION_FAILED. */
const ACTION_FAILED = 1627 & 0xff;

const settings = {
  company: COMPANY,
  displayName: 'Svcpack E2E MSI',
  description: 'svcpack e2e: the service an MSI installs',
  startType: 'delayed-auto' as const,
  dependencies: ['PlugPlay'],
  recovery: 'restart/2s,restart/7s',
  recoveryReset: '2h',
  preshutdownTimeout: '2m',
  args: [`port=${PORT}`],
  stopTimeout: '5s',
  msi: true,
};

// No `services`: e2eFile would delete the service after each test, and these tests build on each other's state.
const file = e2eFile({
  services: [],
  setup: async () => {
    const [v1, v2] = await Promise.all([buildFixture('operate', NAME, { ...settings, version: '1.0.0' }), buildFixture('operate', NAME, { ...settings, version: '1.0.1' })]);
    const msiOf = (built: BuiltFixture) => built.files.find((f) => f.endsWith('.msi'))!;
    await removeProducts();
    return { v1, v2, msi1: msiOf(v1), msi2: msiOf(v2) };
  },
});

/** Uninstalls both versions if installed (a product left registered by an interrupted run would turn the first install into a repair), then removes what is left. */
async function removeProducts(): Promise<void> {
  for (const version of ['1.0.0', '1.0.1']) await msiexec('/x', `{${productCode(defaultUpgradeCode(NAME), version)}}`, '/qn');
  await removeService(NAME);
  fs.rmSync(dataDirOf(NAME), { recursive: true, force: true });
}

afterAll(async () => {
  if (findWine()) await removeProducts().catch(() => undefined);
});

async function msiexec(...args: string[]) {
  const t = performance.now();
  const r = await wine(['msiexec', ...args], 300_000);
  return { ...r, ms: Math.round(performance.now() - t) };
}

const installedExe = path.join(programDir, `${NAME}.exe`);

async function status(): Promise<Record<string, unknown>> {
  const r = await runExe(installedExe, ['status', '--json'], { dir: file.ctx.v1.outDir, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** The products registered with this UpgradeCode's product codes: version → DisplayVersion. */
async function products(): Promise<string[]> {
  const found: string[] = [];
  for (const version of ['1.0.0', '1.0.1']) {
    const values = await regQuery(`${UNINSTALL}\\{${productCode(defaultUpgradeCode(NAME), version)}}`);
    if (values) found.push(values.DisplayVersion?.data ?? '?');
  }
  return found;
}

const runsFile = () => path.join(dataDirOf(NAME), 'runs.txt');

describe('the MSI under Wine msiexec', () => {
  test('is built next to the exe, named <Name>-<version>-x64.msi', () => {
    const { v1, msi1 } = file.ctx;
    expect(path.basename(msi1)).toBe(`${NAME}-1.0.0-x64.msi`);
    expect(path.dirname(msi1)).toBe(v1.outDir);
    expect(v1.record.outputs[`${NAME}-1.0.0-x64.msi`]?.bytes).toBe(fs.statSync(msi1).size);
    console.log(`[e2e] MSI ${(fs.statSync(msi1).size / 1e6).toFixed(1)} MB (exe ${(fs.statSync(v1.exe).size / 1e6).toFixed(1)} MB), built in ${v1.timings.msi} ms`);
  });

  test('svcpack inspect reads it: product, version, UpgradeCode, the service, the exe inside', async () => {
    const r = await inspectMsi(file.ctx.msi1);
    expect(r).toMatchObject({
      kind: 'msi',
      product: { name: 'Svcpack E2E MSI', version: '1.0.0', manufacturer: COMPANY, upgradeCode: `{${defaultUpgradeCode(NAME)}}`, productCode: `{${productCode(defaultUpgradeCode(NAME), '1.0.0')}}` },
      installDir: `%ProgramFiles%\\${COMPANY}\\${NAME}`,
      service: { name: NAME, displayName: 'Svcpack E2E MSI', startType: 'auto', account: `NT SERVICE\\${NAME}`, arguments: `--service port=${PORT}`, dependencies: ['PlugPlay'] },
      signed: false,
    });
    expect(r.exe?.sha256).toBe(file.ctx.v1.record.outputs[`${NAME}.exe`]?.sha256);
    expect(r.exe?.svcpack).toMatchObject({ name: NAME, version: '1.0.0' });
  });

  test('msiexec /i /qn installs the service with the build settings and starts it', async () => {
    await ensurePortFree(PORT);
    const r = await msiexec('/i', winPath(file.ctx.msi1), '/qn');
    console.log(`[e2e] msiexec /i took ${r.ms} ms`);
    expect(r.code, r.stderr).toBe(0);
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 15_000)).toBe('operate fixture');

    const s = await status();
    expect(s).toMatchObject({
      name: NAME,
      version: '1.0.0',
      installed: true,
      state: 'RUNNING',
      startType: 'delayed-auto',
      displayName: 'Svcpack E2E MSI',
      description: 'svcpack e2e: the service an MSI installs',
      account: `NT SERVICE\\${NAME}`,
      binaryPath: `"C:\\Program Files\\${COMPANY}\\${NAME}\\${NAME}.exe" --service port=${PORT}`,
      thisExe: true,
    });
    const key = await regQuery(KEY);
    expect(key).toMatchObject({
      DelayedAutoStart: { type: 'REG_DWORD', data: '0x1' },
      Start: { type: 'REG_DWORD', data: '0x2' },
      PreshutdownTimeout: { type: 'REG_DWORD', data: '0x1d4c0' },
      DependOnService: { type: 'REG_MULTI_SZ', data: 'PlugPlay' },
      ObjectName: { type: 'REG_SZ', data: `NT SERVICE\\${NAME}` },
    });
    // Wine's SCM keeps no failure actions (docs/wine10-facts.md): what install was told is in status's settings.
    const rows = s.settings as Array<{ name: string; value: string }>;
    expect(rows.find((row) => row.name === 'recovery')?.value).toBe('restart/2s,restart/7s');
    expect(rows.find((row) => row.name === 'recovery-reset')?.value).toBe('2h');
    expect(await products()).toEqual(['1.0.0']);
  });

  test('1.0.1 over 1.0.0 is a major upgrade: one service, the new exe running, stored settings, data and log kept', async () => {
    const set = await runExe(installedExe, ['config', 'set', 'log-level', 'debug'], { dir: file.ctx.v1.outDir, timeoutMs: 60_000 });
    expect(set.code, set.stderr).toBe(0);
    const runsBefore = Number(fs.readFileSync(runsFile(), 'utf8'));
    const logFile = path.join(dataDirOf(NAME), 'logs', `${NAME}.log`);
    const logBefore = fs.readFileSync(logFile, 'utf8');

    const r = await msiexec('/i', winPath(file.ctx.msi2), '/qn');
    console.log(`[e2e] msiexec /i (upgrade) took ${r.ms} ms`);
    expect(r.code, r.stderr).toBe(0);
    await waitForState(NAME, 'RUNNING', 20_000);
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 15_000)).toBe('operate fixture');
    expect(await status()).toMatchObject({ version: '1.0.1', installedVersion: '1.0.1.0', state: 'RUNNING', startType: 'delayed-auto' });
    expect(await products()).toEqual(['1.0.1']);
    expect(await regQuery(`${KEY}\\Parameters`)).toMatchObject({ logLevel: { type: 'REG_SZ', data: 'debug' } });
    expect(Number(fs.readFileSync(runsFile(), 'utf8'))).toBe(runsBefore + 1);
    expect(fs.readFileSync(logFile, 'utf8').startsWith(logBefore.slice(0, 200))).toBe(true);
  });

  test('1.0.0 over 1.0.1 is refused (1603) and changes nothing', async () => {
    const r = await msiexec('/i', winPath(file.ctx.msi1), '/qn');
    expect(r.code).toBe(INSTALL_FAILURE);
    expect(await status()).toMatchObject({ version: '1.0.1', state: 'RUNNING' });
    expect(await products()).toEqual(['1.0.1']);
  });

  test('msiexec /x /qn removes the service and the program files, keeps the data folder', async () => {
    const r = await msiexec('/x', winPath(file.ctx.msi2), '/qn');
    console.log(`[e2e] msiexec /x took ${r.ms} ms`);
    expect(r.code, r.stderr).toBe(0);
    expect((await sc('query', NAME)).state).toBeUndefined();
    expect(fs.existsSync(installedExe)).toBe(false);
    expect(await products()).toEqual([]);
    expect(fs.existsSync(runsFile())).toBe(true);
    expect(await httpGet(`http://127.0.0.1:${PORT}/`, 1_000)).toBeNull();
  });

  test('a failed install (the port in use) rolls back: no service, no files, no product', async () => {
    await ensurePortFree(PORT);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(PORT, '127.0.0.1', resolve));
    try {
      const r = await msiexec('/i', winPath(file.ctx.msi1), '/qn');
      expect(r.code).toBe(ACTION_FAILED);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    expect((await sc('query', NAME)).state).toBeUndefined();
    expect(fs.existsSync(installedExe)).toBe(false);
    expect(await products()).toEqual([]);
  });

  test('REMOVEDATA=1 on removal also deletes the data folder', async () => {
    await ensurePortFree(PORT);
    expect((await msiexec('/i', winPath(file.ctx.msi1), '/qn')).code).toBe(0);
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    const r = await msiexec('/x', winPath(file.ctx.msi1), '/qn', 'REMOVEDATA=1');
    expect(r.code, r.stderr).toBe(0);
    expect((await sc('query', NAME)).state).toBeUndefined();
    expect(fs.existsSync(dataDirOf(NAME))).toBe(false);
  });
});
