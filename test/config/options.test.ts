import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { DEFAULT_LOGGING } from '../../runtime-shim/settings/logging-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import { resolveBuildOptions, type BuildOptions } from '../../src/config/options';
import { DEFAULT_STOP_TIMEOUT_MS } from '../../runtime-shim/settings/stop-settings';
import { SvcpackError } from '../../src/errors';
import { thrown as thrownBy } from '../support/thrown';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-opts-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'app.ts'), 'export {};\n');
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'app', version: '2.3.4-rc.1', description: 'An app', author: 'Jane Doe <jane@example.com> (https://jane.example)' }),
  );
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const resolve = (o: Partial<BuildOptions> = {}) => resolveBuildOptions({ entry: 'src/app.ts', name: 'MySvc', cwd: dir, ...o });

const thrown = (fn: () => unknown): SvcpackError => thrownBy(SvcpackError, fn);

describe('resolveBuildOptions', () => {
  it('ENTRY_NOT_FOUND (exit 2) when the entry is missing or a folder', () => {
    const e = thrown(() => resolve({ entry: 'src/nope.ts' }));
    expect(e.code).toBe('ENTRY_NOT_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('src/nope.ts');
    expect(thrown(() => resolve({ entry: 'src' })).code).toBe('ENTRY_NOT_FOUND');
  });

  it('fills defaults from the nearest package.json', () => {
    const r = resolve();
    expect(r.entry).toBe(path.join(dir, 'src', 'app.ts'));
    expect(r.projectDir).toBe(dir);
    expect(r.version).toBe('2.3.4');
    expect(r.description).toBe('An app');
    expect(r.company).toBe('Jane Doe');
    expect(r.displayName).toBe('MySvc');
    expect(r.productName).toBe('MySvc');
    expect(r.copyright).toBeUndefined();
    expect(r.icon).toBeUndefined();
    expect(r.outDir).toBe(path.join(dir, 'dist'));
    expect(r.packer).toBe('direct');
    expect(r.compress).toBe(false);
    expect(r.stopTimeoutMs).toBe(DEFAULT_STOP_TIMEOUT_MS);
    expect(r.node).toBeUndefined();
  });

  it('takes the author name from an object', () => {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '1.0.0', author: { name: 'ACME Ltd' } }));
    expect(resolve().company).toBe('ACME Ltd');
  });

  it('passes over a package.json that only sets the module type (tsc output in dist/ with {"type":"commonjs"})', () => {
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    fs.writeFileSync(path.join(dir, 'dist', 'main.js'), 'exports.x = 1;\n');
    const r = resolve({ entry: 'dist/main.js' });
    expect(r.projectDir).toBe(dir);
    expect(r.version).toBe('2.3.4');
    expect(r.description).toBe('An app');
  });

  it('a package.json with more than the module type is the project, nameless or not', () => {
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'package.json'), JSON.stringify({ type: 'commonjs', dependencies: { ms: '2.1.3' } }));
    fs.writeFileSync(path.join(dir, 'dist', 'main.js'), 'exports.x = 1;\n');
    expect(resolve({ entry: 'dist/main.js' }).projectDir).toBe(path.join(dir, 'dist'));
  });

  it('without a package.json: version 0.0.0, empty description, no company', () => {
    const r = resolveBuildOptions({ entry: 'src/app.ts', name: 'MySvc', cwd: dir }, null);
    expect(r.version).toBe('0.0.0');
    expect(r.description).toBe('');
    expect(r.company).toBeUndefined();
    expect(r.projectDir).toBe(path.join(dir, 'src'));
  });

  it('explicit options override package.json', () => {
    const kept = {
      version: '9.8.7.6',
      description: 'Override',
      company: 'Other Co',
      displayName: 'My Service',
      productName: 'Product',
      copyright: '(c) 2026',
      packer: 'pkg',
      stopTimeoutMs: 5000,
    } as const;
    const r = resolve({ ...kept, outDir: 'out/bin', node: 'v22.22.2', nodeBinary: 'bin/node.exe' });
    // Paths resolve against cwd; a leading v is dropped from the Node.js version.
    expect(r).toMatchObject({ ...kept, outDir: path.join(dir, 'out', 'bin'), node: '22.22.2', nodeBinary: path.join(dir, 'bin', 'node.exe') });
  });

  it('productName defaults to the display name', () => {
    expect(resolve({ displayName: 'Shown' }).productName).toBe('Shown');
  });

  it('resolves outDir against cwd, keeps absolute paths', () => {
    expect(resolve({ outDir: 'build' }).outDir).toBe(path.join(dir, 'build'));
    const abs = path.join(os.tmpdir(), 'elsewhere');
    expect(resolve({ outDir: abs }).outDir).toBe(abs);
  });

  it('reads a valid icon', () => {
    const ico = Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]);
    fs.writeFileSync(path.join(dir, 'app.ico'), ico);
    const r = resolve({ icon: 'app.ico' });
    expect(r.icon?.path).toBe(path.join(dir, 'app.ico'));
    expect(r.icon?.data.equals(ico)).toBe(true);
  });

  it('INVALID_ICON when the icon is missing or not an .ico', () => {
    const missing = thrown(() => resolve({ icon: 'none.ico' }));
    expect(missing.code).toBe('INVALID_ICON');
    expect(missing.exitCode).toBe(2);
    expect(missing.message).toContain('does not exist');
    fs.writeFileSync(path.join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const png = thrown(() => resolve({ icon: 'logo.png' }));
    expect(png.code).toBe('INVALID_ICON');
    expect(png.message).toContain('not an .ico');
  });

  it('validates the name, version, node version, packer, compress and stop timeout', () => {
    expect(resolve({ compress: true }).compress).toBe(true);
    expect(thrown(() => resolve({ compress: 'yes' as never })).message).toContain('compress "yes" is not true or false');
    expect(thrown(() => resolve({ name: 'a/b' })).code).toBe('INVALID_NAME');
    expect(thrown(() => resolve({ name: '' })).code).toBe('INVALID_NAME');
    expect(thrown(() => resolve({ version: '1.2' })).code).toBe('INVALID_VERSION');
    expect(thrown(() => resolve({ node: 'lts' })).code).toBe('INVALID_NODE_VERSION');
    expect(thrown(() => resolve({ packer: 'zip' as never })).code).toBe('USAGE');
    expect(thrown(() => resolve({ stopTimeout: -1 })).code).toBe('INVALID_SETTING');
    expect(thrown(() => resolve({ stopTimeout: 1.5 })).code).toBe('INVALID_SETTING');
    expect(thrown(() => resolve({ stopTimeoutMs: '1.5s' })).code).toBe('INVALID_SETTING');
    expect(thrown(() => resolve({ stopTimeout: 'soon' })).message).toBe('--stop-timeout: "soon" is not a duration');
    expect(thrown(() => resolve({ stopTimeout: 1.5 })).message).toBe('--stop-timeout: 1.5 is not a duration');
    expect(thrown(() => resolve({ stopTimeout: 25 * 86_400_000 })).message).toBe('--stop-timeout: the stop timeout 25d is too long');
    expect(thrown(() => resolve({ stopTimeout: '10s', stopTimeoutMs: 5000 })).message).toBe('the stop timeout is given twice, as stopTimeout and as its old name stopTimeoutMs');
  });

  it('the stop timeout: a duration string or a number of ms, default 20s, at most 24d', () => {
    expect(resolve({}).stopTimeoutMs).toBe(20_000);
    expect(resolve({ stopTimeout: '20s' }).stopTimeoutMs).toBe(20_000);
    expect(resolve({ stopTimeout: '1m' }).stopTimeoutMs).toBe(60_000);
    expect(resolve({ stopTimeout: '500ms' }).stopTimeoutMs).toBe(500);
    expect(resolve({ stopTimeout: '2H' }).stopTimeoutMs).toBe(7_200_000);
    expect(resolve({ stopTimeout: '1500' }).stopTimeoutMs).toBe(1500);
    expect(resolve({ stopTimeout: ' 30s ' }).stopTimeoutMs).toBe(30_000);
    expect(resolve({ stopTimeout: 5000 }).stopTimeoutMs).toBe(5000);
    expect(resolve({ stopTimeout: 0 }).stopTimeoutMs).toBe(0);
    expect(resolve({ stopTimeout: '24d' }).stopTimeoutMs).toBe(24 * 86_400_000);
  });

  it('--native: package=path pairs as a list or a record, resolved against cwd, the file must exist; NODE_OPTIONS off by default', () => {
    fs.writeFileSync(path.join(dir, 'addon.node'), 'x');
    const abs = path.join(dir, 'addon.node');
    expect(resolve({ native: ['better-sqlite3=addon.node', '@scope/pkg=addon.node'] }).native).toEqual({ 'better-sqlite3': abs, '@scope/pkg': abs });
    expect(resolve({ native: { 'better-sqlite3': 'addon.node' } }).native).toEqual({ 'better-sqlite3': abs });
    expect(resolve({}).native).toEqual({});
    const noEq = thrown(() => resolve({ native: ['better-sqlite3'] }));
    expect([noEq.code, noEq.exitCode, noEq.message]).toEqual(['USAGE', 2, '--native "better-sqlite3" is not <package>=<path>']);
    expect(thrown(() => resolve({ native: ['=addon.node'] })).message).toBe('--native "=addon.node" is not <package>=<path>');
    expect(thrown(() => resolve({ native: ['pkg=missing.node'] })).message).toBe('--native pkg: missing.node does not exist');
    expect(resolve({}).allowNodeOptions).toBe(false);
    expect(thrown(() => resolve({ allowNodeOptions: 'yes' as never })).message).toContain('allowNodeOptions "yes" is not true or false');
  });

  it('include/exclude: lists of tree globs, named by flag or config key; refused without the embedded tree', () => {
    expect(resolve({}).dependencyGlobs).toEqual({ include: [], exclude: [], names: { include: '--include', exclude: '--exclude' } });
    expect(resolve({ include: [' node_modules/foo/docs/** '], exclude: ['**/*.map'], sources: { exclude: 'svcpack.config.json: exclude' } }).dependencyGlobs).toEqual({
      include: ['node_modules/foo/docs/**'],
      exclude: ['**/*.map'],
      names: { include: '--include', exclude: 'svcpack.config.json: exclude' },
    });
    const up = thrown(() => resolve({ exclude: ['node_modules/../src/**'] }));
    expect([up.code, up.exitCode, up.message]).toEqual(['USAGE', 2, '--exclude "node_modules/../src/**" leaves the dependency tree (..)']);
    expect(thrown(() => resolve({ include: 'foo/**' as never })).message).toBe('--include "foo/**" is not a list of globs');
    expect(thrown(() => resolve({ include: [''] })).message).toBe('--include "" is not a glob');
    const pkg = thrown(() => resolve({ packer: 'pkg', exclude: ['x/**'] }));
    expect(pkg.toLine()).toBe('svcpack: --exclude adjusts the embedded dependency tree, which this build leaves out (--packer pkg) — drop --exclude, or embed the tree (the default packer)');
    const off = thrown(() => resolve({ embedDependencies: false, include: ['x/**'], sources: { include: 'svcpack.config.json: include' } }));
    expect(off.toLine()).toBe(
      'svcpack: svcpack.config.json: include adjusts the embedded dependency tree, which this build leaves out (--no-embed-dependencies) — remove "include" from the config, or embed the tree (drop --no-embed-dependencies)',
    );
  });

  it('--packages and --preload: defaults, resolution, and one-line usage errors', () => {
    expect([resolve().packages, resolve().preload]).toEqual(['auto', []]);
    expect(resolve({ embedDependencies: false }).packages).toBe('bundle');
    expect(resolve({ packer: 'pkg' }).packages).toBe('bundle');
    expect(resolve({ packages: 'node' }).packages).toBe('node');
    fs.writeFileSync(path.join(dir, 'tracing.ts'), 'export {};\n');
    expect(resolve({ preload: 'tracing.ts' }).preload).toEqual([path.join(dir, 'tracing.ts')]);
    expect(resolve({ preload: ['tracing.ts', 'src/app.ts'] }).preload).toEqual([path.join(dir, 'tracing.ts'), path.join(dir, 'src', 'app.ts')]);
    const line = (o: Partial<BuildOptions>) => {
      const e = thrown(() => resolve(o));
      expect(e.exitCode).toBe(2);
      return e.toLine();
    };
    expect(line({ packages: 'external' as never })).toBe('svcpack: --packages "external" is not auto, bundle or node — pass --packages auto, bundle or node');
    expect(line({ packages: 'node', packer: 'pkg' })).toBe('svcpack: --packages node needs the default packer: --packer pkg keeps packages in its own file system — drop --packer pkg, or drop --packages');
    expect(line({ packages: 'node', embedDependencies: false })).toBe(
      'svcpack: --packages node loads packages from the embedded dependency tree, which --no-embed-dependencies leaves out — drop --no-embed-dependencies, or use --packages bundle',
    );
    expect(line({ preload: ['nope.ts'], sources: { preload: 'svcpack.config.json: preload' } })).toBe(
      'svcpack: svcpack.config.json: preload: preload module "nope.ts" does not exist — list in "preload" the path of a .ts or .js file, such as ./tracing.ts',
    );
  });

  it('--sbom: resolved against cwd; a folder, an output of the build, a path under a file or --packer pkg is a one-line usage error', () => {
    expect(resolve().sbom).toBeUndefined();
    expect(resolve({ sbom: 'dist/MySvc.cdx.json' }).sbom).toBe(path.join(dir, 'dist', 'MySvc.cdx.json'));
    expect(resolve({ sbom: 'new/deeper/bom.json' }).sbom).toBe(path.join(dir, 'new', 'deeper', 'bom.json'));
    const line = (o: Partial<BuildOptions>) => {
      const e = thrown(() => resolve(o));
      expect(e.exitCode).toBe(2);
      return e.toLine();
    };
    expect(line({ sbom: 'src' })).toBe('svcpack: --sbom src is a folder — give a file path in a folder you can write to, e.g. --sbom dist/MySvc.cdx.json');
    expect(line({ sbom: 'dist/MySvc.exe' })).toBe("svcpack: --sbom dist/MySvc.exe is one of the build's own outputs — give the SBOM its own name, e.g. --sbom dist/MySvc.cdx.json");
    expect(line({ sbom: 'out/MySvc.build.json', outDir: 'out' })).toMatch(/is one of the build's own outputs/);
    expect(line({ sbom: 'package.json/bom.json' })).toBe(`svcpack: --sbom package.json/bom.json: ${path.join(dir, 'package.json')} is not a folder — give a file path in a folder you can write to, e.g. --sbom dist/MySvc.cdx.json`);
    expect(line({ sbom: 'bom.json', packer: 'pkg' })).toBe(
      'svcpack: --sbom needs the default packer: --packer pkg decides which node_modules files go into the exe, so svcpack cannot list them — drop --packer pkg, or drop --sbom',
    );
    expect(line({ sbom: ' ' })).toMatch(/^svcpack: --sbom " " is not a file path/);
    // From a config: the message names the config's key.
    expect(thrown(() => resolve({ sbom: 'src', sources: { sbom: 'svcpack.config.json: sbom' } })).message).toBe('svcpack.config.json: sbom: --sbom src is a folder');
  });

  it('a bad package.json version is reported as coming from package.json', () => {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '1.2' }));
    const e = thrown(() => resolve());
    expect(e.code).toBe('INVALID_VERSION');
    expect(e.message).toMatch(/^package\.json /);
  });

  describe('service settings', () => {
    it('default to the service defaults, with the display name and description', () => {
      expect(resolve().settings).toEqual(defaultSettings('MySvc', 'MySvc', 'An app'));
      expect(resolve({ displayName: 'Shown', description: 'Mine' }).settings).toEqual(defaultSettings('MySvc', 'Shown', 'Mine'));
    });

    it('take every setting option', () => {
      const r = resolve({
        startType: 'manual',
        account: 'LocalService',
        dependencies: ['Tcpip'],
        recovery: 'restart/10s,run/1m',
        recoveryReset: '1h',
        recoveryCommand: 'notify.cmd',
        recoveryOnNonCrash: false,
        preshutdownTimeout: '30s',
        sidType: 'none',
        env: { PORT: '8080' },
        args: ['--verbose'],
      });
      expect(r.settings).toEqual({
        ...defaultSettings('MySvc', 'MySvc', 'An app'),
        startType: 'manual',
        account: 'LocalService',
        dependencies: ['Tcpip'],
        recovery: {
          actions: [
            { action: 'restart', delayMs: 10_000 },
            { action: 'run', delayMs: 60_000 },
          ],
          resetAfterMs: 3_600_000,
          command: 'notify.cmd',
          onNonCrashFailures: false,
        },
        preshutdownTimeoutMs: 30_000,
        sidType: 'none',
        env: { PORT: '8080' },
        args: ['--verbose'],
      });
    });

    it('a bad setting is INVALID_SETTING (exit 2) naming the flag, the value and the fix', () => {
      const e = thrown(() => resolve({ startType: 'automatic' }));
      expect(e.code).toBe('INVALID_SETTING');
      expect(e.exitCode).toBe(2);
      expect(e.toLine()).toBe('svcpack: --start-type: "automatic" is not a start type — use auto, delayed-auto, manual or disabled');
      expect(thrown(() => resolve({ recovery: 'retry/1s' })).message).toMatch(/^--recovery: /);
      expect(thrown(() => resolve({ args: [''] })).message).toBe('--arg: a service argument is empty');
      expect(thrown(() => resolve({ displayName: 'x'.repeat(257) })).message).toMatch(/^--display-name: /);
    });

    it('a description from package.json that is not valid is reported as coming from package.json', () => {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '1.0.0', description: 'x'.repeat(1025) }));
      const e = thrown(() => resolve());
      expect(e.code).toBe('INVALID_SETTING');
      expect(e.message).toBe('package.json description: the description is 1025 characters long');
      expect(thrown(() => resolve({ description: 'y'.repeat(1025) })).message).toMatch(/^--description: /);
    });
  });

  describe('logging settings', () => {
    it('default to DEFAULT_LOGGING and take every logging option', () => {
      expect(resolve().logging).toEqual(DEFAULT_LOGGING);
      const r = resolve({ logDir: 'D:\\logs\\MySvc', logLevel: 'debug', logRotate: '5MB,daily', logKeep: '3', logCompress: 'yes', eventLog: false });
      expect(r.logging).toEqual({
        logDir: 'D:\\logs\\MySvc',
        logLevel: 'debug',
        logRotate: { maxBytes: 5 * 1024 * 1024, daily: true },
        logKeep: 3,
        logCompress: true,
        eventLog: false,
      });
    });

    it('a bad logging setting is INVALID_SETTING (exit 2) naming its flag', () => {
      const e = thrown(() => resolve({ logRotate: '10XB' }));
      expect(e.code).toBe('INVALID_SETTING');
      expect(e.exitCode).toBe(2);
      expect(e.toLine()).toBe('svcpack: --log-rotate: "10XB" is not a size or daily — write a size such as 10MB (B, KB, MB or GB, 1024-based), daily, both as 10MB,daily, or none');
      expect(thrown(() => resolve({ logKeep: 0 })).message).toMatch(/^--log-keep: /);
      expect(thrown(() => resolve({ logDir: 'logs' })).message).toMatch(/^--log-dir: /);
      expect(thrown(() => resolve({ eventLog: 'sometimes' })).message).toMatch(/^--event-log: /);
    });
  });
});
