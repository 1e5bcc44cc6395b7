import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from '../../src/config/config-load';
import { suggestKey } from '../../src/config/config-keys';
import { mergeConfig } from '../../src/config/merge';
import { resolveBuildOptions, type BuildOptions } from '../../src/config/options';
import { SvcpackError } from '../../src/errors';
import { rejected, thrown as thrownBy } from '../support/thrown';

let dir: string;
beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-cfgtest-')));
  write('src/app.ts', 'export {};\n');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(file: string, content: string | object): string {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return full;
}

const load = (o: LoadConfigOptions = {}) => loadConfig({ cwd: dir, ...o });
const loadError = (o: LoadConfigOptions = {}) => rejected(SvcpackError, load(o));
/** The one line `svcpack build` prints for the error loading the config in `dir`. */
const loadErrorLine = async (o: LoadConfigOptions = {}) => (await loadError(o)).toLine();
/** What `svcpack build` resolves with `given` over the config in `dir`. */
async function resolved(given: Partial<BuildOptions> = {}, o: LoadConfigOptions = {}) {
  return resolveBuildOptions(mergeConfig(await load(o), { cwd: dir, ...given }));
}
const thrown = (fn: () => unknown) => thrownBy(SvcpackError, fn);

describe('discovery', () => {
  it('no config file and no package.json key: nothing', async () => {
    expect(await load()).toEqual({ options: {}, sources: {} });
  });

  it('finds svcpack.config.json in the current folder; names each key by file and key', async () => {
    const file = write('svcpack.config.json', { $schema: './node_modules/svcpack/svcpack.schema.json', name: 'MySvc', startType: 'manual' });
    expect(await load()).toEqual({
      options: { name: 'MySvc', startType: 'manual' },
      sources: { name: 'svcpack.config.json: name', startType: 'svcpack.config.json: startType' },
      file,
    });
  });

  it('finds every config file name', async () => {
    for (const [name, text] of [
      ['svcpack.config.ts', "export default { name: 'Ts' as string };"],
      ['svcpack.config.mts', "export default { name: 'Mts' };"],
      ['svcpack.config.cts', "module.exports = { name: 'Cts' };"],
      ['svcpack.config.js', "export default { name: 'Js' };"],
      ['svcpack.config.mjs', "export default { name: 'Mjs' };"],
      ['svcpack.config.cjs', "module.exports = { name: 'Cjs' };"],
      ['svcpack.config.json', '{ "name": "Json" }'],
    ] as const) {
      const file = write(name, text);
      const config = await load();
      expect(config.file).toBe(file);
      expect(config.sources.name).toBe(`${name}: name`);
      fs.rmSync(file);
    }
  });

  it('two config files in the folder are an error', async () => {
    write('svcpack.config.ts', 'export default {};');
    write('svcpack.config.json', '{}');
    expect(await loadErrorLine()).toBe(
      'svcpack: there are 2 config files: svcpack.config.ts, svcpack.config.json — keep one, or choose one with --config <file>',
    );
  });

  it('--config picks a file (which wins over discovery); a missing one or another extension is an error', async () => {
    write('svcpack.config.json', { name: 'Found' });
    const file = write('conf/prod.json', { name: 'Given' });
    expect(await load({ configFile: 'conf/prod.json' })).toMatchObject({ file, options: { name: 'Given' }, sources: { name: 'conf/prod.json: name' } });
    const missing = await loadError({ configFile: 'conf/nope.json' });
    expect(missing.code).toBe('CONFIG_NOT_FOUND');
    expect(missing.exitCode).toBe(2);
    expect(missing.toLine()).toBe('svcpack: config file conf/nope.json does not exist — check the path given to --config');
    write('conf/prod.yaml', 'name: x');
    expect(await loadErrorLine({ configFile: 'conf/prod.yaml' })).toMatch(/^svcpack: config file conf\/prod\.yaml is not \.json, \.ts, .* — rename it/);
  });

  it('reads the "svcpack" key of the nearest package.json, walking up from the current folder', async () => {
    write('package.json', { name: 'app', version: '1.0.0', svcpack: { name: 'FromPkg', icon: 'assets/app.ico' } });
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    expect(await load()).toEqual({
      options: { name: 'FromPkg', icon: path.join(dir, 'assets', 'app.ico') },
      sources: { name: 'package.json "svcpack".name', icon: 'package.json "svcpack".icon' },
      packageJson: path.join(dir, 'package.json'),
    });
    const fromSub = await loadConfig({ cwd: sub });
    expect(fromSub.options.name).toBe('FromPkg');
    expect(fromSub.sources.name).toBe(`${path.join(dir, 'package.json')} "svcpack".name`);
  });
});

