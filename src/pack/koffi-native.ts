/** The koffi native module for the target, taken from the installed koffi package. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { failure } from '../errors';

export interface NativeModule {
  bytes: Buffer;
  sha256: string;
  version: string;
}

export function koffiNativeFor(arch: 'x64' | 'arm64'): NativeModule {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('koffi/package.json');
  const file = path.join(path.dirname(pkgJson), 'build', 'koffi', `win32_${arch}`, 'koffi.node');
  if (!fs.existsSync(file)) {
    throw failure('PACK_FAILED', `koffi's native module for win32_${arch} is missing (${file})`, 'reinstall dependencies (npm ci)');
  }
  const bytes = fs.readFileSync(file);
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    version: JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version,
  };
}
