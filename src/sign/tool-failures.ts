/**
 * The failures osslsigncode and signtool share, worded once: the tool hung, or the password is
 * wrong or missing. Each backend decides from its own output which one happened. Pure.
 */
import { failure, type SvcpackError } from '../errors';
import { signFlag } from './options';
import type { ToolSignPlan } from './validate';

/** The tool ran past its time limit (10 minutes): usually a timestamp server that never answers. */
export function toolTimedOut(tool: string, plan: ToolSignPlan, cause: unknown): SvcpackError {
  return failure('SIGN_FAILED', `${tool} did not finish within 10 minutes`, plan.timestampUrl ? `check that ${plan.timestampUrl} answers` : 'run it by hand to see where it hangs', cause);
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