describe('code configs', () => {
  it('a .ts config with defineConfig from "svcpack", a type import, a relative import and import.meta.dirname', async () => {
    write('config/ports.ts', 'export const PORT: number = 8080;\n');
    write(
      'svcpack.config.ts',
      [
        "import { defineConfig } from 'svcpack';",
        "import type { SvcpackConfig } from 'svcpack';",
        "import { PORT } from './config/ports';",
        "const extra: Partial<SvcpackConfig> = { sidType: 'restricted' };",
        'export default defineConfig({',
        "  entry: 'src/app.ts',",
        "  name: 'TsSvc',",
        '  env: { PORT, DIR: import.meta.dirname },',
        '  ...extra,',
        '});',
      ].join('\n'),
    );
    const config = await load();
    expect(config.options).toEqual({ entry: path.join(dir, 'src', 'app.ts'), name: 'TsSvc', env: { PORT: '8080', DIR: dir }, sidType: 'restricted' });
    expect(config.sources.env).toBe('svcpack.config.ts: env');
    // The compiled copy lives in a private temporary folder only while it is imported.
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('svcpack-config-') && fs.existsSync(path.join(os.tmpdir(), f, 'svcpack.config.mjs')))).toEqual([]);
  });

  it('a default export may be an async function; an .mjs may use defineConfig too', async () => {
    write('svcpack.config.mjs', "import { defineConfig } from 'svcpack';\nexport default defineConfig(async () => ({ name: await Promise.resolve('Later') }));\n");
    expect((await load()).options).toEqual({ name: 'Later' });
  });

  it('a CommonJS config may require built-ins; __dirname is the config folder', async () => {
    write('conf/svcpack.config.cjs', "const path = require('node:path');\nmodule.exports = { outDir: path.join(__dirname, 'out') };\n");
    expect((await load({ configFile: 'conf/svcpack.config.cjs' })).options).toEqual({ outDir: path.join(dir, 'conf', 'out') });
  });

  it('packages are imported from where they are installed, not bundled', async () => {
    write('node_modules/where-am-i/package.json', { name: 'where-am-i', type: 'module', main: 'index.js' });
    write('node_modules/where-am-i/index.js', 'export const here = import.meta.url;\n');
    write('svcpack.config.ts', "import { here } from 'where-am-i';\nexport default { description: here };\n");
    expect((await load()).options.description).toBe(`file://${path.join(dir, 'node_modules', 'where-am-i', 'index.js')}`);
  });

  it('a syntax error is one line with file:line:column', async () => {
    write('svcpack.config.ts', "export default {\n  name: 'X' oops,\n};\n");
    const e = await loadError();
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.exitCode).toBe(2);
    expect(e.toLine()).toBe('svcpack: svcpack.config.ts:2:13: Expected "}" but found "oops" — fix the config file');
  });

  it('an import that cannot be resolved names it and where', async () => {
    write('svcpack.config.ts', "import x from 'not-installed-anywhere';\nexport default x;\n");
    expect(await loadErrorLine()).toBe('svcpack: svcpack.config.ts:1:15: Could not resolve "not-installed-anywhere" — fix the config file');
  });

  it('a config that throws, exports nothing, or exports no object', async () => {
    write('svcpack.config.ts', "throw new Error('boom');\nexport default {};\n");
    const e = await loadError();
    expect(e.toLine()).toBe('svcpack: svcpack.config.ts failed to load: boom — fix the config file (--verbose shows the stack)');
    expect((e.cause as Error).message).toBe('boom');
    write('svcpack.config.ts', 'export const name = "X";\n');
    expect(await loadErrorLine()).toBe('svcpack: svcpack.config.ts has no default export — export the config: export default defineConfig({ entry: …, name: … })');
    write('svcpack.config.ts', 'export default "MySvc";\n');
    expect(await loadErrorLine()).toMatch(/^svcpack: svcpack\.config\.ts is a string, not an object of build options — make it an object such as/);
  });
});

