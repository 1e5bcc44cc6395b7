/**
 * The `svcpack` command line (commander). Prints progress on stderr, the summary (or `--json`
 * record) on stdout. Errors: one line `svcpack: <what> — <how to fix>`, exit 2 for usage errors,
 * 1 when the build failed; a stack trace only with --verbose or SVCPACK_DEBUG=1.
 *
 * `svcpack build` reads the config (svcpack.config.* in the current folder or `--config`, and
 * package.json "svcpack") and merges the flags given over it. So that a flag not given never
 * hides the config's value, no build option has a commander default: the defaults are applied
 * by resolveBuildOptions and only shown in the help.
 */
import { Command, CommanderError, Option } from 'commander';
import { SETTING_FLAGS, settingsInputFromFlags } from '../runtime-shim/settings/flags';
import { RUNTIME_SETTINGS, runtimeDefaultValues } from '../runtime-shim/settings/runtime-settings';
import { settingsToFlagPairs } from '../runtime-shim/settings/resolve';
import { defaultSettings } from '../runtime-shim/settings/service-settings';
import { build, type BuildEvent } from './build';
import { inspectCommand } from './commands/inspect';
import { addSignOptions, signCommand, signOptionsFromFlags } from './commands/sign';
import { loadConfig } from './config/config-load';
import { mergeConfig } from './config/merge';
import { SvcpackError } from './errors';
import { svcpackVersion } from './package-root';
import { formatSummary, ProgressPrinter } from './summary';
import { DEFAULT_NODE_VERSION } from './runtime/node-lines';

/** svcpack's default value of each service-setting and runtime-setting flag, for --help (none where the default is empty or the help says it). */
const FLAG_DEFAULTS = new Map([
  ...settingsToFlagPairs(defaultSettings('<name>')),
  ...RUNTIME_SETTINGS.flatMap(({ key, flag }): Array<[string, string]> => {
    const value = runtimeDefaultValues()[key];
    return value === null ? [] : [[flag, value]];
  }),
]);

/**
 * A commander option for a service-setting, logging or supervision flag (its attribute name is
 * the setting's key: `--log-dir` → logDir), with its default in the help; repeatable ones collect
 * their values in an array.
 */
function flagOption(f: { flag: string; valueName: string; help: string; repeatable?: boolean }): Option {
  const fallback = FLAG_DEFAULTS.get(f.flag);
  const option = new Option(`${f.flag} <${f.valueName}>`, fallback === undefined ? f.help : `${f.help} (default: ${fallback})`);
  return f.repeatable ? option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]) : option;
}

/** The flags of `table` given on the command line, as strings under their keys; validation is the settings resolvers'. */
function givenStrings<K extends string>(o: Record<string, unknown>, table: readonly { key: K }[]): Partial<Record<K, string>> {
  const input: Partial<Record<K, string>> = {};
  for (const { key } of table) if (o[key] !== undefined) input[key] = String(o[key]);
  return input;
}

export interface ProgramContext {
  /** The folder relative paths and the config are looked up from; default process.cwd(). */
  cwd?: string;
}

