/**
 * The failures osslsigncode and signtool share, worded once: the tool hung, or the password is
 * wrong or missing. Each backend decides from its own output which one happened. Pure.
 */
import { failure, type SvcpackError } from '../errors';
import { signFlag } from '../config/sign-options';
import { SIGNER_TIMEOUT_MS, type ToolRun } from './run-tool';
import type { ToolSignPlan } from './validate';

/** How a run's time limit reads in a message: `10 minutes`, `30 s`. */
export function limitText(run: ToolRun): string {
  const ms = run.limitMs ?? SIGNER_TIMEOUT_MS;
  return ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${Math.round(ms / 100) / 10} s`;
}

/** The tool ran past its time limit (default 10 minutes): usually a timestamp server that never answers. */
export function toolTimedOut(tool: string, run: ToolRun, plan: ToolSignPlan, cause: unknown): SvcpackError {
  return failure('SIGN_FAILED', `${tool} did not finish within ${limitText(run)}`, plan.timestampUrl ? `check that ${plan.timestampUrl} answers` : 'run it by hand to see where it hangs', cause);
}

/** The certificate's key could not be opened with the password given (or none was given). */
export function badPassword(certFile: string, plan: ToolSignPlan, cause: unknown): SvcpackError {
  return failure(
    'SIGN_BAD_PASSWORD',
    plan.password ? `wrong password for ${certFile}` : `${certFile} needs a password`,
    plan.password
      ? `check the password in ${'env' in plan.password ? `environment variable ${plan.password.env}` : plan.password.file}`
      : `pass it with ${signFlag('passwordEnv')} <VAR> or ${signFlag('passwordFile')} <file>`,
    cause,
  );
}
