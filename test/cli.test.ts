import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOGGING } from '../runtime-shim/settings/logging-settings';
import { DEFAULT_RUNTIME } from '../runtime-shim/settings/runtime-settings';
import { main } from '../src/cli';
import { inspect } from '../src/inspect/inspect';
import { DEFAULT_NODE_VERSION } from '../src/runtime/node-lines';
import { captureOutput } from './support/capture-output';

const hello = path.resolve(__dirname, '../fixtures/hello-http/app.ts');
let outDir: string;
const out = captureOutput();

beforeEach(() => {
  outDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-cli-')), 'dist');
});

async function run(...args: string[]): Promise<number> {
  return main(['build', ...args]);
}

/** Every bad input: exit 2, one line `svcpack: … — …`, and the output folder untouched. */
async function expectUsageError(args: string[], pattern: RegExp): Promise<void> {
  const code = await run(...args, '--out-dir', outDir);
  expect(code).toBe(2);
  const lines = out.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^svcpack: .+ — .+/);
  expect(lines[0]).toMatch(pattern);
  expect(fs.existsSync(outDir)).toBe(false);
}

describe('svcpack build: bad input', () => {
  it('missing entry file', () => expectUsageError(['nope/app.ts', '--name', 'X'], /entry file nope\/app\.ts does not exist/));
  it('missing --name', () => expectUsageError([hello], /--name/));
  it('empty, too long, or slash-containing names', async () => {
    await expectUsageError([hello, '--name', ''], /service name is empty/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'x'.repeat(257)], /257 characters/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'a/b'], /contains "\/"/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'a\\b'], /contains "\\"/);
  });
  it('versions that are not numeric x.y.z[.w] or have a part over 65535', async () => {
    await expectUsageError([hello, '--name', 'X', '--version', '1.2'], /not numeric/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--version', '1.70000.0'], /over 65535/);
  });
  it('icon missing or not an .ico', async () => {
    await expectUsageError([hello, '--name', 'X', '--icon', 'missing.ico'], /icon missing\.ico does not exist/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--icon', hello], /is not an \.ico file/);
  });
  it('--node that is not a version, and an unknown option or packer', async () => {
    await expectUsageError([hello, '--name', 'X', '--node', 'latest'], /not a Node\.js version/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--frobnicate'], /unknown option '--frobnicate'/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--packer', 'zip'], /--packer/);
  });
  it('--node of a line svcpack cannot embed fails at once (exit 2), naming the supported lines, before any download', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-cli-cache-'));
    const before = process.env.SVCPACK_CACHE_DIR;
    process.env.SVCPACK_CACHE_DIR = cacheDir;
    try {
      for (const node of ['18', '20.19.0', '23', '22.19.0']) {
        await expectUsageError([hello, '--name', 'X', '--node', node], /--node 22, --node 24, --node 26/);
        out.stderr = '';
      }
      expect(fs.readdirSync(cacheDir)).toEqual([]); // nothing fetched: the two runtimes would be ~75 MB
    } finally {
      if (before === undefined) delete process.env.SVCPACK_CACHE_DIR;
      else process.env.SVCPACK_CACHE_DIR = before;
    }
  });
  it('service settings that are not valid', async () => {
    await expectUsageError([hello, '--name', 'X', '--restart-delay', 'soon'], /^svcpack: --restart-delay: "soon" is not a duration — use e\.g\. 500ms/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--start-type', 'sometimes'], /^svcpack: --start-type: "sometimes" is not a start type — use auto, delayed-auto, manual or disabled$/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--recovery', 'restart/1s,retry/5s'], /^svcpack: --recovery: recovery action "retry\/5s" is not one of .* — write actions like restart\/1s/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--recovery', 'run/5s'], /^svcpack: --recovery: a run recovery action needs a command.* — pass --recovery-command/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--env', 'A=1', '--env', 'NOEQUALS'], /^svcpack: --env: environment entry "NOEQUALS" has no =/);
    out.stderr = '';
    await expectUsageError(
      [hello, '--name', 'X', '--working-dir', 'logs'],
      /^svcpack: --working-dir: working folder "logs" is neither exe, data nor an absolute path — write exe \(the executable's folder, the default\), data/,
    );
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--working-dir', 'C:\\a|b'], /^svcpack: --working-dir: working folder "C:\\a\|b" contains/);
  });
  it('a --packer that is not a packer: one line from the build, as in a config', async () => {
    await expectUsageError([hello, '--name', 'X', '--packer', 'fast'], /^svcpack: --packer "fast" is not a packer — use --packer direct or --packer pkg$/);
  });
  it('--stop-timeout that is not a duration, or too long', async () => {
    for (const bad of ['soon', '1.5s', '-1', '20 s', '1w']) {
      await expectUsageError([hello, '--name', 'X', '--stop-timeout', bad], new RegExp(`^svcpack: --stop-timeout: "${bad.replace('.', '\\.')}" is not a duration — write a duration such as 20s, 1m or 500ms \\(a bare number is milliseconds\\)$`));
      out.stderr = '';
    }
    await expectUsageError([hello, '--name', 'X', '--stop-timeout', '30d'], /^svcpack: --stop-timeout: the stop timeout 30d is too long — use at most 24d$/);
  });
  it('logging settings that are not valid', async () => {
    await expectUsageError([hello, '--name', 'X', '--log-rotate', 'weekly'], /^svcpack: --log-rotate: "weekly" is not a size or daily — write a size such as 10MB/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--log-keep', '0'], /^svcpack: --log-keep: "0" is not a number of files from 1 to 1000 — /);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--log-level', 'trace'], /^svcpack: --log-level: "trace" is not a log level — use debug, info, warn or error$/);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--log-compress', 'maybe'], /^svcpack: --log-compress: /);
    out.stderr = '';
    await expectUsageError([hello, '--name', 'X', '--log-dir', 'logs'], /^svcpack: --log-dir: log folder "logs" is not an absolute path — write a full path/);
  });
  it('--node-binary that is not a Windows x64 executable', async () => {
    await expectUsageError([hello, '--name', 'X', '--node-binary', hello], /is not a Windows x64 executable/);
  });
  it('syntax errors name file:line:col', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-cli-src-'));
    fs.writeFileSync(path.join(dir, 'app.ts'), 'const a = 1;\nconst b: number = ;\n');
    await expectUsageError([path.join(dir, 'app.ts'), '--name', 'X'], /app\.ts:2:19: Unexpected ";"/);
  });
  it('unresolvable imports name the import and the importer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-cli-src-'));
    fs.writeFileSync(path.join(dir, 'app.ts'), "import pad from 'left-pad-not-installed';\nconsole.log(pad);\n");
    await expectUsageError([path.join(dir, 'app.ts'), '--name', 'X'], /cannot resolve import "left-pad-not-installed" in app\.ts:1:17 — install it \(npm install left-pad-not-installed\)/);
  });
});

