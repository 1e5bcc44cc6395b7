/**
 * `--sign-command`: the user's own signer (cloud key vaults, HSMs, signing services), e.g.
 * `azuresigntool sign -kvu … -tr http://timestamp.digicert.com -td sha256 {file}`. Every `{file}`
 * (also a quoted `"{file}"` or `'{file}'`) becomes the shell-quoted path of a copy of the exe,
 * which the command must sign in place; the result runs through the shell (/bin/sh -c, or
 * cmd.exe on Windows) with svcpack's environment, so it may use `$VAR`/`%VAR%` for its secrets.
 * Pure: signExe runs the command.
 */
import { failure, usageError, type SvcpackError } from '../errors';
import { signFlag } from '../config/sign-options';
import type { ToolRun } from './run-tool';
import { limitText } from './tool-failures';

/**
 * `file` quoted for the platform's shell. POSIX sh: single quotes (a `'` inside becomes `'\''`),
 * so nothing in it is expanded. cmd.exe: double quotes; a path containing `"` (impossible on
 * Windows) or `%` (cmd would expand it even inside quotes) is refused with a usage error.
 */
export function quoteForShell(file: string, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    if (/["%]/.test(file)) {
      throw usageError('SIGN_BAD_INPUT', `cannot pass ${file} to ${signFlag('signCommand')}: cmd.exe would change a path containing " or %`, 'move the exe to a folder whose path has neither');
    }
    return `"${file}"`;
  }
  return `'${file.replace(/'/g, `'\\''`)}'`;
}

/** The command line to run: `template` with every `{file}` replaced by the quoted `file`. */
export function renderSignCommand(template: string, file: string, platform: NodeJS.Platform): string {
  const quoted = quoteForShell(file, platform);
  return template.replace(/"\{file\}"|'\{file\}'|\{file\}/g, () => quoted);
}

/** What a failed sign command (non-zero exit) means, as the error signExe throws (exit 1). */
export function commandFailure(run: ToolRun, template: string, platform: NodeJS.Platform): SvcpackError {
  const cause = new Error(`sign command output:\n${run.output}`);
  const program = template.trim().split(/\s+/)[0] ?? '';
  if (run.timedOut) return failure('SIGN_FAILED', `the sign command did not finish within ${limitText(run)}`, 'run it by hand to see where it hangs', cause);
  const notFound = platform === 'win32' ? run.code === 9009 || /is not recognized as an internal or external command/.test(run.output) : run.code === 127;
  if (notFound) {
    return failure('SIGNER_NOT_FOUND', `the sign command's program ${program} was not found`, `install it or put its folder on PATH (check ${signFlag('signCommand')})`, cause);
  }
  const lines = run.output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  return failure('SIGN_FAILED', `the sign command failed (exit code ${run.code ?? 'none'})${last ? `: ${last}` : ''}`, `run it by hand to see why (check ${signFlag('signCommand')}); --verbose shows its full output`, cause);
}
