/**
 * `svcpack init [--entry <file>] [--name <name>] [--force] [--json]` (commander): sets up an
 * existing npm project (a package.json in the current folder) for svcpack. It writes
 * `svcpack.config.ts` — `defineConfig` from 'svcpack' with the entry, service name, display name
 * and description — adds `"build:service": "svcpack build"` to package.json's scripts, and prints
 * the next two commands (build, then install on Windows), or with `--json` the InitResult.
 *
 * Nothing is written unless everything can be: an existing svcpack config (any config file name,
 * or package.json's "svcpack" key) or a different `build:service` script stops init with one line
 * (exit 2) unless `--force`. Both files are written atomically, package.json by inserting the
 * script into its text (its formatting stays as it was); if package.json cannot be written, the
 * config file is put back as it was. With `--force`, other svcpack config files in the folder
 * are removed after the new one is written (two config files are an error for `svcpack build`).
 * Errors propagate to main() in src/cli.ts (one line, exit 2 or 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { CONFIG_FILE_NAMES } from '../config/config-load';
import { jsonSyntaxError } from '../config/json-syntax';
import { serviceNameProblem } from '../config/validate';
import { atomicWrite } from '../atomic-write';
import { failure, usageError } from '../errors';
import { setScript, type ScriptChange } from './package-json-script';

/** The config file init writes. */
export const INIT_CONFIG_FILE = 'svcpack.config.ts';

/** The package.json script init adds, and what it runs. */
export const BUILD_SCRIPT = { name: 'build:service', command: 'svcpack build' } as const;

/** Extensions svcpack build takes as an entry. */
const ENTRY_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** Where apps usually start, looked for in this order when package.json's main and bin name no file. */
export const ENTRY_CANDIDATES = ['src/index', 'src/main', 'src/app', 'src/server', 'index', 'main', 'app', 'server'].flatMap((base) =>
  ['.ts', '.mts', '.js', '.mjs', '.cjs'].map((ext) => `${base}${ext}`),
);

export interface InitOptions {
  /** The project folder: it must hold package.json. Default process.cwd(). */
  cwd?: string;
  /** The app's entry file, relative to `cwd`; default: found (see findEntry). */
  entry?: string;
  /** The service name; default: derived from package.json's name. */
  name?: string;
  /** Replace an existing svcpack config and a different build:service script. */
  force?: boolean;
}

export interface InitResult {
  /** The config file written (absolute). */
  configFile: string;
  /** Other svcpack config files `--force` removed, and the one it overwrote (names). */
  replaced: string[];
  /** The entry as written in the config (relative to the project folder, with /). */
  entry: string;
  /** Where the entry came from: `--entry`, `package.json main`, `package.json bin`, or `found`. */
  entryFrom: '--entry' | 'package.json main' | 'package.json bin' | 'found';
  name: string;
  displayName: string;
  description?: string;
  /** What happened to package.json's build:service script. */
  script: ScriptChange;
  /** Notes for the user (printed as warnings on stderr). */
  warnings: string[];
  /** The commands to run next: build, then install on Windows. */
  next: string[];
}

interface ProjectPackage {
  text: string;
  data: Record<string, unknown>;
}

function readProjectPackage(dir: string): ProjectPackage {
  const file = path.join(dir, 'package.json');
  if (!fs.existsSync(file)) {
    throw usageError('PACKAGE_JSON_NOT_FOUND', `there is no package.json in ${dir}`, 'run svcpack init in your project\'s folder (or "npm init" first)');
  }
  const text = fs.readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const problem = jsonSyntaxError(text);
    const where = problem ? `package.json:${problem.line}:${problem.column}` : 'package.json';
    throw usageError('PACKAGE_JSON_NOT_FOUND', `${where}: ${problem?.message ?? (err as Error).message}`, 'fix the JSON, then run svcpack init again');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw usageError('PACKAGE_JSON_NOT_FOUND', 'package.json is not a JSON object', 'fix it, then run svcpack init again');
  }
  return { text, data: data as Record<string, unknown> };
}