describe('svcpack build --help', () => {
  it('lists the logging flags with their defaults', async () => {
    expect(await main(['build', '--help'])).toBe(0);
    expect(out.stdout).toMatch(/--log-dir <dir> +folder for the log files/);
    expect(out.stdout).toMatch(/--log-rotate <policy> +rotate the log .*\(default: 10MB\)/s);
    expect(out.stdout).toMatch(/--log-keep <count> +.*\(default: 5\)/s);
    expect(out.stdout).toMatch(/--log-level <level> +.*\(default: info\)/s);
    expect(out.stdout).toMatch(/--log-compress <true\|false> +.*\(default: false\)/s);
    expect(out.stdout).toMatch(/--event-log <true\|false> +.*\(default: true\)/s);
  });
  it('--stop-timeout takes a duration, --working-dir exe, data or a path', async () => {
    expect(await main(['build', '--help'])).toBe(0);
    // commander wraps the help at the terminal width: compare with the line breaks taken out.
    const help = out.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--stop-timeout <duration> how long stop handlers and stop hooks may run before the stop is forced: 20s, 1m, 500ms (a bare number is milliseconds; at most 24d) (default: 20s)');
    expect(help).toContain("--working-dir <dir> folder the app starts in: exe (the executable's folder), data (the data folder) or an absolute path (D:\\apps\\MySvc, /srv/my-svc) (default: exe)");
  });
});

