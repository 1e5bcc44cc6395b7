/**
 * `--target` / `targets`: parsed from a comma list or a list, checked against the other options
 * (pkg is Windows-only, --node-binary is a node.exe), named in messages as the user gave it; the
 * Windows-only options on a Linux-only build are one warning line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { windowsOnlyOptionWarnings } from '../../src/build';
import { main } from '../../src/cli';
import { validateConfig } from '../../src/config/config-validate';
import { resolveBuildOptions, type BuildOptions } from '../../src/config/options';
import { SvcpackError } from '../../src/errors';
import { DEFAULT_TARGETS, parseTargets } from '../../src/targets';
import { captureOutput } from '../support/capture-output';
import { thrown } from '../support/thrown';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-targets-'));
fs.writeFileSync(path.join(dir, 'app.ts'), 'console.log(1);\n');
fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"t","version":"1.0.0"}\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const resolve = (extra: Partial<BuildOptions>) => resolveBuildOptions({ entry: path.join(dir, 'app.ts'), name: 'my-svc', ...extra });

describe('parseTargets', () => {
  it('defaults to win-x64 alone: a build without --target is the Windows build it always was', () => {
    expect(DEFAULT_TARGETS).toEqual(['win-x64']);
    expect(parseTargets(undefined)).toEqual(['win-x64']);
  });

  it('takes a comma list or a list, any case and spacing, each target once, win-x64 first', () => {
    expect(parseTargets('linux-x64')).toEqual(['linux-x64']);
    expect(parseTargets('linux-x64, WIN-X64')).toEqual(['win-x64', 'linux-x64']);
    expect(parseTargets(['linux-x64', 'win-x64,linux-x64'])).toEqual(['win-x64', 'linux-x64']);
    expect(parseTargets('win-x64,')).toEqual(['win-x64']);
  });

  it('an unknown or empty target is one usage line naming it and the targets there are', () => {
    const unknown = thrown(SvcpackError, () => parseTargets('linux-arm64,win-x64'));
    expect(unknown.exitCode).toBe(2);
    expect(unknown.toLine()).toBe('svcpack: --target: "linux-arm64" is not a target svcpack builds for (win-x64, linux-x64) — use --target win-x64, --target linux-x64 or --target win-x64,linux-x64');
    expect(thrown(SvcpackError, () => parseTargets(' , ')).message).toBe('--target names no target');
    expect(thrown(SvcpackError, () => parseTargets(7, 'svcpack.config.json: targets')).message).toBe('svcpack.config.json: targets 7 is not a list of targets');
  });
});

describe('targets in the build options', () => {
  it('resolve to the plan, default win-x64', () => {
    expect(resolve({}).targets).toEqual(['win-x64']);
    expect(resolve({ targets: 'win-x64,linux-x64' }).targets).toEqual(['win-x64', 'linux-x64']);
  });

  it('--packer pkg with a linux target: one usage line; with win-x64 alone it stays allowed', () => {
    const err = thrown(SvcpackError, () => resolve({ packer: 'pkg', targets: 'win-x64,linux-x64' }));
    expect(err.exitCode).toBe(2);
    expect(err.toLine()).toMatch(/^svcpack: --packer pkg makes Windows executables only, and linux-x64 is a target — drop --packer pkg/);
    expect(resolve({ packer: 'pkg', targets: 'win-x64' }).packer).toBe('pkg');
  });

  it('--node-binary (a win-x64 node.exe) on a Linux-only build: one usage line', () => {
    const err = thrown(SvcpackError, () => resolve({ nodeBinary: 'node.exe', targets: 'linux-x64' }));
    expect(err.exitCode).toBe(2);
    expect(err.toLine()).toMatch(/--node-binary is a win-x64 node\.exe, which a linux-x64 build does not use — /);
  });

  it('a config takes a list or a comma-separated string of known targets, and names the key when one is wrong', () => {
    const origin = { file: 'svcpack.config.json', dir, label: 'svcpack.config.json', keyLabel: (k: string) => `svcpack.config.json: ${k}` };
    expect(validateConfig({ targets: ['win-x64', 'linux-x64'] }, origin).options.targets).toEqual(['win-x64', 'linux-x64']);
    expect(validateConfig({ targets: 'linux-x64' }, origin).options.targets).toBe('linux-x64');
    const err = thrown(SvcpackError, () => validateConfig({ targets: ['linux-arm64'] }, origin));
    expect(err.exitCode).toBe(2);
    expect(err.toLine()).toMatch(/^svcpack: svcpack\.config\.json: targets \["linux-arm64"\] is not allowed — use a list of "win-x64", "linux-x64"/);
  });
});

describe('Windows-only options on a Linux-only build', () => {
  it('are one warning line naming them; with a win-x64 target, or without them, nothing', () => {
    const given = { entry: 'app.ts', name: 'x', icon: 'a.ico', company: 'ACME', pfx: 'c.pfx', timestampUrl: 'http://ts' } as BuildOptions;
    expect(windowsOnlyOptionWarnings(given, ['linux-x64'])).toEqual([
      '--icon, --company, --pfx, --timestamp-url do not apply to the linux-x64 executable (an ELF file has no version resources and icons or Authenticode signatures); ignored',
    ]);
    expect(windowsOnlyOptionWarnings(given, ['win-x64', 'linux-x64'])).toEqual([]);
    expect(windowsOnlyOptionWarnings({ entry: 'app.ts', name: 'x' }, ['linux-x64'])).toEqual([]);
    expect(windowsOnlyOptionWarnings({ entry: 'app.ts', name: 'x', native: ['a=b.node'] }, ['linux-x64'])).toEqual([
      '--native gives win32-x64 .node files, which the linux-x64 executable cannot load; ignored',
    ]);
  });
});

describe('svcpack build --target on the command line', () => {
  const out = captureOutput();
  it('an unknown target: one line on stderr, exit 2, nothing written', async () => {
    expect(await main(['build', path.join(dir, 'app.ts'), '--name', 'my-svc', '--target', 'mac-arm64', '--out-dir', path.join(dir, 'dist')])).toBe(2);
    expect(out.stderr).toBe('svcpack: --target: "mac-arm64" is not a target svcpack builds for (win-x64, linux-x64) — use --target win-x64, --target linux-x64 or --target win-x64,linux-x64\n');
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  it('a service name systemd cannot take, with a linux target: one line, exit 2, before anything is built', async () => {
    const outDir = path.join(dir, 'dist-space');
    expect(await main(['build', path.join(dir, 'app.ts'), '--name', 'My Svc', '--target', 'win-x64,linux-x64', '--out-dir', outDir])).toBe(2);
    expect(out.stderr).toBe(
      'svcpack: the service name "My Svc" contains a space, which a systemd unit name cannot hold (target linux-x64) — build it with a --name of letters, digits, _ . and - only (such as OrderSync or order-sync)\n',
    );
    expect(fs.existsSync(outDir)).toBe(false);
  });

  it('--packer pkg --target linux-x64: one line, exit 2', async () => {
    expect(await main(['build', path.join(dir, 'app.ts'), '--name', 'my-svc', '--target', 'linux-x64', '--packer', 'pkg'])).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^svcpack: --packer pkg makes Windows executables only/);
  });
});