const isFile = (file: string): boolean => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** `p` relative to `dir`, with forward slashes (as written in the config). */
const relativeTo = (dir: string, p: string): string => path.relative(dir, p).split(path.sep).join('/');

/** The file a package.json path names (`./dist/index.js`, or `index` for index.js), if it exists and can be an entry. */
function entryFile(dir: string, given: string): string | undefined {
  const full = path.resolve(dir, given);
  const tries = [full, ...ENTRY_EXTENSIONS.map((ext) => `${full}${ext}`), ...ENTRY_EXTENSIONS.map((ext) => path.join(full, `index${ext}`))];
  return tries.find((f) => ENTRY_EXTENSIONS.includes(path.extname(f).toLowerCase()) && isFile(f));
}

/**
 * The app's entry: `given` (must exist), else package.json's `main`, else its `bin` (a string,
 * or the first of its commands), else the first of ENTRY_CANDIDATES that exists. Throws a usage
 * error when there is none.
 */
export function findEntry(dir: string, data: Record<string, unknown>, given?: string): { file: string; from: InitResult['entryFrom'] } {
  if (given !== undefined) {
    const full = path.resolve(dir, given);
    if (!isFile(full)) throw usageError('ENTRY_NOT_FOUND', `entry file ${given} does not exist`, "pass --entry with the path of your app's main .ts or .js file");
    if (!ENTRY_EXTENSIONS.includes(path.extname(full).toLowerCase())) {
      throw usageError('ENTRY_NOT_FOUND', `entry file ${given} is not .ts, .mts, .cts, .js, .mjs or .cjs`, "pass --entry with the path of your app's main .ts or .js file");
    }
    return { file: full, from: '--entry' };
  }
  if (typeof data.main === 'string') {
    const file = entryFile(dir, data.main);
    if (file) return { file, from: 'package.json main' };
  }
  const bin = typeof data.bin === 'string' ? data.bin : typeof data.bin === 'object' && data.bin !== null ? Object.values(data.bin)[0] : undefined;
  if (typeof bin === 'string') {
    const file = entryFile(dir, bin);
    if (file) return { file, from: 'package.json bin' };
  }
  const found = ENTRY_CANDIDATES.find((c) => isFile(path.join(dir, c)));
  if (found) return { file: path.join(dir, found), from: 'found' };
  throw usageError(
    'ENTRY_NOT_FOUND',
    'found no entry file: package.json names no main or bin file that exists, and there is no src/index.ts, src/main.ts, index.ts, app.ts or the like',
    "pass --entry with the path of your app's main .ts or .js file",
  );
}

