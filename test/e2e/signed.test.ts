/**
 * A signed exe end to end under Wine: hello-http built with `--pfx … --password-env …
 * --timestamp-url …` (osslsigncode, a throwaway certificate and a local RFC 3161 server from
 * test/sign/) must still install, start (RUNNING, HTTP answers) and stop (STOPPED, exit 0) as a
 * service through its own commands: the signature is appended to the PE image and must not
 * disturb the SEA blob or the resources. Fails, never skips, without Wine or osslsigncode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { verifyAuthenticode } from '../../src/inspect/authenticode';
import { findProgram } from '../../src/sign/run-tool';
import { makePki } from '../sign/pki';
import { startTsa } from '../sign/tsa';
import { besidesWineScmWarnings, buildFixture, e2eFile, ensurePortFree, runExe, sc, waitForHttp, waitForState, type BuiltFixture } from './wine';

const NAME = 'SvcpackE2ESigned';
const PORT = 8080; // hello-http's default: Wine gives services no custom environment (docs/wine10-facts.md)
const PASSWORD_ENV = 'SVCPACK_E2E_SIGN_PASSWORD';

const file = e2eFile({
  services: [NAME],
  setup: async () => {
    if (!findProgram('osslsigncode', process.env)) throw new Error('osslsigncode is required: apt-get install -y osslsigncode');
    const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-e2e-signed-pki-'));
    const pki = makePki(pkiDir);
    const tsa = await startTsa(pki);
    process.env[PASSWORD_ENV] = pki.password;
    try {
      return await buildFixture('hello-http', NAME, { pfx: pki.pfx, passwordEnv: PASSWORD_ENV, timestampUrl: tsa.url, stopTimeout: 5_000 });
    } finally {
      delete process.env[PASSWORD_ENV];
      await tsa.close();
      fs.rmSync(pkiDir, { recursive: true, force: true });
    }
  },
});

const exe = (built: BuiltFixture, ...args: string[]) => runExe(built.exe, args, { timeoutMs: 60_000 });

describe('signed exe', () => {
  test('carries a valid, timestamped signature, recorded in build.json', () => {
    const built = file.ctx;
    const info = verifyAuthenticode(fs.readFileSync(built.exe));
    expect(info).toMatchObject({ status: 'valid', digestAlgorithm: 'sha256', signer: { subject: 'CN=Svcpack Test Signer, O=svcpack tests' } });
    expect(info.timestamp?.time).toBeDefined();
    expect(built.record.signature).toMatchObject({ status: 'valid', tool: 'osslsigncode', timestamp: { time: info.timestamp?.time } });
    expect(built.record.outputs[`${NAME}.exe`]?.bytes).toBe(fs.statSync(built.exe).size);
  });

  test('runs as a service: install → start → RUNNING, HTTP ok → stop → STOPPED (exit 0) → uninstall', async () => {
    const built = file.ctx;
    await ensurePortFree(PORT);
    const installed = await exe(built, 'install', '--start-type', 'manual');
    expect(besidesWineScmWarnings(installed.stderr)).toBe('');
    expect(installed.code).toBe(0);

    const started = await exe(built, 'start');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect((await sc('query', NAME)).state).toBe('RUNNING');
    expect(await waitForHttp(`http://127.0.0.1:${PORT}/`, 10_000)).toBe('ok');

    const stopped = await exe(built, 'stop');
    expect(stopped.code).toBe(0);
    const state = await waitForState(NAME, 'STOPPED', 20_000);
    expect(state.win32ExitCode, state.text).toBe(0);

    expect((await exe(built, 'uninstall')).code).toBe(0);
    expect((await sc('query', NAME)).state).toBeUndefined();
  });
});
