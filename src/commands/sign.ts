/**
 * `svcpack sign <exe>` (commander), and the signing flags it shares with `svcpack build`: one
 * flag per SignOptions key (`signFlag(key)`, whose commander attribute name is the key itself).
 * Prints warnings on stderr as they happen, then a short summary (or `--json`: the SignResult) on
 * stdout. Errors propagate to main() in src/cli.ts, which prints the one-line message and exits
 * 2 (usage) or 1 (signing failed).
 */
import { Command } from 'commander';
import { configKey } from '../config/config-keys';
import { flagOptions } from '../config/build-flags';
import { pickSignOptions, SIGN_KEYS, type SignOptions } from '../config/sign-options';
import { sign } from '../sign/sign-file';
import { formatSignSummary } from '../sign/summary';

/** Adds the signing flags to `command` (`svcpack sign`; `svcpack build` has them from the same table). */
export function addSignOptions(command: Command): Command {
  for (const key of SIGN_KEYS) for (const option of flagOptions(configKey(key))) command.addOption(option);
  return command;
}

/** The signing flags given on the command line (commander's parsed options) as SignOptions; validation is validateSignOptions'. */
export const signOptionsFromFlags = (o: Record<string, unknown>): SignOptions => pickSignOptions(o);

/** `svcpack sign <exe>`; `context.cwd` is the folder relative paths resolve against (default process.cwd()). */
export function signCommand(context: { cwd?: string } = {}): Command {
  const command = new Command('sign')
    .description('sign <exe> in place (Authenticode), verify the signature, and update <Name>.build.json next to it')
    .argument('<exe>', 'the exe svcpack build wrote (unsigned)');
  addSignOptions(command);
  return command
    .option('--json', 'print the result (file, bytes, sha256, signature, buildRecord) as JSON on stdout')
    .option('--verbose', "show the signing tool's output and stack traces on errors")
    .action(async (exe: string, o: Record<string, unknown>) => {
      const result = await sign(exe, signOptionsFromFlags(o), {
        ...(context.cwd === undefined ? {} : { cwd: context.cwd }),
        onWarning: (message) => process.stderr.write(`svcpack: warning: ${message}\n`),
      });
      process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatSignSummary(result, context.cwd));
    });
}
