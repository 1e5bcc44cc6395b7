/**
 * The built Linux executable end to end on a real systemd 257: `svcpack build --target linux-x64`
 * makes fixtures/hello-http's ELF and its scripts; inside the container, install-hello-http.sh
 * copies it to /opt/hello-http and installs and starts the unit (Type=notify: active once the
 * service said READY=1), the service answers HTTP, running the script again restarts it on the
 * replaced executable, and uninstall-hello-http.sh removes the unit and /opt/hello-http.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build } from '../../src/build';
import { bootSystemd, SHARED_DIR, type SystemdContainer } from '../support/systemd';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = 'hello-http';
const UNIT = `${NAME}.service`;
const PORT = 18642;

describe('the built ELF under systemd 257', () => {
  let c: SystemdContainer;
  const script = (file: string, ...args: string[]) => c.exec('sh', [`${SHARED_DIR}/dist/${file}`, ...args], { timeoutMs: 120_000 });
  const mainPid = async () => (await c.systemctl('show', '-p', 'MainPID', '--value', UNIT)).stdout.trim();

  beforeAll(async () => {
    c = await bootSystemd();
    const project = path.join(c.shared.host, 'project');
    fs.cpSync(path.join(repoRoot, 'fixtures', 'hello-http'), project, { recursive: true });
    await build({ entry: path.join(project, 'app.ts'), name: NAME, outDir: path.join(c.shared.host, 'dist'), targets: 'linux-x64' });
  }, 240_000);

  afterAll(async () => {
    await c?.shutdown();
  });

  test('install-hello-http.sh puts the executable in /opt, installs and starts the unit; it answers HTTP', async () => {
    const r = await script(`install-${NAME}.sh`, '--env', `PORT=${PORT}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`install-${NAME}.sh: service ${NAME} installed and started\n`);
    expect((await c.exec('stat', ['-c', '%U %a', `/opt/${NAME}/${NAME}`])).stdout.trim()).toBe('root 755');
    expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('active');
    expect(await c.http(PORT, '/')).toEqual({ status: 200, body: 'ok' });
  });

  test('running it again restarts the service on the replaced executable', async () => {
    const before = await mainPid();
    const r = await script(`install-${NAME}.sh`);
    expect(r.code).toBe(0);
    expect((await c.systemctl('is-active', UNIT)).stdout.trim()).toBe('active');
    expect(await mainPid()).not.toBe(before);
    expect(await c.http(PORT, '/')).toEqual({ status: 200, body: 'ok' }); // the stored --env survived --force
  });

  test('uninstall-hello-http.sh stops and removes the service and /opt/hello-http; again, it does nothing', async () => {
    const r = await script(`uninstall-${NAME}.sh`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`uninstall-${NAME}.sh: service ${NAME} removed\n`);
    expect((await c.exec('test', ['-e', `/etc/systemd/system/${UNIT}`])).code).toBe(1);
    expect((await c.exec('test', ['-e', `/opt/${NAME}`])).code).toBe(1);
    const again = await script(`uninstall-${NAME}.sh`);
    expect(again.code).toBe(0);
  });
});
