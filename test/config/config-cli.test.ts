import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import { captureOutput } from '../support/capture-output';

const hello = path.resolve(__dirname, '../../fixtures/hello-http/app.ts');
let project: string;
const out = captureOutput();

beforeEach(() => {
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-config-cli-')));
});
afterEach(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

function write(file: string, content: object | string): void {
  fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  fs.writeFileSync(path.join(project, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

/** `svcpack build …` run in the project folder. */
const build = (...args: string[]) => main(['build', ...args], { cwd: project });

/** Exit 2 and one line `svcpack: … — …` matching `pattern`; nothing written. */
async function expectUsageError(args: string[], pattern: RegExp): Promise<void> {
  expect(await build(...args)).toBe(2);
  const lines = out.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^svcpack: .+ — .+/);
  expect(lines[0]).toMatch(pattern);
  expect(fs.existsSync(path.join(project, 'dist'))).toBe(false);
}

describe('svcpack build with a config file', () => {
  it('no arguments: builds from svcpack.config.json, defaults (dist, direct) relative to the current folder', async () => {
    write('svcpack.config.json', {
      $schema: './node_modules/svcpack/svcpack.schema.json',
      entry: path.relative(project, hello),
      name: 'ConfigSvc',
      displayName: 'Config Service',
      startType: 'manual',
      env: { PORT: 8080 },
      logLevel: 'debug',
      stopTimeoutMs: 5000,
    });
    const code = await build('--json');
    expect(code, out.stderr).toBe(0);
    const record = JSON.parse(out.stdout);
    expect(record).toMatchObject({ name: 'ConfigSvc', version: '1.2.3', packer: 'direct', outDir: path.join(project, 'dist') });
    // The record names env variables only; the install script carries the value (a number in JSON, a string here).
    expect(record.settings).toMatchObject({ startType: 'manual', displayName: 'Config Service', env: { PORT: '***' } });
    expect(fs.readFileSync(path.join(project, 'dist', 'install.cmd'), 'utf8')).toContain('--env "PORT=8080"');
    expect(record.logging.logLevel).toBe('debug');
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['ConfigSvc.build.json', 'ConfigSvc.exe', 'install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1']);
  }, 120_000);

  it('flags override the config (--config picks it), a repeated flag replaces its list, --no-compress overrides compress', async () => {
    write('conf/svcpack.config.ts', [
      "import { defineConfig } from 'svcpack';",
      'export default defineConfig({',
      `  entry: ${JSON.stringify(hello)},`,
      "  name: 'FromTs',",
      "  startType: 'manual',",
      "  env: { A: '1', B: '2' },",
      "  outDir: 'out',",
      '  compress: true,',
      '});',
    ].join('\n'));
    write('package.json', { name: 'proj', svcpack: { sidType: 'restricted', startType: 'disabled' } });
    const code = await build('--config', 'conf/svcpack.config.ts', '--name', 'CliSvc', '--start-type', 'delayed-auto', '--env', 'C=3', '--no-compress', '--json');
    expect(code, out.stderr).toBe(0);
    const record = JSON.parse(out.stdout);
    expect(record).toMatchObject({ name: 'CliSvc', outDir: path.join(project, 'conf', 'out') });
    expect(record.size.compressed).toBe(false);
    expect(record.settings).toMatchObject({ startType: 'delayed-auto', sidType: 'restricted' });
    expect(Object.keys(record.settings.env)).toEqual(['C']); // the flag's list replaced the config's A and B
  }, 120_000);

  it('no entry or name on the command line or in a config', async () => {
    await expectUsageError([], /^svcpack: no entry file given — pass it \(svcpack build <entry>\), or set "entry" in svcpack\.config\.json$/);
    out.stderr = '';
    write('svcpack.config.json', { entry: hello });
    await expectUsageError([], /^svcpack: no service name given — pass --name <name>, or set "name" in svcpack\.config\.json$/);
  });

  it('config errors: exit 2, one line naming the file and key', async () => {
    write('svcpack.config.json', { entry: hello, name: 'X', startTyp: 'auto' });
    await expectUsageError([], /^svcpack: svcpack\.config\.json: unknown key "startTyp" — did you mean "startType"\?/);
    out.stderr = '';
    write('svcpack.config.json', { entry: hello, name: 'X', recovery: 'retry/5s' });
    await expectUsageError([], /^svcpack: svcpack\.config\.json: recovery: recovery action "retry\/5s" is not one of/);
    out.stderr = '';
    // The same value given as a flag is named by its flag.
    await expectUsageError(['--recovery', 'retry/1s'], /^svcpack: --recovery: recovery action "retry\/1s"/);
    out.stderr = '';
    await expectUsageError(['--config', 'nope.json'], /^svcpack: config file nope\.json does not exist — check the path given to --config$/);
    out.stderr = '';
    write('svcpack.config.json', '{ "name": "X", }');
    await expectUsageError([], /^svcpack: svcpack\.config\.json:1:14: a trailing comma before "}" is not allowed in JSON — /);
  });

  it('--help shows the defaults commander no longer applies, --config and the key naming', async () => {
    expect(await main(['build', '--help'])).toBe(0);
    expect(out.stdout).toMatch(/\[entry\]/);
    expect(out.stdout).toMatch(/--config <file> +read options from this file/);
    expect(out.stdout).toMatch(/--out-dir <dir> +output folder \(default: dist\)/);
    expect(out.stdout).toMatch(/--packer <packer> +how the exe is made: direct or pkg\s+\(default:\s+direct\)/);
    expect(out.stdout).toMatch(/--stop-timeout <duration> +.*\(default:\s+20s\)/s);
    expect(out.stdout).toMatch(/--start-type → "startType"/);
  });
});
