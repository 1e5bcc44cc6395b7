/**
 * `svcpack sign <exe>` (commander), and the signing flags it shares with `svcpack build`: one
 * flag per SignOptions key (`signFlag(key)`, whose commander attribute name is the key itself).
 * Prints warnings on stderr as they happen, then a short summary (or `--json`: the SignResult) on
 * stdout. Errors propagate to main() in src/cli.ts, which prints the one-line message and exits
 * 2 (usage) or 1 (signing failed).
 */
import { Command, Option } from 'commander';
import { pickSignOptions, SIGN_KEYS, signFlag, type SignOptions } from '../sign/options';
import { sign } from '../sign/sign-file';
import { formatSignSummary } from '../sign/summary';

/** Each flag's value name (none: a boolean switch) and help text. */
const SIGN_FLAG_HELP: Record<keyof SignOptions, { value?: string; help: string }> = {
  signer: { value: 'tool', help: 'signing tool: osslsigncode or signtool (default: signtool on Windows, osslsigncode elsewhere)' },
  signCommand: { value: 'command', help: 'sign with this shell command instead; {file} becomes the quoted exe path, e.g. "azuresigntool sign … {file}"' },
  pfx: { value: 'file.pfx', help: 'PKCS#12 file with the code-signing certificate and its private key' },
  cert: { value: 'cert.pem', help: 'PEM certificate (chain), with --key' },
  key: { value: 'key.pem', help: 'PEM private key of --cert' },
  passwordEnv: { value: 'VAR', help: 'name of the environment variable holding the PFX (or encrypted key) password' },
  passwordFile: { value: 'file', help: 'file whose first line is the PFX (or encrypted key) password' },
  timestampUrl: { value: 'url', help: 'RFC 3161 timestamp server, e.g. http://timestamp.digicert.com (default: none)' },
  timestampOptional: { help: 'when the timestamp server cannot be reached, sign without a timestamp and warn' },
  signDescription: { value: 'text', help: 'description (program name) in the signature (default: the display name)' },
  signUrl: { value: 'url', help: 'URL in the signature (default: package.json homepage)' },
};

/** Adds the signing flags to `command` (build and sign). */
export function addSignOptions(command: Command): Command {
  for (const key of SIGN_KEYS) {
    const { value, help } = SIGN_FLAG_HELP[key];
    command.addOption(new Option(value === undefined ? signFlag(key) : `${signFlag(key)} <${value}>`, help));
  }
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