describe('validation', () => {
  const line = async (config: unknown) => {
    write('svcpack.config.json', JSON.stringify(config));
    return loadErrorLine();
  };

  it('an unknown key, with the key it was probably meant to be', async () => {
    expect(await line({ startTyp: 'auto' })).toBe(
      'svcpack: svcpack.config.json: unknown key "startTyp" — did you mean "startType"? (keys: svcpack build\'s options in camelCase, see svcpack build --help)',
    );
    expect(await line({ 'stop-timeout': 1000 })).toMatch(/unknown key "stop-timeout" — did you mean "stopTimeout"\?/);
    expect(await line({ frobnicate: 1 })).toMatch(/^svcpack: svcpack\.config\.json: unknown key "frobnicate" — use svcpack build's options in camelCase \(--start-type → "startType"/);
    expect(await line({ password: 'hunter2' })).toMatch(/unknown key "password" — a password never goes into a config: set "passwordEnv" .* or "passwordFile"/);
    expect(await line({ cwd: '/' })).toMatch(/unknown key "cwd"/);
  });

  it('suggestKey: flag spellings, case, aliases and near misses', () => {
    expect(suggestKey('start-type')).toBe('startType');
    expect(suggestKey('--log-level')).toBe('logLevel');
    expect(suggestKey('stop-timeout')).toBe('stopTimeout');
    expect(suggestKey('--stop-timeout')).toBe('stopTimeout');
    expect(suggestKey('arg')).toBe('args');
    expect(suggestKey('asset')).toBe('assets');
    expect(suggestKey('dependency')).toBe('dependencies');
    expect(suggestKey('StartType')).toBe('startType');
    expect(suggestKey('healthurl')).toBe('healthUrl');
    expect(suggestKey('recoveryRest')).toBe('recoveryReset');
    expect(suggestKey('xyz')).toBeNull();
  });

  it('a value of the wrong type names the file, the key and what is allowed', async () => {
    expect(await line({ packer: 'fast' })).toBe('svcpack: svcpack.config.json: packer "fast" is not allowed — use "direct" or "pkg"');
    expect(await line({ startType: 'automatic' })).toBe('svcpack: svcpack.config.json: startType "automatic" is not allowed — use "auto", "delayed-auto", "manual" or "disabled"');
    expect(await line({ compress: 'yes' })).toBe('svcpack: svcpack.config.json: compress "yes" is not allowed — use true or false');
    expect(await line({ native: { 'better-sqlite3': 3 } })).toBe('svcpack: svcpack.config.json: native {"better-sqlite3":3} is not allowed — use an object such as { "better-sqlite3": "vendor/better_sqlite3.node" } or a list of "package=path" strings');
    expect(await line({ stopTimeout: true })).toBe('svcpack: svcpack.config.json: stopTimeout true is not allowed — use a number of milliseconds or a duration such as "30s"');
    expect(await line({ stopTimeoutMs: true })).toBe('svcpack: svcpack.config.json: stopTimeoutMs true is not allowed — use a number of milliseconds or a duration such as "30s"');
    expect(await line({ workingDir: 3 })).toBe('svcpack: svcpack.config.json: workingDir 3 is not allowed — use a string');
    expect(await line({ name: 42 })).toBe('svcpack: svcpack.config.json: name 42 is not allowed — use a string');
    expect(await line({ args: '--port 80' })).toMatch(/^svcpack: svcpack\.config\.json: args "--port 80" is not allowed — use a list of strings/);
    expect(await line({ dependencies: [1] })).toMatch(/dependencies \[1\] is not allowed — use a list of service names/);
    expect(await line({ env: 'A=1' })).toMatch(/env "A=1" is not allowed — use an object such as \{ "PORT": "8080" \} or a list of "KEY=value" strings/);
    expect(await line({ env: { A: { nested: true } } })).toBe('svcpack: svcpack.config.json: env variable "A" has the value {"nested":true} — give each variable a string, number or boolean');
    expect(await line({ restartDelay: true })).toMatch(/restartDelay true is not allowed — use a number of milliseconds or a duration such as "30s"/);
    expect(await line({ icon: '' })).toMatch(/icon "" is not allowed — use a path \(a relative one is resolved against the folder of svcpack\.config\.json\)/);
    expect(await line({ description: null })).toMatch(/description null is not allowed — use a string/);
    expect(await line({ signer: 'jsign' })).toMatch(/signer "jsign" is not allowed — use "osslsigncode" or "signtool"/);
    expect(await line({ timestampOptional: 'yes' })).toMatch(/timestampOptional "yes" is not allowed — use true or false/);
  });

  it('natural JSON values are accepted: numbers for durations and counts, lists, env objects with numbers; choices in any case', async () => {
    write(
      'svcpack.config.json',
      {
        startType: 'DELAYED-AUTO',
        recoveryReset: 3_600_000,
        preshutdownTimeout: '30s',
        logKeep: 7,
        logCompress: true,
        eventLog: 'no',
        dependencies: ['Tcpip', '+Group'],
        env: { PORT: 8080, DEBUG: false },
        args: ['--port', '8080'],
        supervise: true,
        restartDelay: 250,
        maxRestarts: 3,
        timestampOptional: true,
        stopTimeoutMs: 5000,
        workingDir: 'Data',
      },
    );
    const r = await resolved({ entry: 'src/app.ts', name: 'X' });
    expect(r.settings).toMatchObject({ startType: 'delayed-auto', dependencies: ['Tcpip', '+Group'], env: { PORT: '8080', DEBUG: 'false' }, args: ['--port', '8080'], preshutdownTimeoutMs: 30_000 });
    expect(r.settings.recovery.resetAfterMs).toBe(3_600_000);
    expect(r.logging).toMatchObject({ logKeep: 7, logCompress: true, eventLog: false });
    expect(r.supervision).toMatchObject({ supervise: true, policy: { initialDelayMs: 250, maxRestarts: 3 } });
    expect(r.stopTimeoutMs).toBe(5000);
    expect(r.settings.workingDir).toBe('data');
  });

  it('stopTimeout (or its old name stopTimeoutMs) takes a duration like every other duration setting; a number is still milliseconds', async () => {
    for (const key of ['stopTimeout', 'stopTimeoutMs']) {
      for (const [value, ms] of [['20s', 20_000], ['1m', 60_000], ['500ms', 500], ['1500', 1500], [2500, 2500], [0, 0]] as const) {
        write('svcpack.config.json', { [key]: value });
        expect((await resolved({ entry: 'src/app.ts', name: 'X' })).stopTimeoutMs, `${key} ${value}`).toBe(ms);
      }
      // A flag wins over the config, as for every option; so does the API's old name.
      expect((await resolved({ entry: 'src/app.ts', name: 'X', stopTimeout: '45s' })).stopTimeoutMs).toBe(45_000);
      expect((await resolved({ entry: 'src/app.ts', name: 'X', stopTimeoutMs: '46s' })).stopTimeoutMs).toBe(46_000);
    }
    const errorOf = async (config: object, given: Partial<BuildOptions> = {}) => {
      write('svcpack.config.json', { entry: 'src/app.ts', name: 'X', ...config });
      const loaded = await load();
      return thrown(() => resolveBuildOptions(mergeConfig(loaded, { cwd: dir, ...given })));
    };
    let err = await errorOf({ stopTimeoutMs: 'soon' });
    expect(err.exitCode).toBe(2);
    expect(err.toLine()).toBe('svcpack: svcpack.config.json: stopTimeoutMs: "soon" is not a duration — write a duration such as 20s, 1m or 500ms (a bare number is milliseconds)');
    err = await errorOf({ stopTimeoutMs: -5 });
    expect(err.message).toBe('svcpack.config.json: stopTimeoutMs: -5 is not a duration');
    err = await errorOf({ stopTimeoutMs: '25d' });
    expect(err.toLine()).toBe('svcpack: svcpack.config.json: stopTimeoutMs: the stop timeout 25d is too long — use at most 24d');
    err = await errorOf({ stopTimeout: 'soon' });
    expect(err.message).toBe('svcpack.config.json: stopTimeout: "soon" is not a duration');
    // Given as a flag, the message names the flag.
    err = await errorOf({}, { stopTimeout: '1.5s' });
    expect(err.message).toBe('--stop-timeout: "1.5s" is not a duration');
    // Both names in one config: which one counts would be a guess.
    expect(await line({ stopTimeout: '10s', stopTimeoutMs: 5000 })).toBe(
      'svcpack: svcpack.config.json gives stopTimeout twice: as "stopTimeout" and as its old name "stopTimeoutMs" — keep "stopTimeout" only',
    );
    expect(await line({ stopTimeoutMs: 5000, stopTimeout: '10s' })).toMatch(/gives stopTimeout twice/);
  });

  it('workingDir: a bad value names the config and key; given as a flag, the flag', async () => {
    write('svcpack.config.json', { entry: 'src/app.ts', name: 'X', workingDir: 'app' });
    const config = await load();
    const fromFile = thrown(() => resolveBuildOptions(mergeConfig(config, { cwd: dir })));
    expect(fromFile.code).toBe('INVALID_SETTING');
    expect(fromFile.toLine()).toMatch(/^svcpack: svcpack\.config\.json: workingDir: working folder "app" is neither exe, data nor an absolute path — write exe /);
    const fromFlag = thrown(() => resolveBuildOptions(mergeConfig(config, { cwd: dir, workingDir: 'rel\\x' })));
    expect(fromFlag.message).toMatch(/^--working-dir: working folder "rel\\x"/);
    // Not a path key: never resolved against the config's folder.
    write('svcpack.config.json', { entry: 'src/app.ts', name: 'X', workingDir: 'D:\\apps\\X' });
    expect((await resolved()).settings.workingDir).toBe('D:\\apps\\X');
  });

  it('a config that is not an object', async () => {
    expect(await line([{ name: 'X' }])).toMatch(/^svcpack: svcpack\.config\.json is a list, not an object of build options — make it an object such as \{ "entry"/);
    expect(await line(null)).toMatch(/svcpack\.config\.json is null, not an object/);
  });

  it('invalid JSON: file:line:column and what is wrong', async () => {
    const cases: Array<[string, string]> = [
      ['{\n  "name": "X",\n}\n', 'svcpack.config.json:2:14: a trailing comma before "}" is not allowed in JSON'],
      ['{\n  // the service\n  "name": "X"\n}', 'svcpack.config.json:2:3: comments are not allowed in JSON'],
      ['{\n  "name": "X"\n  "startType": "auto"\n}', 'svcpack.config.json:3:3: expected "," or "}", found "\\""'],
      ["{ 'name': 'X' }", 'svcpack.config.json:1:3: expected a property name in double quotes, found "\'"'],
      ['{ "compress": tru }', 'svcpack.config.json:1:15: expected a value, found "t"'],
      ['{ "name": "X"', 'svcpack.config.json:1:14: the text ends where "," or "}" should be'],
      ['', 'svcpack.config.json:1:1: the text ends where a value should be'],
    ];
    for (const [text, message] of cases) {
      write('svcpack.config.json', text);
      const e = await loadError();
      expect(e.code).toBe('INVALID_CONFIG');
      expect(e.toLine()).toBe(`svcpack: ${message} — fix the JSON (no comments or trailing commas; a svcpack.config.ts may have both)`);
    }
  });

  it('a UTF-8 byte order mark is fine', async () => {
    write('svcpack.config.json', '\uFEFF{ "name": "Bom" }');
    expect((await load()).options).toEqual({ name: 'Bom' });
  });

  it('package.json "svcpack" is validated the same way, named as such', async () => {
    write('package.json', { name: 'app', svcpack: { startTyp: 'auto' } });
    expect(await loadErrorLine()).toMatch(/^svcpack: package\.json "svcpack": unknown key "startTyp" — did you mean "startType"\?/);
    write('package.json', { name: 'app', svcpack: { packer: 'zip' } });
    expect(await loadErrorLine()).toBe('svcpack: package.json "svcpack": packer "zip" is not allowed — use "direct" or "pkg"');
    write('package.json', { name: 'app', svcpack: 'MySvc' });
    expect(await loadErrorLine()).toMatch(/^svcpack: package\.json "svcpack" is a string, not an object of build options/);
  });

  it('a value the settings reject names the config and the key it came from; given as a flag, the flag', async () => {
    write('svcpack.config.json', { entry: 'src/app.ts', name: 'X', recovery: 'restart/1s,retry/5s', logKeep: 0 });
    const config = await load();
    const fromFile = thrown(() => resolveBuildOptions(mergeConfig(config, { cwd: dir })));
    expect(fromFile.code).toBe('INVALID_SETTING');
    expect(fromFile.toLine()).toMatch(/^svcpack: svcpack\.config\.json: recovery: recovery action "retry\/5s" is not one of restart, run, reboot or none with a delay — write actions like/);
    const fromFlag = thrown(() => resolveBuildOptions(mergeConfig(config, { cwd: dir, recovery: 'bogus' })));
    expect(fromFlag.message).toMatch(/^--recovery: recovery action "bogus"/);
    const keep = thrown(() => resolveBuildOptions(mergeConfig(config, { cwd: dir, recovery: 'none' })));
    expect(keep.message).toBe('svcpack.config.json: logKeep: 0 is not a number of files from 1 to 1000');

    fs.rmSync(path.join(dir, 'svcpack.config.json'));
    write('package.json', { name: 'app', svcpack: { entry: 'src/app.ts', name: 'X', restartDelay: 'soon' } });
    const pkg = await load();
    expect(thrown(() => resolveBuildOptions(mergeConfig(pkg, { cwd: dir }))).message).toBe('package.json "svcpack".restartDelay: "soon" is not a duration');
  });

  it('other values from a config name it too: version, node, name, entry, icon', async () => {
    const run = async (config: object) => {
      write('svcpack.config.json', { entry: 'src/app.ts', name: 'X', ...config });
      const loaded = await load();
      return thrown(() => resolveBuildOptions(mergeConfig(loaded, { cwd: dir })));
    };
    expect((await run({ version: '1.2' })).toLine()).toBe(
      'svcpack: svcpack.config.json: version: version "1.2" is not numeric x.y.z or x.y.z.w — set "version" to x.y.z or x.y.z.w with numeric parts 0-65535',
    );
    expect((await run({ node: 'latest' })).message).toBe('svcpack.config.json: node: --node "latest" is not a Node.js version (x.y.z or a major)');
    expect((await run({ name: 'a/b' })).toLine()).toBe(
      'svcpack: svcpack.config.json: name: the service name "a/b" contains "/" — use 1-256 characters and no / \\ < > : " | ? *',
    );
    const entry = await run({ entry: 'src/nope.ts' });
    expect(entry.code).toBe('ENTRY_NOT_FOUND');
    expect(entry.message).toBe(`svcpack.config.json: entry: entry file ${path.join(dir, 'src', 'nope.ts')} does not exist`);
    expect((await run({ icon: 'missing.ico' })).message).toBe(`svcpack.config.json: icon: icon ${path.join(dir, 'missing.ico')} does not exist`);
  });
});

describe('precedence and paths', () => {
  beforeEach(() => {
    write('package.json', {
      name: 'app',
      version: '1.0.0',
      description: 'package description',
      author: 'Pkg Author',
      svcpack: { version: '2.0.0', description: 'key description', startType: 'manual', logLevel: 'warn', env: { FROM: 'pkg' } },
    });
  });

  it('command line > config file > package.json "svcpack" > package.json defaults > svcpack defaults', async () => {
    write('svcpack.config.json', { entry: 'src/app.ts', name: 'FileSvc', version: '3.0.0', startType: 'disabled', env: { A: '1', B: '2' }, dependencies: ['Tcpip'] });
    const fromConfig = await resolved();
    expect(fromConfig).toMatchObject({
      name: 'FileSvc',
      version: '3.0.0', // file over the "svcpack" key over package.json's version
      description: 'key description', // the "svcpack" key over package.json's description
      company: 'Pkg Author', // package.json default
      packer: 'direct', // svcpack default
      outDir: path.join(dir, 'dist'),
    });
    expect(fromConfig.settings).toMatchObject({ startType: 'disabled', env: { A: '1', B: '2' }, dependencies: ['Tcpip'] });
    expect(fromConfig.logging.logLevel).toBe('warn');

    const fromCli = await resolved({ name: 'CliSvc', startType: 'delayed-auto', env: ['C=3'], dependencies: 'RpcSs', version: '4.0.0' });
    expect(fromCli).toMatchObject({ name: 'CliSvc', version: '4.0.0' });
    // A list on the command line replaces the config's list.
    expect(fromCli.settings).toMatchObject({ startType: 'delayed-auto', env: { C: '3' }, dependencies: ['RpcSs'] });
  });

  it('mergeConfig: undefined counts as not given; sources keep only the config keys not overridden', async () => {
    write('svcpack.config.json', { entry: 'src/app.ts', name: 'FileSvc', outDir: 'out' });
    const merged = mergeConfig(await load(), { name: 'Cli', outDir: undefined, compress: undefined });
    expect(merged).toMatchObject({ entry: path.join(dir, 'src', 'app.ts'), name: 'Cli', outDir: path.join(dir, 'out') });
    expect('compress' in merged).toBe(false);
    expect(merged.sources).toEqual({
      entry: 'svcpack.config.json: entry',
      outDir: 'svcpack.config.json: outDir',
      version: 'package.json "svcpack".version',
      description: 'package.json "svcpack".description',
      startType: 'package.json "svcpack".startType',
      logLevel: 'package.json "svcpack".logLevel',
      env: 'package.json "svcpack".env',
    });
  });

  it('no entry or name anywhere: a usage error saying where to give it', async () => {
    const noEntry = thrown(() => mergeConfig({ options: {}, sources: {} }, { name: 'X' }));
    expect(noEntry.exitCode).toBe(2);
    expect(noEntry.toLine()).toBe('svcpack: no entry file given — pass it (svcpack build <entry>), or set "entry" in svcpack.config.json');
    expect(thrown(() => mergeConfig({ options: { entry: 'a.ts' }, sources: {} }, {})).toLine()).toBe(
      'svcpack: no service name given — pass --name <name>, or set "name" in svcpack.config.json',
    );
  });

  it("relative paths in a config resolve against its folder; on the command line against the current folder", async () => {
    write('conf/svcpack.config.json', {
      entry: '../src/app.ts',
      name: 'X',
      icon: 'app.ico',
      outDir: 'out',
      nodeBinary: 'bin/node.exe',
      pfx: 'cert.pfx',
      cert: '/abs/cert.pem',
      key: 'key.pem',
      passwordFile: '../secret.txt',
      logDir: 'D:\\logs',
      signCommand: 'sign {file}',
    });
    write('conf/app.ico', Buffer.from([0, 0, 1, 0, 1, 0, 16, 16]).toString('latin1'));
    const config = await load({ configFile: 'conf/svcpack.config.json' });
    const conf = path.join(dir, 'conf');
    expect(config.options).toMatchObject({
      entry: path.join(dir, 'src', 'app.ts'),
      icon: path.join(conf, 'app.ico'),
      outDir: path.join(conf, 'out'),
      nodeBinary: path.join(conf, 'bin', 'node.exe'),
      pfx: path.join(conf, 'cert.pfx'),
      cert: path.resolve('/abs/cert.pem'),
      key: path.join(conf, 'key.pem'),
      passwordFile: path.join(dir, 'secret.txt'),
      logDir: 'D:\\logs', // a Windows path on the service's machine: as written
      signCommand: 'sign {file}',
    });
    expect((await resolved({}, { configFile: 'conf/svcpack.config.json' })).outDir).toBe(path.join(conf, 'out'));
    expect((await resolved({ outDir: 'cli-out' }, { configFile: 'conf/svcpack.config.json' })).outDir).toBe(path.join(dir, 'cli-out'));
  });
});