describe('svcpack build: success', () => {
  it('--json prints the build record, and the outputs exist with the recorded hashes', async () => {
    const code = await run(hello, '--name', 'CliSvc', '--out-dir', outDir, '--json');
    expect(code, out.stderr).toBe(0);
    const record = JSON.parse(out.stdout);
    expect(record).toMatchObject({ name: 'CliSvc', version: '1.2.3', packer: 'direct', node: { version: DEFAULT_NODE_VERSION } });
    expect(Object.keys(record.outputs).sort()).toEqual(['CliSvc.exe', 'install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1']);
    expect(fs.readdirSync(outDir).sort()).toEqual(['CliSvc.build.json', 'CliSvc.exe', 'install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1']);
    expect(record.timings.total).toBeGreaterThan(0);
    expect(record.settings).toMatchObject({ startType: 'auto', account: 'NT SERVICE\\CliSvc', sidType: 'unrestricted' });
    expect(record.logging).toEqual(DEFAULT_LOGGING);
    // Every baked setting is in the record, from ExeConfig: the stop timeout and the operation settings too.
    expect(record.stopTimeoutMs).toBe(20_000);
    expect(record.operation).toEqual(DEFAULT_RUNTIME.operation);
    expect(record.supervision).toEqual(DEFAULT_RUNTIME.supervision);
  }, 120_000);

  it('logging flags reach the build record', async () => {
    const code = await run(
      hello, '--name', 'LogSvc', '--out-dir', outDir, '--json',
      '--log-dir', 'D:\\logs\\LogSvc', '--log-level', 'debug', '--log-rotate', '5MB,daily', '--log-keep', '12', '--log-compress', 'true', '--event-log', 'false',
    );
    expect(code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).logging).toEqual({
      logDir: 'D:\\logs\\LogSvc',
      logLevel: 'debug',
      logRotate: { maxBytes: 5 * 1024 * 1024, daily: true },
      logKeep: 12,
      logCompress: true,
      eventLog: false,
    });
  }, 120_000);

  it('setting flags reach the build record and the install scripts; --env and --arg repeat', async () => {
    const code = await run(
      hello, '--name', 'FlagSvc', '--out-dir', outDir, '--json',
      '--start-type', 'delayed-auto', '--account', 'NetworkService', '--dependencies', 'Tcpip,+Group',
      '--recovery', 'restart/2s,none', '--recovery-reset', '2h', '--recovery-on-non-crash', 'no',
      '--preshutdown-timeout', '1m', '--sid-type', 'restricted', '--env', 'A=1', '--env', 'B=2', '--arg', 'x', '--arg', 'y',
      '--working-dir', 'D:\\apps\\Flag Svc', '--allow-control', 'Users, CORP\\Help Desk', '--stop-timeout', '1m',
    );
    expect(code, out.stderr).toBe(0);
    // The stop timeout is baked into the exe's manifest (the build record does not list it).
    expect((await inspect(path.join(outDir, 'FlagSvc.exe'))).svcpack).toMatchObject({ stopTimeoutMs: 60_000, settings: { workingDir: 'D:\\apps\\Flag Svc' } });
    expect(JSON.parse(out.stdout).settings).toEqual({
      startType: 'delayed-auto',
      displayName: 'FlagSvc',
      description: expect.any(String),
      account: 'NetworkService',
      dependencies: ['Tcpip', '+Group'],
      recovery: { actions: [{ action: 'restart', delayMs: 2000 }, { action: 'none', delayMs: 0 }], resetAfterMs: 7_200_000, onNonCrashFailures: false },
      preshutdownTimeoutMs: 60_000,
      sidType: 'restricted',
      env: { A: '***', B: '***' }, // the record names variables, never their values
      args: ['x', 'y'],
      workingDir: 'D:\\apps\\Flag Svc',
      allowControl: ['Users', 'CORP\\Help Desk'],
    });
    const cmd = fs.readFileSync(path.join(outDir, 'install.cmd'), 'utf8');
    expect(cmd).toContain('  --start-type "delayed-auto" ^\r\n');
    expect(cmd).toContain('  --env "B=2" ^\r\n  --arg "x" ^\r\n  --arg "y" ^\r\n  --working-dir "D:\\apps\\Flag Svc" ^\r\n  --allow-control "Users,CORP\\Help Desk"\r\n');
  }, 120_000);
});
