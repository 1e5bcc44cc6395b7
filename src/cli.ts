/**
 * The `svcpack` command line (commander). Prints progress on stderr, the summary (or `--json`
 * record) on stdout. Errors: one line `svcpack: <what> — <how to fix>`, exit 2 for usage errors,
 * 1 when the build failed; a stack trace only with --verbose or SVCPACK_DEBUG=1.
 *
 * `svcpack build` reads the config (svcpack.config.* in the current folder or `--config`, and
 * package.json "svcpack") and merges the flags given over it. Its options are the config keys
 * (config/build-flags.ts makes them from the key table); so that a flag not given never hides
 * the config's value, none has a commander default: the defaults are applied by
 * resolveBuildOptions and only shown in the help.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { build, type BuildEvent } from './build';
import { initCommand } from './commands/init';
import { inspectCommand } from './commands/inspect';
import { signCommand } from './commands/sign';
import { flagOptions, optionsFromFlags } from './config/build-flags';
import { CONFIG_KEYS, configKey } from './config/config-keys';
import { loadConfig } from './config/config-load';
import { mergeConfig } from './config/merge';
import { errorLine, SvcpackError, usageError } from './errors';
import { COMMAND_LINE_FLAGS } from './config/command-line-flags';
import type { BuildOptions } from './config/options';
import { watchBuild, type RebuildReport, type Watcher } from './watch/watch-build';
import { rebuildJson, rebuildLine } from './watch/watch-line';
import { svcpackVersion } from './package-root';
import { formatSummary, ProgressPrinter } from './summary';

export interface ProgramContext {
  /** The folder relative paths and the config are looked up from; default process.cwd(). */
  cwd?: string;
}

export function createProgram(context: ProgramContext = {}): Command {
  const program = new Command('svcpack')
    .description('Ship a Node/TypeScript program as one standalone Windows service executable')
    .version(svcpackVersion, '-V, --version-info', 'print the svcpack version')
    .showSuggestionAfterError()
    .exitOverride()
    // main() prints commander's errors itself, as one svcpack line.
    .configureOutput({ writeErr: () => {} });

  // Every build option is a config key: flags, help and defaults come from the key table.
  const buildCommand = program
    .command('build')
    .description('bundle <entry> into <name>.exe plus install/uninstall scripts (with --target linux-x64: a Linux executable, its systemd unit and install scripts)')
    .argument('[entry]', configKey('entry').help)
    .option('--config <file>', COMMAND_LINE_FLAGS.find((f) => f.flag.startsWith('--config'))!.help);
  for (const spec of CONFIG_KEYS) if (spec.key !== 'entry') for (const option of flagOptions(spec)) buildCommand.addOption(option);
  for (const f of COMMAND_LINE_FLAGS) if (!f.flag.startsWith('--config')) buildCommand.option(f.flag, f.help);
  buildCommand
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
      if (o.restart && !o.watch) throw usageError('USAGE', '--restart needs --watch', 'add --watch: svcpack build … --watch --restart');
      const config = await loadConfig({ cwd: context.cwd, configFile: o.config as string | undefined });
      const options = mergeConfig(config, { ...optionsFromFlags(o, CONFIG_KEYS), entry, cwd: context.cwd });
      if (o.watch) {
        const reload = async () => mergeConfig(await loadConfig({ cwd: context.cwd, configFile: o.config as string | undefined }), { ...optionsFromFlags(o, CONFIG_KEYS), entry, cwd: context.cwd });
        await watchCommand(options, { json: Boolean(o.json), restart: Boolean(o.restart), reload, configFile: config.file });
        return;
      }
      const progress = new ProgressPrinter(process.stderr);
      const result = await build(options, { onEvent: (e: BuildEvent) => progress.on(e) });
      progress.end();
      process.stdout.write(o.json ? `${JSON.stringify(result.record, null, 2)}\n` : formatSummary(result.record, result.files, result.timings));
    });
  program.addCommand(signCommand(context).copyInheritedSettings(program));
  program.addCommand(inspectCommand(context).copyInheritedSettings(program));
  program.addCommand(initCommand(context).copyInheritedSettings(program));
  return program;
}

/**
 * `svcpack build --watch`: builds, then rebuilds on every change (watch/watch-build.ts), one line
 * (or JSON object) per build on stdout, warnings once each on stderr, until SIGINT or SIGTERM:
 * then it waits for the build under way and returns (exit 0). A usage error at the start throws
 * (exit 2).
 */
async function watchCommand(options: BuildOptions, o: { json: boolean; restart: boolean; reload: () => Promise<BuildOptions>; configFile?: string }): Promise<void> {
  let signalled!: () => void;
  const stopping = new Promise<void>((resolve) => (signalled = resolve));
  const onSignal = () => signalled();
  // Before the first build: a Ctrl-C during it ends watch mode after it, never in the middle of it.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const progress = new ProgressPrinter(process.stderr);
    const warned = new Set<string>();
    let watcher: Watcher | undefined;
    const name = options.name;
    const installHint = path.join(path.relative(process.cwd(), path.resolve(options.cwd ?? process.cwd(), options.outDir ?? 'dist')) || '.', 'install.cmd');
    const pending: RebuildReport[] = [];
    const print = (r: RebuildReport) => process.stdout.write(o.json ? rebuildJson(r) : rebuildLine(r, name, { installHint, ...(r.first ? { watching: watcher?.watching().length } : {}) }));
    watcher = await watchBuild(options, {
      reload: o.reload,
      files: o.configFile ? [o.configFile] : [],
      restart: o.restart,
      onEvent: (e: BuildEvent) => {
        // Every rebuild repeats the same warnings: each is printed once per session.
        if (e.type === 'warning' && warned.has(e.message)) return;
        if (e.type === 'warning') warned.add(e.message);
        progress.on(e);
      },
      onRebuild: (r) => {
        progress.end();
        // The first build's line waits until watching has begun (it says how much is watched).
        if (r.first) pending.push(r);
        else print(r);
      },
    });
    for (const r of pending.splice(0)) print(r);
    await stopping;
    await watcher.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

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
      const command = ['sign', 'inspect', 'init'].find((c) => c === argv.find((a) => !a.startsWith('-'))) ?? 'build';
      process.stderr.write(`svcpack: ${text} — run "svcpack ${command} --help" for the options\n`);
      return 2;
    }
    if (err instanceof SvcpackError) {
      process.stderr.write(`${err.toLine()}\n`);
      if (verbose && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`${errorLine(err)}\n`);
    if (verbose) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
