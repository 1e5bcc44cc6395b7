/**
 * Where a service answers its live status: the named pipe `\\.\pipe\svcpack-<Name>`, and what a
 * client writes to get an answer. Who may open the pipe, and why the request matters for that,
 * is explained in status-server.ts.
 */
import { createHash } from 'node:crypto';

/** The one request: this line (LF-terminated; a CR before the LF is tolerated). */
export const STATUS_REQUEST = 'status';

/** A pipe name (after `\\.\pipe\`) may be at most 256 characters long. */
const MAX_PIPE_NAME = 256;

/**
 * The status pipe of service `name` (pure). Service names are up to 256 characters, so a long one
 * is cut and made unique again with 12 hex digits of its SHA-256.
 */
export function statusPipePath(name: string): string {
  const full = `svcpack-${name}`;
  if (full.length <= MAX_PIPE_NAME) return `\\\\.\\pipe\\${full}`;
  const hash = createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 12);
  return `\\\\.\\pipe\\${full.slice(0, MAX_PIPE_NAME - 13)}-${hash}`;
}
