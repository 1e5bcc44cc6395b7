/** SHA-256 of outputs for build.json, computed by WebCrypto on libuv's thread pool (the main thread stays free). */
import { webcrypto } from 'node:crypto';

/** Lower-case hex SHA-256 of `data` (a string is hashed as UTF-8). */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}