export function createProgram(context: ProgramContext = {}): Command {
  // The setting flags `build` adds; --display-name and --description are declared with the version resources.
  const settingOptions = SETTING_FLAGS.filter((f) => f.key !== 'displayName' && f.key !== 'description').map((f) => ({ flag: f.flag, option: flagOption(f) }));
  const program = new Command('svcpack')
    .description('Ship a Node/TypeScript program as one standalone Windows service executable')
    .version(svcpackVersion, '-V, --version-info', 'print the svcpack version')
    .showSuggestionAfterError()
    .exitOverride()
    // main() prints commander's errors itself, as one svcpack line.
    .configureOutput({ writeErr: () => {} });

  const buildCommand = program
    .command('build')
    .description('bundle <entry> into <name>.exe plus install/uninstall scripts')
    .argument('[entry]', "the app's entry file (.ts or .js) (default: entry in the config)")
    .option('--config <file>', 'read options from this file instead of ./svcpack.config.{ts,mts,cts,js,mjs,cjs,json}')
    .option('--name <name>', 'service name (SCM key) and exe name: 1-256 characters, none of / \\ < > : " | ? * (required here or in the config)')
    .option('--display-name <text>', 'name shown in services.msc (default: --name)')
    .option('--description <text>', 'service and file description (default: package.json description)')
    .option('--version <x.y.z[.w]>', 'file and product version (default: package.json version)')
    .option('--company <text>', 'CompanyName resource (default: package.json author)')
    .option('--product-name <text>', 'ProductName resource (default: --display-name)')
    .option('--copyright <text>', 'LegalCopyright resource')
    .option('--icon <file.ico>', 'exe icon (default: Node.js icon)')
    .option('--out-dir <dir>', 'output folder (default: dist)')
    .option('--sbom <file>', 'also write a CycloneDX 1.6 JSON SBOM of the exe to <file> (e.g. dist/MySvc.cdx.json); direct packer only')
    .option('--node <version>', `embedded Node.js version: a supported LTS line 22, 24 or 26 (newest patch), or an exact x.y.z of one (default: ${DEFAULT_NODE_VERSION})`)
    .option('--node-binary <node.exe>', 'use this win-x64 node.exe instead of fetching one')
    .addOption(new Option('--packer <packer>', 'how the exe is made (default: direct)').choices(['direct', 'pkg']))
    .option('--compress', 'Brotli-compress the payload (app bundle, koffi.node) inside the exe')
    .option('--no-compress', 'do not compress the payload (the default; overrides compress in the config)')
    .option('--native <package=path>', 'the win32-x64 .node file of a native addon svcpack cannot fetch (repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--asset <glob>', 'a file the app reads at run time that svcpack cannot find by itself, embedded in the exe (glob relative to the project folder; repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--embed-dependencies', 'embed the production dependency tree as npm installs it on win32-x64, for packages loaded by computed names (the default with the direct packer)')
    .option('--no-embed-dependencies', 'embed only what the bundle reaches: a smaller exe, but packages loaded by computed names fail')
    .option('--include <glob>', 'a file of the embedded dependency tree to embed although the filter leaves it out: node_modules/<package>/<path> or <package>/<path> (repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--exclude <glob>', 'a file of the embedded dependency tree to leave out: node_modules/<package>/<path> or <package>/<path>, e.g. "moment/locale/**" (repeat for more; wins over --include)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--packages <mode>', "how the app reaches its packages: bundle (inlined, fastest start), node (loaded by Node's require from the embedded tree, seen by APM agents' module hooks), auto (node when a production dependency hooks module loading; the default)").choices(['auto', 'bundle', 'node']))
    .option('--preload <file>', "a module run before the app's entry in every process that runs the app, like node --require (an APM agent's tracing.ts; repeat for more)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--allow-node-options', 'let the NODE_OPTIONS environment variable add Node.js options when the exe runs (default: ignored)')
    .option('--no-allow-node-options', 'ignore NODE_OPTIONS (the default; overrides allowNodeOptions in the config)');
  for (const { option } of settingOptions) buildCommand.addOption(option);
  for (const f of RUNTIME_SETTINGS) buildCommand.addOption(flagOption(f));
  addSignOptions(buildCommand);
  buildCommand
    .option('--json', 'print the build record as JSON on stdout instead of the summary')
    .option('--verbose', 'show stack traces on errors')
    .addHelpText(
      'after',
      [
        '',
        'Every option can also be set in svcpack.config.json (or .ts, .mts, .cts, .js, .mjs, .cjs, or',
        'the "svcpack" key of package.json) under its name in camelCase: --start-type → "startType",',
        'except --arg → "args" and --asset → "assets". Options given here win; a list',
        'given here (--env, --arg, --dependencies, --allow-control) replaces the config\'s.',
      ].join('\n'),
    )
    .action(async (entry: string | undefined, o: Record<string, unknown>) => {
      const config = await loadConfig({ cwd: context.cwd, configFile: o.config as string | undefined });
      const settingValues = new Map(settingOptions.map(({ flag, option }) => [flag, givenValues(o[option.attributeName()])]));
      const options = mergeConfig(config, {
        ...settingsInputFromFlags(settingValues),
        ...givenStrings(o, RUNTIME_SETTINGS),
        ...signOptionsFromFlags(o),
        entry,
        cwd: context.cwd,
        name: o.name as string | undefined,
        displayName: o.displayName as string | undefined,
        description: o.description as string | undefined,
        version: o.version as string | undefined,
        company: o.company as string | undefined,
        productName: o.productName as string | undefined,
        copyright: o.copyright as string | undefined,
        icon: o.icon as string | undefined,
        outDir: o.outDir as string | undefined,
        sbom: o.sbom as string | undefined,
        node: o.node as string | undefined,
        nodeBinary: o.nodeBinary as string | undefined,
        packer: o.packer as 'direct' | 'pkg' | undefined,
        compress: o.compress as boolean | undefined,
        embedDependencies: o.embedDependencies as boolean | undefined,
        packages: o.packages as 'auto' | 'bundle' | 'node' | undefined,
        preload: o.preload as string[] | undefined,
        allowNodeOptions: o.allowNodeOptions as boolean | undefined,
        native: o.native as string[] | undefined,
        assets: o.asset as string[] | undefined,
        include: o.include as string[] | undefined,
        exclude: o.exclude as string[] | undefined,
      });
      const progress = new ProgressPrinter(process.stderr);
      const result = await build(options, { onEvent: (e: BuildEvent) => progress.on(e) });
      progress.end();
      process.stdout.write(o.json ? `${JSON.stringify(result.record, null, 2)}\n` : formatSummary(result.record, result.files, result.timings));
    });
  program.addCommand(signCommand(context).copyInheritedSettings(program));
  program.addCommand(inspectCommand(context).copyInheritedSettings(program));
  return program;
}

/** An option's values as a list: none when not given, the collected list of a repeatable one. */
const givenValues = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [String(value)]);

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], context: ProgramContext = {}): Promise<number> {
  const program = createProgram(context);
  const verbose = argv.includes('--verbose') || process.env.SVCPACK_DEBUG === '1';
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help / --version-info, already printed
      const text = err.message.replace(/^error: /, '').split('\n')[0];
      const command = ['sign', 'inspect'].find((c) => c === argv.find((a) => !a.startsWith('-'))) ?? 'build';
      process.stderr.write(`svcpack: ${text} — run "svcpack ${command} --help" for the options\n`);
      return 2;
    }
    if (err instanceof SvcpackError) {
      process.stderr.write(`${err.toLine()}\n`);
      if (verbose && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`svcpack: unexpected error: ${(err as Error).message ?? String(err)} — rerun with --verbose and report it\n`);
    if (verbose) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
