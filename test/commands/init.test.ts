/**
 * `svcpack init` (src/commands/init.ts) through the CLI's main(), in temp projects: what it writes,
 * where it takes the entry and names from, what it refuses without --force (exit 2, one line,
 * nothing written), and that `svcpack build` then builds the project from the written config.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli';
import { INIT_CONFIG_FILE, serviceNamesFrom } from '../../src/commands/init';
import { inspect } from '../../src/inspect/inspect';
import { captureOutput } from '../support/capture-output';
import { tempProjects } from '../support/temp-project';

const out = captureOutput();
const tempProject = tempProjects('svcpack-init-');

const APP = "import http from 'node:http';\nhttp.createServer((_, res) => res.end('ok')).listen(0);\n";

/** A project with `pkg` as its package.json (written with 2-space indentation unless a string) and `files`. */
function project(pkg: object | string, files: Record<string, string> = { 'src/index.ts': APP }): string {
  return fs.realpathSync(tempProject({ 'package.json': typeof pkg === 'string' ? pkg : `${JSON.stringify(pkg, null, 2)}\n`, ...files }));
}

const init = (dir: string, ...args: string[]) => main(['init', ...args], { cwd: dir });
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
/** Every file of `dir` with its contents. */
const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? read(dir, f) : '']));

/** Exit 2, one line `svcpack: <pattern> — …`, and the project exactly as it was. */
async function expectRefused(dir: string, args: string[], pattern: RegExp): Promise<void> {
  const before = snapshot(dir);
  expect(await init(dir, ...args)).toBe(2);
  const lines = out.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^svcpack: .+ — .+/);
  expect(lines[0]).toMatch(pattern);
  expect(out.stdout).toBe('');
  expect(snapshot(dir)).toEqual(before);
}

const ACME = { name: '@acme/order-sync', version: '1.4.0', description: "Syncs the shop's orders", main: 'src/index.ts', devDependencies: { svcpack: '^0.1.0' } };

