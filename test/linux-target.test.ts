/**
 * `--target linux-x64`: real builds of fixtures/hello-http, shared by the tests below (postject
 * takes ≈ 5 s per Linux executable): one Linux-only build, and one of both targets in another
 * folder. The ELF runs on this host (`run` answers HTTP, `version`, `help`), is byte-identical
 * across the two folders, `svcpack inspect` reads it, and the Windows outputs of the two-target
 * build are those of a Windows-only build. One more build carries the Linux dependency tree and
 * a real N-API addon (lightningcss's, from this repository's node_modules) three ways, run from
 * another folder. Needs the Node runtimes in the cache (~/.cache/svcpack) or the network.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { build, type BuildResult } from '../src/build';
import type { BuildOptions } from '../src/config/options';
import { SvcpackError } from '../src/errors';
import { formatInspect } from '../src/inspect/format';
import { inspect } from '../src/inspect/inspect';
import { ELF_MANIFEST_MAGIC, readElfNote, readManifestTrailer } from '../src/pack/elf';
import { decodeManifest } from '../src/pack/manifest';
import { rejected } from './support/thrown';

const fixturesDir = path.resolve(import.meta.dirname, '..', 'fixtures');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-linux-target-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Copies `fixture` to `<root>/<where>` and builds it there as hello-http into `<root>/<outDir>`. */
async function buildCopy(fixture: string, where: string, outDir: string, extra: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const project = path.join(root, where);
  fs.cpSync(path.join(fixturesDir, fixture), project, { recursive: true });
  return build({ entry: path.join(project, 'app.ts'), name: 'hello-http', outDir: path.join(root, outDir), ...extra });
}

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const LINUX_OUTPUTS = ['hello-http', 'hello-http.service', 'install-hello-http.sh', 'uninstall-hello-http.sh'];
const WINDOWS_OUTPUTS = ['hello-http.exe', 'install.cmd', 'install.ps1', 'uninstall.cmd', 'uninstall.ps1'];

let linuxOnly: BuildResult;
let both: BuildResult;
const elf = () => path.join(root, 'out-a', 'hello-http');

beforeAll(async () => {
  linuxOnly = await buildCopy('hello-http', 'first/app', 'out-a', { targets: 'linux-x64' });
  both = await buildCopy('hello-http', 'second/deeper/project-b', 'elsewhere/out-b', { targets: ['win-x64', 'linux-x64'] });
}, 240_000);

