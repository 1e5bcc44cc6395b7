import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { BundleSession } from '../../src/bundle/bundle-session';
import { bundleApp, type BundleInput } from '../../src/bundle/bundle';
import { tempProjects } from '../support/temp-project';
import { testExeConfig } from '../support/exe-config';

const project = tempProjects('svcpack-bundle-session-');
const sessions: BundleSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.dispose()));
});
const newSession = (): BundleSession => {
  const s = new BundleSession();
  sessions.push(s);
  return s;
};

/**
 * A plugin with per-build state, as svcpack's are: it serves `virtual:n` with the build's own
 * number and records what it loaded. `filter` changes what it registers.
 */
function statefulPlugin(n: number, filter = /^virtual:n$/) {
  const state = { loaded: [] as string[], started: 0 };
  const plugin: esbuild.Plugin = {
    name: 'stateful',
    setup(build) {
      build.onStart(() => void (state.started += 1));
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'virtual' }));
      build.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => {
        state.loaded.push(args.path);
        return { contents: `export default ${n};`, loader: 'js' };
      });
      // A file of the project through build.resolve (the locations plugin resolves this way).
      build.onResolve({ filter: /^resolved:/ }, async (args) => build.resolve(`./${args.path.slice('resolved:'.length)}`, { resolveDir: args.resolveDir, kind: args.kind }));
    },
  };
  return { plugin, state };
}

const optionsFor = (dir: string, plugins: esbuild.Plugin[], define: Record<string, string> = {}): esbuild.BuildOptions & { write: false; metafile: true } => ({
  entryPoints: [path.join(dir, 'app.js')],
  bundle: true,
  write: false,
  metafile: true,
  format: 'esm',
  platform: 'node',
  logLevel: 'silent',
  define,
  plugins,
});

describe('BundleSession', () => {
  it('a rebuild gives what a fresh build gives, runs the new build’s plugins and leaves the last build’s state alone', async () => {
    const dir = project({ 'app.js': "import n from 'virtual:n';\nimport m from 'resolved:m.js';\nconsole.log(n, m, 'one');\n", 'm.js': 'export default 7;\n' });
    const session = newSession();
    const first = statefulPlugin(1);
    const a = await session.build(optionsFor(dir, [first.plugin]));
    expect(a.outputFiles[0]!.text).toBe((await esbuild.build(optionsFor(dir, [statefulPlugin(1).plugin]))).outputFiles[0]!.text);
    expect(first.state).toEqual({ loaded: ['virtual:n'], started: 1 });

    fs.writeFileSync(path.join(dir, 'app.js'), "import n from 'virtual:n';\nimport m from 'resolved:m.js';\nconsole.log(n, m, 'two');\n");
    const second = statefulPlugin(2);
    const b = await session.build(optionsFor(dir, [second.plugin]));
    expect(b.outputFiles[0]!.text).toBe((await esbuild.build(optionsFor(dir, [statefulPlugin(2).plugin]))).outputFiles[0]!.text);
    expect(b.outputFiles[0]!.text).toMatch(/var virtual_n_default = 2;/);
    expect(b.outputFiles[0]!.text).toContain('"two"');
    expect(second.state).toEqual({ loaded: ['virtual:n'], started: 1 });
    expect(first.state).toEqual({ loaded: ['virtual:n'], started: 1 });
    expect(Object.keys(b.metafile.inputs).sort()).toEqual(Object.keys(a.metafile.inputs).sort());
  });

  it('other options (a define) or plugins that register other filters get a context of their own', async () => {
    const dir = project({ 'app.js': "import n from 'virtual:n';\nconsole.log(n, FLAG);\n" });
    const session = newSession();
    expect((await session.build(optionsFor(dir, [statefulPlugin(1).plugin], { FLAG: '"a"' }))).outputFiles[0]!.text).toContain('"a"');
    expect((await session.build(optionsFor(dir, [statefulPlugin(1).plugin], { FLAG: '"b"' }))).outputFiles[0]!.text).toContain('"b"');
    const other = statefulPlugin(3, /^virtual:(n|x)$/);
    expect((await session.build(optionsFor(dir, [other.plugin], { FLAG: '"b"' }))).outputFiles[0]!.text).toMatch(/var virtual_n_default = 3;/);
    expect(other.state.loaded).toEqual(['virtual:n']);
  });

  it('a build error is the build’s rejection, and the next build after the fix succeeds', async () => {
    const dir = project({ 'app.js': "import n from 'virtual:n';\nconsole.log(n);\n" });
    const session = newSession();
    await session.build(optionsFor(dir, [statefulPlugin(1).plugin]));
    fs.writeFileSync(path.join(dir, 'app.js'), 'console.log((;\n');
    await expect(session.build(optionsFor(dir, [statefulPlugin(2).plugin]))).rejects.toMatchObject({ errors: [expect.objectContaining({ text: expect.any(String) })] });
    fs.writeFileSync(path.join(dir, 'app.js'), "import n from 'virtual:n';\nconsole.log(n, 'fixed');\n");
    expect((await session.build(optionsFor(dir, [statefulPlugin(3).plugin]))).outputFiles[0]!.text).toContain('"fixed"');
  });

  it('a build after dispose still succeeds', async () => {
    const dir = project({ 'app.js': "import n from 'virtual:n';\nconsole.log(n);\n" });
    const session = newSession();
    await session.build(optionsFor(dir, [statefulPlugin(1).plugin]));
    await session.dispose();
    expect((await session.build(optionsFor(dir, [statefulPlugin(4).plugin]))).outputFiles[0]!.text).toMatch(/var virtual_n_default = 4;/);
  });
});

describe('bundleApp with a session', () => {
  const exeConfig = testExeConfig('SessionSvc', 'Session Service');

  it('makes the same bundle as without one, before and after an edit, with each build’s files read at run time', async () => {
    const dir = project({
      'package.json': '{"name":"s","version":"1.0.0"}',
      'src/app.ts': "import fs from 'node:fs';\nconsole.log(fs.readFileSync(__dirname + '/one.txt', 'utf8'));\n",
      'src/one.txt': 'one',
      'src/two.txt': 'two',
    });
    const input: BundleInput = { entry: path.join(dir, 'src/app.ts'), projectDir: dir, nodeMajor: 22, exeConfig, packer: 'direct' };
    const session = newSession();
    const a = await bundleApp(input, session);
    expect(a.code).toBe((await bundleApp(input)).code);
    expect(a.embedded?.manifest.files).toHaveProperty(['src/one.txt']);

    fs.writeFileSync(path.join(dir, 'src/app.ts'), "import fs from 'node:fs';\nconsole.log(fs.readFileSync(__dirname + '/two.txt', 'utf8'));\n");
    const b = await bundleApp(input, session);
    expect(b.code).toBe((await bundleApp(input)).code);
    expect(b.code).toContain('two.txt');
    expect(b.embedded?.manifest.files).toHaveProperty(['src/two.txt']);
    expect(b.embedded?.manifest.files).not.toHaveProperty(['src/one.txt']);
    expect(a.embedded?.manifest.files).not.toHaveProperty(['src/two.txt']);
  });
});