/** The words of a package name: `@acme/order-sync` → ["order", "sync"]. */
const nameWords = (name: string): string[] => name.replace(/^@[^/]*\//, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
const capitalized = (word: string): string => word[0]!.toUpperCase() + word.slice(1);

/**
 * A service name and display name from a package name: `@acme/order-sync` → OrderSync and
 * "Order Sync". Undefined when the name has no letters or digits.
 */
export function serviceNamesFrom(packageName: string): { name: string; displayName: string } | undefined {
  const words = nameWords(packageName).map(capitalized);
  return words.length === 0 ? undefined : { name: words.join(''), displayName: words.join(' ') };
}

/** A TypeScript string literal ('…') of `s`. */
const tsString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;

/** The text of svcpack.config.ts. */
export function configText(c: { entry: string; name: string; displayName: string; description?: string }): string {
  return [
    "// svcpack's build options for this app; `npm run build:service` (svcpack build) reads them.",
    '// Any `svcpack build` flag can be set here in camelCase (--start-type → startType); flags given',
    '// on the command line win. All options: `npx svcpack build --help` or svcpack\'s docs/options.md;',
    '// JSON schema: node_modules/svcpack/svcpack.schema.json.',
    "import { defineConfig } from 'svcpack';",
    '',
    'export default defineConfig({',
    `  entry: ${tsString(c.entry)},`,
    `  name: ${tsString(c.name)},`,
    `  displayName: ${tsString(c.displayName)},`,
    ...(c.description === undefined ? [] : [`  description: ${tsString(c.description)},`]),
    '});',
    '',
  ].join('\n');
}

/** Sets up the project in `opts.cwd` (see the file comment). */
export async function init(opts: InitOptions = {}): Promise<InitResult> {
  const dir = path.resolve(opts.cwd ?? process.cwd());
  const pkg = readProjectPackage(dir);
  const warnings: string[] = [];

  // Conflicts first: nothing is written when init would replace something without --force.
  const existing = CONFIG_FILE_NAMES.filter((n) => isFile(path.join(dir, n)));
  if (existing.length > 0 && !opts.force) {
    throw usageError('INIT_WOULD_OVERWRITE', `${existing.join(', ')} already exists`, 'edit it, or rerun svcpack init with --force to replace it');
  }
  if (pkg.data.svcpack !== undefined) {
    if (!opts.force) {
      throw usageError('INIT_WOULD_OVERWRITE', 'package.json already has svcpack build options (its "svcpack" key)', `keep using them, or rerun svcpack init with --force to add ${INIT_CONFIG_FILE} (its keys win)`);
    }
    warnings.push(`package.json's "svcpack" key stays; ${INIT_CONFIG_FILE}'s keys win over it`);
  }
  const scripts = pkg.data.scripts;
  if (scripts !== undefined && (typeof scripts !== 'object' || scripts === null || Array.isArray(scripts))) {
    throw usageError('INIT_WOULD_OVERWRITE', 'package.json "scripts" is not an object', 'fix package.json, then run svcpack init again');
  }
  const current = (scripts as Record<string, unknown> | undefined)?.[BUILD_SCRIPT.name];
  if (current !== undefined && current !== BUILD_SCRIPT.command && !opts.force) {
    throw usageError(
      'INIT_WOULD_OVERWRITE',
      `package.json already has a "${BUILD_SCRIPT.name}" script (${JSON.stringify(current)})`,
      `rename it, or rerun svcpack init with --force to replace it with "${BUILD_SCRIPT.command}"`,
    );
  }

  const entry = findEntry(dir, pkg.data, opts.entry);
  const packageName = typeof pkg.data.name === 'string' ? pkg.data.name : '';
  const derived = serviceNamesFrom(packageName) ?? serviceNamesFrom(path.basename(dir));
  const name = opts.name ?? derived?.name;
  if (name === undefined) {
    throw usageError('INVALID_NAME', `cannot make a service name of package.json's name ${JSON.stringify(packageName)} or the folder's`, 'pass --name <name>');
  }
  const nameProblem = serviceNameProblem(name);
  if (nameProblem) throw usageError('INVALID_NAME', nameProblem, `use --name with 1-256 characters and no / \\ < > : " | ? *`);
  const displayName = typeof pkg.data.productName === 'string' && pkg.data.productName.trim() ? pkg.data.productName.trim() : (derived?.displayName ?? name);
  const description = typeof pkg.data.description === 'string' && pkg.data.description.trim() ? pkg.data.description.trim() : undefined;

  const deps = { ...(pkg.data.dependencies as object | undefined), ...(pkg.data.devDependencies as object | undefined) };
  if (!Object.hasOwn(deps, 'svcpack')) {
    warnings.push('svcpack is not in package.json\'s dependencies, so "npm run build:service" will not find it — run "npm install --save-dev svcpack" first');
  }

  const config = { entry: relativeTo(dir, entry.file), name, displayName, ...(description === undefined ? {} : { description }) };
  const edited = setScript(pkg.text, BUILD_SCRIPT.name, BUILD_SCRIPT.command);

  const configFile = path.join(dir, INIT_CONFIG_FILE);
  const pkgFile = path.join(dir, 'package.json');
  const previous = isFile(configFile) ? fs.readFileSync(configFile) : undefined;
  try {
    await atomicWrite(configFile, configText(config));
  } catch (err) {
    throw failure('OUTPUT_FAILED', `could not write ${INIT_CONFIG_FILE}: ${(err as Error).message}`, 'check the folder is writable', err);
  }
  if (edited.change !== 'unchanged') {
    try {
      await atomicWrite(pkgFile, edited.text, fs.statSync(pkgFile).mode & 0o777);
    } catch (err) {
      if (previous === undefined) fs.rmSync(configFile, { force: true });
      else await atomicWrite(configFile, previous);
      throw failure('OUTPUT_FAILED', `could not write package.json: ${(err as Error).message}`, 'check it is writable; nothing was changed', err);
    }
  }
  for (const other of existing) if (other !== INIT_CONFIG_FILE) fs.rmSync(path.join(dir, other), { force: true });

  const outDir = typeof (pkg.data.svcpack as { outDir?: unknown } | undefined)?.outDir === 'string' ? (pkg.data.svcpack as { outDir: string }).outDir : 'dist';
  return {
    configFile,
    replaced: existing,
    entry: config.entry,
    entryFrom: entry.from,
    name,
    displayName,
    ...(description === undefined ? {} : { description }),
    script: edited.change,
    warnings,
    next: [`npm run ${BUILD_SCRIPT.name}`, `${path.win32.join(outDir.split('/').join('\\'), `${name}.exe`)} install`],
  };
}

/** What `svcpack init` prints on stdout (pure). */
export function formatInit(r: InitResult): string {
  const from = r.entryFrom === 'found' ? '' : ` (${r.entryFrom})`;
  const script = { added: 'Added', replaced: 'Replaced', unchanged: 'Kept' }[r.script];
  const file = path.basename(r.configFile);
  const others = r.replaced.filter((n) => n !== file);
  const wrote = others.length > 0 ? `Replaced ${others.join(', ')} with ${file}` : `${r.replaced.length > 0 ? 'Overwrote' : 'Wrote'} ${file}`;
  return [
    `${wrote}: service ${r.name}, entry ${r.entry}${from}`,
    `${script} "${BUILD_SCRIPT.name}": "${BUILD_SCRIPT.command}" in package.json's scripts`,
    '',
    'Next:',
    `  ${r.next[0]}`,
    `  ${r.next[1]}    (on Windows, in a command prompt run as administrator)`,
    '',
  ].join('\n');
}

/** `svcpack init`; `context.cwd` is the project folder (default process.cwd()). */
export function initCommand(context: { cwd?: string } = {}): Command {
  return new Command('init')
    .description(`set up this npm project for svcpack: write ${INIT_CONFIG_FILE} and add the "${BUILD_SCRIPT.name}" script to package.json`)
    .option('--entry <file>', "the app's entry file (default: package.json main or bin, else src/index.ts, src/main.ts, index.ts, app.ts… whichever exists)")
    .option('--name <name>', "service name (default: package.json's name in PascalCase: @acme/order-sync → OrderSync)")
    .option('--force', `replace an existing svcpack config and a different "${BUILD_SCRIPT.name}" script`)
    .option('--json', 'print the result (files, entry, names, next commands) as JSON on stdout')
    .option('--verbose', 'show stack traces on errors')
    .action(async (o: Record<string, unknown>) => {
      const result = await init({
        ...(context.cwd === undefined ? {} : { cwd: context.cwd }),
        ...(o.entry === undefined ? {} : { entry: o.entry as string }),
        ...(o.name === undefined ? {} : { name: o.name as string }),
        force: o.force === true,
      });
      for (const w of result.warnings) process.stderr.write(`svcpack: warning: ${w}\n`);
      process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatInit(result));
    });
}