describe('svcpack init', () => {
  test('writes svcpack.config.ts, adds build:service and prints the next two commands', async () => {
    const dir = project(ACME);
    expect(await init(dir), out.stderr).toBe(0);
    expect(out.stderr).toBe('');
    expect(read(dir, INIT_CONFIG_FILE)).toBe(
      [
        "// svcpack's build options for this app; `npm run build:service` (svcpack build) reads them.",
        '// Any `svcpack build` flag can be set here in camelCase (--start-type → startType); flags given',
        "// on the command line win. All options: `npx svcpack build --help` or svcpack's docs/options.md;",
        '// JSON schema: node_modules/svcpack/svcpack.schema.json.',
        "import { defineConfig } from 'svcpack';",
        '',
        'export default defineConfig({',
        "  entry: 'src/index.ts',",
        "  name: 'OrderSync',",
        "  displayName: 'Order Sync',",
        "  description: 'Syncs the shop\\'s orders',",
        '});',
        '',
      ].join('\n'),
    );
    expect(read(dir, 'package.json')).toBe(`${JSON.stringify({ ...ACME, scripts: { 'build:service': 'svcpack build' } }, null, 2)}\n`);
    expect(out.stdout).toBe(
      [
        'Wrote svcpack.config.ts: service OrderSync, entry src/index.ts (package.json main)',
        `Added "build:service": "svcpack build" in package.json's scripts`,
        '',
        'Next:',
        '  npm run build:service',
        '  dist\\OrderSync.exe install    (on Windows, in a command prompt run as administrator)',
        '',
      ].join('\n'),
    );
  });

  test("package.json keeps its formatting: tabs, CRLF, key order, one-line arrays, no trailing newline", async () => {
    const text = '{\r\n\t"name": "tabbed",\r\n\t"files": ["a", "b"],\r\n\t"scripts": {\r\n\t\t"test": "vitest"\r\n\t},\r\n\t"devDependencies": { "svcpack": "*" }\r\n}';
    const dir = project(text);
    expect(await init(dir), out.stderr).toBe(0);
    expect(read(dir, 'package.json')).toBe(text.replace('"test": "vitest"', '"test": "vitest",\r\n\t\t"build:service": "svcpack build"'));
  });

  test('--json prints the result', async () => {
    const dir = project(ACME);
    expect(await init(dir, '--json'), out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      configFile: path.join(dir, INIT_CONFIG_FILE),
      replaced: [],
      entry: 'src/index.ts',
      entryFrom: 'package.json main',
      name: 'OrderSync',
      displayName: 'Order Sync',
      description: "Syncs the shop's orders",
      script: 'added',
      warnings: [],
      next: ['npm run build:service', 'dist\\OrderSync.exe install'],
    });
  });

  describe('the entry', () => {
    const entryOf = async (dir: string, ...args: string[]) => {
      out.stdout = '';
      expect(await init(dir, '--json', ...args), out.stderr).toBe(0);
      const r = JSON.parse(out.stdout) as { entry: string; entryFrom: string };
      return `${r.entry} (${r.entryFrom})`;
    };
    test('package.json main, also without its extension; then bin (a string or the first command)', async () => {
      expect(await entryOf(project({ name: 'a', main: 'server' }, { 'server.js': APP, 'src/index.ts': APP }))).toBe('server.js (package.json main)');
      expect(await entryOf(project({ name: 'a', main: 'dist/index.js', bin: { a: './cli.mjs' } }, { 'cli.mjs': APP }))).toBe('cli.mjs (package.json bin)');
      expect(await entryOf(project({ name: 'a', bin: 'bin/run.cjs' }, { 'bin/run.cjs': APP }))).toBe('bin/run.cjs (package.json bin)');
    });
    test('else the usual places, src/ first; --entry wins over all', async () => {
      expect(await entryOf(project({ name: 'a', main: 'dist/missing.js' }, { 'app.ts': APP, 'src/main.ts': APP }))).toBe('src/main.ts (found)');
      expect(await entryOf(project({ name: 'a' }, { 'app.ts': APP }))).toBe('app.ts (found)');
      expect(await entryOf(project({ name: 'a', main: 'app.ts' }, { 'app.ts': APP, 'svc/run.ts': APP }), '--entry', 'svc/run.ts')).toBe('svc/run.ts (--entry)');
    });
    test('none found, or an --entry that does not exist or is not code: exit 2, one line, nothing written', async () => {
      await expectRefused(project({ name: 'a', main: 'lib/gone.js' }, { 'README.md': '' }), [], /^svcpack: found no entry file: .* — pass --entry with the path of your app's main \.ts or \.js file$/);
      out.stderr = '';
      await expectRefused(project({ name: 'a' }), ['--entry', 'src/nope.ts'], /^svcpack: entry file src\/nope\.ts does not exist — pass --entry/);
      out.stderr = '';
      await expectRefused(project({ name: 'a' }, { 'data.json': '{}' }), ['--entry', 'data.json'], /^svcpack: entry file data\.json is not \.ts, \.mts, \.cts, \.js, \.mjs or \.cjs/);
    });
  });

  describe('the names', () => {
    test('from the package name: scope dropped, words capitalized', () => {
      expect(serviceNamesFrom('@acme/order-sync')).toEqual({ name: 'OrderSync', displayName: 'Order Sync' });
      expect(serviceNamesFrom('express_api.v2')).toEqual({ name: 'ExpressApiV2', displayName: 'Express Api V2' });
      expect(serviceNamesFrom('---')).toBeUndefined();
    });
    test("no usable package name: the folder's; --name wins; productName is the display name", async () => {
      const dir = project({ version: '1.0.0' });
      expect(await init(dir, '--json')).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ name: serviceNamesFrom(path.basename(dir))!.name });
      out.stdout = '';
      expect(await init(project({ name: 'x', productName: 'X Gateway' }), '--json', '--name', 'XGw')).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ name: 'XGw', displayName: 'X Gateway' });
    });
    test('an --name svcpack build would refuse: exit 2, one line, nothing written', async () => {
      await expectRefused(project({ name: 'a' }), ['--name', 'a/b'], /^svcpack: the service name "a\/b" contains "\/" — use --name with 1-256 characters/);
    });
  });

  describe('refusals', () => {
    test('no package.json, or one that is not JSON', async () => {
      await expectRefused(fs.realpathSync(tempProject({ 'src/index.ts': APP })), [], /^svcpack: there is no package\.json in .* — run svcpack init in your project's folder/);
      out.stderr = '';
      await expectRefused(project('{\n  "name": "a",\n}\n'), [], /^svcpack: package\.json:2:14: a trailing comma before "}" is not allowed in JSON — fix the JSON, then run svcpack init again$/);
    });

    test('an existing svcpack config of any name is kept unless --force; --force replaces it with svcpack.config.ts', async () => {
      const dir = project(ACME, { 'src/index.ts': APP, 'svcpack.config.json': '{ "name": "Old" }\n' });
      await expectRefused(dir, [], /^svcpack: svcpack\.config\.json already exists — edit it, or rerun svcpack init with --force to replace it$/);
      out.stderr = '';
      expect(await init(dir, '--force'), out.stderr).toBe(0);
      expect(fs.existsSync(path.join(dir, 'svcpack.config.json'))).toBe(false);
      expect(read(dir, INIT_CONFIG_FILE)).toContain("name: 'OrderSync'");
      expect(out.stdout).toMatch(/^Replaced svcpack\.config\.json with svcpack\.config\.ts: service OrderSync/);
      // Run again: its own config is now the one that exists.
      out.stdout = '';
      await expectRefused(dir, [], /^svcpack: svcpack\.config\.ts already exists/);
      out.stderr = '';
      expect(await init(dir, '--force', '--name', 'Renamed')).toBe(0);
      expect(out.stdout).toMatch(/^Overwrote svcpack\.config\.ts: service Renamed/);
      expect(read(dir, INIT_CONFIG_FILE)).toContain("name: 'Renamed'");
    });

    test('a "svcpack" key in package.json is a config too; with --force it stays, with a warning', async () => {
      const dir = project({ ...ACME, svcpack: { startType: 'manual' } });
      await expectRefused(dir, [], /^svcpack: package\.json already has svcpack build options \(its "svcpack" key\) — keep using them, or rerun svcpack init with --force/);
      out.stderr = '';
      expect(await init(dir, '--force')).toBe(0);
      expect(out.stderr).toBe(`svcpack: warning: package.json's "svcpack" key stays; svcpack.config.ts's keys win over it\n`);
      expect(JSON.parse(read(dir, 'package.json')).svcpack).toEqual({ startType: 'manual' });
    });

    test('a different build:service script is kept unless --force; the same one is left as it is', async () => {
      const dir = project({ ...ACME, scripts: { 'build:service': 'tsc && node pack.js' } });
      await expectRefused(dir, [], /^svcpack: package\.json already has a "build:service" script \("tsc && node pack\.js"\) — rename it, or rerun svcpack init with --force to replace it with "svcpack build"$/);
      out.stderr = '';
      expect(await init(dir, '--force')).toBe(0);
      expect(JSON.parse(read(dir, 'package.json')).scripts).toEqual({ 'build:service': 'svcpack build' });
      expect(out.stdout).toContain('Replaced "build:service": "svcpack build" in package.json\'s scripts');

      const same = project({ ...ACME, scripts: { 'build:service': 'svcpack build' } });
      const pkgBefore = read(same, 'package.json');
      expect(await init(same)).toBe(0);
      expect(read(same, 'package.json')).toBe(pkgBefore);
      expect(out.stdout).toContain('Kept "build:service"');
    });
  });

  test('svcpack not among the dependencies: a warning on stderr saying how to add it', async () => {
    const dir = project({ name: 'plain' });
    expect(await init(dir)).toBe(0);
    expect(out.stderr).toBe('svcpack: warning: svcpack is not in package.json\'s dependencies, so "npm run build:service" will not find it — run "npm install --save-dev svcpack" first\n');
  });

  test('svcpack init --help names its options', async () => {
    expect(await main(['init', '--help'])).toBe(0);
    for (const flag of ['--entry <file>', '--name <name>', '--force', '--json']) expect(out.stdout).toContain(flag);
    out.stdout = '';
    expect(await main(['init', '--bogus'])).toBe(2);
    expect(out.stderr).toBe(`svcpack: unknown option '--bogus' — run "svcpack init --help" for the options\n`);
  });

  test('then `svcpack build` with no arguments builds the service from the written config', { timeout: 180_000 }, async () => {
    const dir = project(ACME);
    expect(await init(dir), out.stderr).toBe(0);
    out.stdout = '';
    expect(await main(['build', '--json'], { cwd: dir }), out.stderr).toBe(0);
    const record = JSON.parse(out.stdout) as { name: string; version: string; entry: string; settings: { displayName: string; description: string } };
    expect(record).toMatchObject({ name: 'OrderSync', version: '1.4.0', settings: { displayName: 'Order Sync', description: "Syncs the shop's orders" } });
    const exe = path.join(dir, 'dist', 'OrderSync.exe');
    expect((await inspect(exe)).svcpack).toMatchObject({ name: 'OrderSync' });
  });
});
