/**
 * osslsigncode (Linux, macOS): the arguments for one signing run and what its failures mean.
 * Pure: signExe runs the tool. Checked against osslsigncode 2.9 and 2.5 (Debian 12's; it fetches
 * timestamps with libcurl, 2.9 with OpenSSL's HTTP client, so their network errors read differently).
 *
 * `osslsigncode sign (-pkcs12 F | -certs C -key K) [-readpass P] -h sha256 [-n D] [-i U]
 * [-ts URL] -in IN -out OUT` — the password goes through `-readpass` and a private file
 * (password.ts), never `-pass`, which would show it to every user in `ps`. A PFX without a
 * password option is opened with the empty password.
 */
import { failure, type SvcpackError } from '../errors';
import { signFlag } from '../config/sign-options';
import { redact } from './password';
import type { ToolRun } from './run-tool';
import { badPassword, toolTimedOut } from './tool-failures';
import type { ToolSignPlan } from './validate';

export interface OsslsigncodeJob {
  plan: ToolSignPlan;
  /** The unsigned exe (read only). */
  input: string;
  /** Where the signed exe is written (must not exist). */
  output: string;
  /** A file holding the password on its first line, when the plan has one. */
  passwordFile?: string;
  /** Ask the plan's timestamp server (false: the retry without one, `--timestamp-optional`). */
  timestamp: boolean;
}

/** The argument list for `osslsigncode` (no password in it, ever). */
export function osslsigncodeArgs(job: OsslsigncodeJob): string[] {
  const { plan } = job;
  const args = ['sign'];
  if (plan.credential.kind === 'pfx') args.push('-pkcs12', plan.credential.pfx);
  else args.push('-certs', plan.credential.cert, '-key', plan.credential.key);
  if (job.passwordFile !== undefined) args.push('-readpass', job.passwordFile);
  args.push('-h', 'sha256');
  if (plan.description !== undefined) args.push('-n', plan.description);
  if (plan.url !== undefined) args.push('-i', plan.url);
  if (job.timestamp && plan.timestampUrl !== undefined) args.push('-ts', plan.timestampUrl);
  args.push('-in', job.input, '-out', job.output);
  return args;
}

/** How to get osslsigncode on this platform. */
export function osslsigncodeInstallHint(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'install it: brew install osslsigncode';
  if (platform === 'win32') return 'use --signer signtool (it comes with the Windows SDK), or install osslsigncode and put it on PATH';
  return 'install it: apt-get install osslsigncode (Debian/Ubuntu), dnf install osslsigncode (Fedora), or brew install osslsigncode';
}

/** OpenSSL error-queue lines (`40D07AB12F7F0000:error:11800071:…`) and osslsigncode's own noise. */
const NOISE = /^([0-9A-F]{8,}:error:|Connecting to |Failed$|Succeeded$|Use the "-t" option|Unable to set unauthenticated attributes|Failed to read key or certificates|Enter PEM pass phrase)/;

/** The first line of `output` that says something (not OpenSSL's error queue), or ''. */
export function firstMessage(output: string): string {
  return output.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !NOISE.test(l)) ?? '';
}

/**
 * What a failed osslsigncode run (non-zero exit) means, as the error signExe throws (exit 1).
 * The tool's output, with the password redacted, is the error's cause (shown with --verbose).
 */
export function osslsigncodeFailure(run: ToolRun, plan: ToolSignPlan, password?: string): SvcpackError {
  const output = redact(run.output, password);
  const cause = new Error(`osslsigncode output:\n${output}`);
  const certFile = plan.credential.kind === 'pfx' ? plan.credential.pfx : plan.credential.key;

  if (run.timedOut) return toolTimedOut('osslsigncode', run, plan, cause);

  // Wrong password: PKCS#12's MAC check (PFX) or the PEM key's decryption fails.
  if (/mac verify failure|bad decrypt|maybe wrong password|bad password read/i.test(output)) {
    return badPassword(certFile, plan, cause);
  }
  if (/RFC 3161 timestamping failed|Authenticode timestamping failed|Failed to get data from|Failed to convert timestamp reply/.test(output)) {
    return failure(
      'SIGN_TIMESTAMP_UNREACHABLE',
      `timestamp server ${plan.timestampUrl ?? ''} ${timestampProblem(output)}`,
      `check the URL and the network, or pass ${signFlag('timestampOptional')} to sign without a timestamp`,
      cause,
    );
  }
  if (/Failed to (extract|read) PKCS#12/.test(output)) {
    return failure('SIGN_FAILED', `${signFlag('pfx')}: ${plan.credential.kind === 'pfx' ? plan.credential.pfx : ''} is not a PKCS#12 (.pfx/.p12) file`, `export the certificate with its private key as .pfx, or use ${signFlag('cert')} and ${signFlag('key')} for PEM files`, cause);
  }
  if (plan.credential.kind === 'pem') {
    if (/No certificate found/.test(output)) return failure('SIGN_FAILED', `${signFlag('cert')}: ${plan.credential.cert} holds no certificate`, 'pass the PEM (or DER) certificate that belongs to the key', cause);
    if (/Failed to decode private key file/.test(output)) return failure('SIGN_FAILED', `${signFlag('key')}: ${plan.credential.key} is not a private key`, 'pass the PEM (or DER) private key of the certificate', cause);
    if (/consistency of a private key|key values mismatch/.test(output)) return failure('SIGN_FAILED', `${signFlag('key')}: ${plan.credential.key} does not belong to the certificate ${plan.credential.cert}`, 'pass the key the certificate was issued for', cause);
  }
  if (/Initialization error or unsupported input file type|Unrecognized file type/.test(output)) {
    return failure('SIGN_FAILED', 'osslsigncode cannot read the exe as a PE file', 'sign the exe svcpack build wrote', cause);
  }
  const detail = firstMessage(output);
  return failure('SIGN_FAILED', `osslsigncode failed (exit code ${run.code ?? 'none'})${detail ? `: ${detail}` : ''}`, 'check the certificate files; run with --verbose for the tool\'s full output', cause);
}

/** Why a timestamp request failed, from OpenSSL's error queue (pure). */
export function timestampProblem(output: string): string {
  // 2.9: OpenSSL's `code=500`; 2.5: `HTTP status 500` (200 with a body that is no timestamp: below).
  const http = /code=(\d{3})|HTTP status ([13-5]\d\d|2(?!00)\d\d)/.exec(output);
  if (http) return `answered HTTP ${http[1] ?? http[2]}`;
  if (/Connection refused/.test(output)) return 'refused the connection';
  if (/Couldn't connect to server/.test(output)) return 'could not be connected to';
  if (/Name or service not known|nodename nor servname|No address associated|getaddrinfo|Couldn't resolve host/i.test(output)) return 'is an unknown host';
  if (/timed? ?out|Timeout was reached/i.test(output)) return 'did not answer in time';
  if (/Failed to convert timestamp reply/.test(output)) return 'did not answer with an RFC 3161 timestamp';
  return 'could not be reached';
}
