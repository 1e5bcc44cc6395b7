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
import { Command, CommanderError } from 'commander';
import { build, type BuildEvent } from './build';
import { initCommand } from './commands/init';
import { inspectCommand } from './commands/inspect';
import { signCommand } from './commands/sign';
import { flagOptions, optionsFromFlags } from './config/build-flags';
import { CONFIG_KEYS, configKey } from './config/config-keys';
import { loadConfig } from './config/config-load';
import { mergeConfig } from './config/merge';
import { SvcpackError } from './errors';
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
    .option('--config <file>', 'read options from this file instead of ./svcpack.config.{ts,mts,cts,js,mjs,cjs,json}');
  for (const spec of CONFIG_KEYS) if (spec.key !== 'entry') for (const option of flagOptions(spec)) buildCommand.addOption(option);
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
      const options = mergeConfig(config, { ...optionsFromFlags(o, CONFIG_KEYS), entry, cwd: context.cwd });
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
    process.stderr.write(`svcpack: unexpected error: ${(err as Error).message ?? String(err)} — rerun with --verbose and report it\n`);
    if (verbose) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