describe('a linux-x64 build', () => {
  test('writes the ELF (0755), its unit and the two scripts, and records each output with its size and hash', () => {
    const out = path.join(root, 'out-a');
    expect(fs.readdirSync(out).sort()).toEqual([...LINUX_OUTPUTS, 'hello-http.build.json'].sort());
    expect(linuxOnly.files.map((f) => path.basename(f))).toEqual([...LINUX_OUTPUTS, 'hello-http.build.json']);
    const bytes = fs.readFileSync(elf());
    expect([...bytes.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    for (const file of ['hello-http', 'install-hello-http.sh', 'uninstall-hello-http.sh']) expect(fs.statSync(path.join(out, file)).mode & 0o777, file).toBe(0o755);
    const { record } = linuxOnly;
    expect(record.node.target).toBe('linux-x64');
    expect(Object.keys(record.outputs).sort()).toEqual([...LINUX_OUTPUTS].sort());
    expect(record.outputs['hello-http']).toEqual({ bytes: bytes.byteLength, sha256: sha256(elf()) });
    expect(record.targets?.['linux-x64']).toMatchObject({ executable: 'hello-http', outputs: LINUX_OUTPUTS, size: { exeBytes: bytes.byteLength } });
    expect(Object.keys(record.targets?.['linux-x64']?.timings ?? {})).toEqual(['dependencies', 'bundle', 'blob', 'inject']);
    expect(record.targets?.['win-x64']).toBeUndefined();
    // No build-machine path inside the executable.
    for (const absolute of [root, path.resolve(fixturesDir, '..')]) expect(bytes.includes(absolute)).toBe(false);
  });

  test('the unit runs the binary where the install script puts it; the scripts need root and call install/uninstall', () => {
    const out = path.join(root, 'out-a');
    const unit = fs.readFileSync(path.join(out, 'hello-http.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/opt\/hello-http\/hello-http --service$/m);
    const install = fs.readFileSync(path.join(out, 'install-hello-http.sh'), 'utf8');
    expect(install).toMatch(/^#!\/bin\/sh\n/);
    expect(install).toContain('install -o root -g root -m 0755 "$src" "$bin.new"');
    expect(install).toContain('"$bin" install --force "$@"');
    expect(install).toContain('"$bin" restart');
    const uninstall = fs.readFileSync(path.join(out, 'uninstall-hello-http.sh'), 'utf8');
    expect(uninstall).toContain('"$bin" uninstall "$@"');
    expect(uninstall).toContain(`rm -rf -- "$dir"`);
    // Not root (nobody, when the tests run as root): one line, exit 1, nothing done. The script is
    // read from stdin: nobody cannot read the temp folder.
    const notRoot = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const script of ['install-hello-http.sh', 'uninstall-hello-http.sh']) {
      const r = spawnSync('sh', ['-s'], { input: fs.readFileSync(path.join(out, script)), encoding: 'utf8', cwd: '/', ...notRoot });
      expect(r.status, script).toBe(1);
      expect(r.stderr).toBe(`${script}: run this script as root (sudo sh ${script})\n`);
    }
  });

  test('runs on this host: `run` serves HTTP in the console and stops on Ctrl+C; `version` and `help` answer', async () => {
    const version = spawnSync(elf(), ['version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^hello-http 1\.2\.3 \(svcpack [^,]+, Node\.js v\d+\.\d+\.\d+\)\n$/);
    const help = spawnSync(elf(), ['help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage:');

    const port = await freePort();
    const child = spawn(elf(), ['run'], { cwd: os.tmpdir(), env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes(`listening on http://127.0.0.1:${port}`), 15_000, () => output);
      expect(await get(`http://127.0.0.1:${port}/`)).toBe('ok');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('[lifecycle] running');
  });

  test('svcpack inspect reads the ELF without running it: the manifest (trailer), the SEA blob (note), no signature', async () => {
    const r = await inspect(elf());
    expect(r).toMatchObject({ format: 'elf', sea: true, versionInfo: null, signature: { status: 'unsigned' }, node: { version: linuxOnly.record.node.version } });
    expect(r.svcpack).toMatchObject({ name: 'hello-http', version: '1.2.3', packer: 'direct', compressed: false });
    expect(r.sha256).toBe(linuxOnly.record.outputs['hello-http']!.sha256);
    const text = formatInspect(r);
    expect(text).toMatch(/^format +ELF \(Linux executable\)$/m);
    expect(text).toMatch(/^name +hello-http$/m);
    expect(text).toMatch(/^SEA +yes$/m);
    // The trailer: the manifest JSON, its length, the magic, after the ELF image.
    const bytes = fs.readFileSync(elf());
    expect(bytes.subarray(-ELF_MANIFEST_MAGIC.length).toString('latin1')).toBe(ELF_MANIFEST_MAGIC);
    expect(decodeManifest(readManifestTrailer(bytes)!).name).toBe('hello-http');
    expect(readElfNote(bytes, 'NODE_SEA_BLOB')?.byteLength).toBeGreaterThan(1000);
  });

  test('an addon svcpack cannot have for Linux x64 is refused: one line, exit 2, nothing written', async () => {
    const outDir = path.join(root, 'addon-out');
    const refused = async (index: string, extra: Record<string, string> = {}) => {
      const project = path.join(root, `addon-app-${Math.random().toString(36).slice(2)}`);
      writeFiles(project, {
        'package.json': '{"name":"addon-app","version":"1.0.0"}\n',
        'app.ts': "import addon from 'fake-addon';\nconsole.log(addon);\n",
        'node_modules/fake-addon/package.json': '{"name":"fake-addon","version":"2.0.0","main":"index.js"}\n',
        'node_modules/fake-addon/index.js': index,
        ...extra,
      });
      const err = await rejected(SvcpackError, build({ entry: path.join(project, 'app.ts'), name: 'addon-app', outDir, targets: 'linux-x64' }));
      expect(err.exitCode).toBe(2);
      expect(fs.existsSync(outDir)).toBe(false);
      return err.toLine();
    };
    // bindings: the binary on disk was built for the build machine's Node.
    expect(await refused("module.exports = require('bindings')('fake');\n")).toBe(
      'svcpack: fake-addon@2.0.0 loads its native addon through bindings, built on this machine for its own Node.js, and svcpack cannot embed such an addon in a linux-x64 executable yet — build this app for Windows only (--target win-x64), or use a pure-JavaScript alternative to the package',
    );
    // prebuildify without a Linux x64 prebuild.
    expect(await refused("module.exports = require('node-gyp-build')(__dirname);\n", { 'node_modules/fake-addon/prebuilds/win32-x64/node.napi.node': 'MZ' })).toMatch(
      /^svcpack: fake-addon@2\.0\.0 has no Linux x64 prebuild for Node\.js \d+ \(ABI \d+\) in its prebuilds\/ folder — build for Windows only \(--target win-x64\)$/,
    );
  });
});

describe('native addons and the dependency tree of a linux-x64 build', () => {
  test('the tree npm installs on linux-x64, and the Linux x64 build of every addon (prebuildify, napi-rs, one the tree serves by a computed name) load in the ELF, run from another folder', { timeout: 150_000 }, async () => {
    // A real N-API addon for linux-x64: lightningcss's, as this repository installed it (it is in its lockfile).
    const repo = path.resolve(import.meta.dirname, '..');
    const repoLock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
    const addon = fs.readFileSync(path.join(repo, 'node_modules', 'lightningcss-linux-x64-gnu', 'lightningcss.linux-x64-gnu.node'));
    const project = path.join(root, 'addons-app');
    const root_ = {
      name: 'addons-app',
      version: '1.0.0',
      dependencies: { foo: '1.0.0', lightningcss: repoLock.packages['node_modules/lightningcss']!.version },
      optionalDependencies: { 'watcher-linux-x64': '1.0.0', 'watcher-win32-x64': '1.0.0' },
    };
    const lock: Record<string, unknown> = {
      '': root_,
      'node_modules/foo': { version: '1.0.0', license: 'MIT' },
      'node_modules/watcher-linux-x64': { version: '1.0.0', optional: true, os: ['linux'], cpu: ['x64'], license: 'MIT' },
      // Not installed here, with an integrity no tarball has: fetching it would fail the build.
      'node_modules/watcher-win32-x64': { version: '1.0.0', optional: true, os: ['win32'], cpu: ['x64'], integrity: `sha512-${'A'.repeat(86)}==` },
    };
    for (const name of ['lightningcss', 'lightningcss-linux-x64-gnu', 'detect-libc']) {
      fs.cpSync(path.join(repo, 'node_modules', name), path.join(project, 'node_modules', name), { recursive: true });
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repoLock.packages[`node_modules/${name}`]!;
      lock[`node_modules/${name}`] = entry;
    }
    writeFiles(project, {
      'package.json': JSON.stringify({ ...root_, type: 'module' }),
      'package-lock.json': JSON.stringify({ name: 'addons-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: lock }),
      'app.ts': [
        "import { createRequire } from 'node:module';",
        "import { transform } from 'lightningcss';",
        "import prebuilt from 'css-prebuilt';",
        "import napi from 'css-napi';",
        'const require = createRequire(import.meta.url);',
        "const css = (t: (o: object) => { code: Uint8Array }) => Buffer.from(t({ filename: 'a.css', code: Buffer.from('.a { color: #ff0000; }'), minify: true }).code).toString();",
        "console.log('foo:', require(['f', 'oo'].join('')).table);",
        "console.log('watcher:', require(['watcher', process.platform, process.arch].join('-')).kind);",
        "console.log('tree addon:', css(transform));",
        "console.log('prebuildify:', css(prebuilt.transform));",
        "console.log('napi-rs:', css(napi.transform));",
        '',
      ].join('\n'),
      'node_modules/foo/package.json': JSON.stringify({ name: 'foo', version: '1.0.0', main: 'index.js', license: 'MIT' }),
      'node_modules/foo/index.js': "module.exports = { table: require('node:fs').readFileSync(require('node:path').join(__dirname, 'table.txt'), 'utf8').trim() };\n",
      'node_modules/foo/table.txt': 'rows from the tree\n',
      'node_modules/watcher-linux-x64/package.json': JSON.stringify({ name: 'watcher-linux-x64', version: '1.0.0', os: ['linux'], cpu: ['x64'], license: 'MIT' }),
      'node_modules/watcher-linux-x64/index.js': "module.exports = { kind: 'the linux one' };\n",
      // prebuildify: node-gyp-build picks prebuilds/linux-x64, glibc not musl.
      'node_modules/css-prebuilt/package.json': '{"name":"css-prebuilt","version":"1.0.0","main":"index.js"}\n',
      'node_modules/css-prebuilt/index.js': "module.exports = require('node-gyp-build')(__dirname);\n",
      'node_modules/css-prebuilt/prebuilds/linux-x64/css-prebuilt.musl.node': 'not this one',
      'node_modules/css-prebuilt/prebuilds/win32-x64/css-prebuilt.node': 'MZ',
      // napi-rs: the platform package named in optionalDependencies, installed here.
      'node_modules/css-napi/package.json': JSON.stringify({ name: 'css-napi', version: '1.0.0', main: 'index.js', optionalDependencies: { 'css-napi-linux-x64-gnu': '1.0.0', 'css-napi-win32-x64-msvc': '1.0.0' } }),
      'node_modules/css-napi/index.js': "module.exports = process.platform === 'win32' ? require('css-napi-win32-x64-msvc') : require('css-napi-linux-x64-gnu');\n",
      'node_modules/css-napi-linux-x64-gnu/package.json': JSON.stringify({ name: 'css-napi-linux-x64-gnu', version: '1.0.0', main: 'css.linux-x64-gnu.node', os: ['linux'], cpu: ['x64'] }),
    });
    fs.writeFileSync(path.join(project, 'node_modules/css-prebuilt/prebuilds/linux-x64/css-prebuilt.glibc.node'), addon);
    fs.writeFileSync(path.join(project, 'node_modules/css-napi-linux-x64-gnu/css.linux-x64-gnu.node'), addon);

    const result = await build({ entry: path.join(project, 'app.ts'), name: 'addons-app', outDir: path.join(root, 'addons-out'), targets: 'linux-x64' });
    expect(result.record.embedded.packages?.map((p) => p.name)).toEqual(['detect-libc', 'foo', 'lightningcss', 'lightningcss-linux-x64-gnu', 'watcher-linux-x64']);
    expect(result.record.embedded.packages?.find((p) => p.name === 'lightningcss-linux-x64-gnu')?.bytes).toBeGreaterThan(1_000_000); // its .node file is in the tree
    expect(result.record.addons.map((a) => `${a.package} ${a.source} ${a.main}`).sort()).toEqual(['css-napi-linux-x64-gnu installed css.linux-x64-gnu.node', 'css-prebuilt installed css-prebuilt.glibc.node']);
    // Away from the project (whose node_modules a run next to it could reach), with a home of its own for the written-out addons.
    const away = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-addons-run-'));
    try {
      fs.copyFileSync(path.join(root, 'addons-out', 'addons-app'), path.join(away, 'addons-app'));
      fs.chmodSync(path.join(away, 'addons-app'), 0o755);
      const run = spawnSync(path.join(away, 'addons-app'), ['run'], { encoding: 'utf8', cwd: away, env: { ...process.env, HOME: away, XDG_CACHE_HOME: '' }, timeout: 30_000 });
      for (const line of ['foo: rows from the tree', 'watcher: the linux one', 'tree addon: .a{color:red}', 'prebuildify: .a{color:red}', 'napi-rs: .a{color:red}']) expect(run.stdout).toContain(`${line}\n`);
      expect(run.status).toBe(0);
      const written = fs.readdirSync(path.join(away, '.cache', 'svcpack', 'native'), { recursive: true }).map(String);
      expect(written.filter((f) => f.endsWith('.node')).map((f) => path.basename(f)).sort()).toEqual(['css-prebuilt.glibc.node', 'css.linux-x64-gnu.node', 'lightningcss.linux-x64-gnu.node']);
    } finally {
      fs.rmSync(away, { recursive: true, force: true });
    }
  });
});

describe('reproducible and both targets in one run', () => {
  test('the same project in another folder, built for both targets: the ELF and its files are byte-identical', () => {
    const a = path.join(root, 'out-a');
    const b = path.join(root, 'elsewhere', 'out-b');
    for (const file of LINUX_OUTPUTS) expect(sha256(path.join(b, file)), file).toBe(sha256(path.join(a, file)));
    for (const file of LINUX_OUTPUTS) expect(both.record.outputs[file]).toEqual(linuxOnly.record.outputs[file]);
  });

  test('both targets: every output of each, win-x64 first, each target with its own koffi.node and timings', () => {
    const out = path.join(root, 'elsewhere', 'out-b');
    expect(both.files.map((f) => path.basename(f))).toEqual([...WINDOWS_OUTPUTS, ...LINUX_OUTPUTS, 'hello-http.build.json']);
    expect(fs.readdirSync(out).sort()).toEqual([...WINDOWS_OUTPUTS, ...LINUX_OUTPUTS, 'hello-http.build.json'].sort());
    const { targets } = both.record;
    expect(Object.keys(targets ?? {})).toEqual(['win-x64', 'linux-x64']);
    expect(targets?.['win-x64']?.outputs).toEqual(WINDOWS_OUTPUTS);
    expect(targets?.['linux-x64']?.outputs).toEqual(LINUX_OUTPUTS);
    expect(targets?.['win-x64']?.koffiSha256).not.toBe(targets?.['linux-x64']?.koffiSha256);
    expect(Object.keys(targets?.['win-x64']?.timings ?? {})).toEqual(['dependencies', 'bundle', 'blob', 'resources']);
    expect(both.record.node.target).toBe('win-x64');
    expect(fs.readFileSync(path.join(out, 'hello-http.exe')).subarray(0, 2).toString('latin1')).toBe('MZ');
  });

  test('the Windows outputs of the two-target build are those of a Windows-only build', async () => {
    const winOnly = await buildCopy('hello-http', 'third/app', 'out-c');
    for (const file of WINDOWS_OUTPUTS) expect(winOnly.record.outputs[file], file).toEqual(both.record.outputs[file]);
    expect(Object.keys(winOnly.record.outputs).sort()).toEqual([...WINDOWS_OUTPUTS].sort());
  });
});

/** Writes `files` (path → contents) under `dir`, creating folders. */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function waitFor(ok: () => boolean, ms: number, what: () => string): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
