/**
 * signtool (Windows SDK): the arguments for one signing run and what its failures mean. Pure:
 * signExe runs the tool. signtool signs its file in place, so signExe hands it a copy.
 *
 * `signtool sign /fd sha256 /f F [/p PASSWORD] [/tr URL /td sha256] [/d D] [/du U] FILE`.
 * `/p` is signtool's only way to take a PFX password: while signtool runs, the password is on
 * its command line, readable by administrators and by other processes of the same user, and
 * logged where process-creation auditing records command lines (event 4688, Sysmon). Prefer a
 * certificate in the Windows certificate store or an HSM/cloud signer through `--sign-command`.
 * svcpack never prints or records the argument list.
 */
import { failure, type SvcpackError } from '../errors';
import { signFlag } from '../config/sign-options';
import { redact } from './password';
import type { ToolRun } from './run-tool';
import { badPassword, toolTimedOut } from './tool-failures';
import type { ToolSignPlan } from './validate';

export interface SigntoolJob {
  plan: ToolSignPlan;
  /** The copy of the exe to sign in place. */
  file: string;
  password?: string;
  /** Ask the plan's timestamp server (false: the retry without one, `--timestamp-optional`). */
  timestamp: boolean;
}

/** The argument list for `signtool` (with the password after `/p`, see the file comment). */
export function signtoolArgs(job: SigntoolJob): string[] {
  const { plan } = job;
  if (plan.credential.kind !== 'pfx') throw new Error('signtool signs with a PFX only (validateSignOptions rejects PEM keys)');
  const args = ['sign', '/fd', 'sha256', '/f', plan.credential.pfx];
  if (job.password !== undefined) args.push('/p', job.password);
  if (job.timestamp && plan.timestampUrl !== undefined) args.push('/tr', plan.timestampUrl, '/td', 'sha256');
  if (plan.description !== undefined) args.push('/d', plan.description);
  if (plan.url !== undefined) args.push('/du', plan.url);
  args.push(job.file);
  return args;
}

export const SIGNTOOL_INSTALL_HINT =
  'signtool comes with the Windows SDK (install "Windows SDK Signing Tools for Desktop Apps" from the Visual Studio Installer or the SDK installer) — put its folder on PATH, or use --signer osslsigncode';

/** What a failed signtool run (exit code 1) means, as the error signExe throws (exit 1). */
export function signtoolFailure(run: ToolRun, plan: ToolSignPlan, password?: string): SvcpackError {
  const output = redact(run.output, password);
  const cause = new Error(`signtool output:\n${output}`);
  const pfx = plan.credential.kind === 'pfx' ? plan.credential.pfx : '';

  if (run.timedOut) return toolTimedOut('signtool', run, plan, cause);
  if (/password is not correct|0x80070056/i.test(output)) {
    return badPassword(pfx, plan, cause);
  }
  if (/timestamp server.*could not be reached|timestamp server.*invalid response|0x80072ee[27]|0x80190/i.test(output)) {
    return failure(
      'SIGN_TIMESTAMP_UNREACHABLE',
      `timestamp server ${plan.timestampUrl ?? ''} could not be reached or did not answer with a timestamp`,
      `check the URL and the network, or pass ${signFlag('timestampOptional')} to sign without a timestamp`,
      cause,
    );
  }
  if (/No certificates were found that met all the given criteria/i.test(output)) {
    return failure('SIGN_FAILED', `signtool found no usable code-signing certificate in ${pfx}`, 'check that the certificate is valid today and allows code signing', cause);
  }
  const detail = /SignTool Error:\s*(.+)/.exec(output)?.[1]?.trim() ?? output.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  return failure('SIGN_FAILED', `signtool failed (exit code ${run.code ?? 'none'})${detail ? `: ${detail}` : ''}`, "check the certificate; run with --verbose for the tool's full output", cause);
}
