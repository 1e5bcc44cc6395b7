/** The koffi native module for the target, taken from the installed koffi package. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { failure } from '../errors';
import { TARGET_INFO, type Target } from '../targets';

export interface NativeModule {
  bytes: Buffer;
  sha256: string;
  version: string;
}

/**
 * koffi's prebuilt native module for `target` (`build/koffi/<folder>/koffi.node`: win32_x64,
 * linux_x64, or win32_arm64 by the arch alone), with its SHA-256, which the executable checks
 * before every load. PACK_FAILED when the installed koffi lacks it.
 */
export function koffiNativeFor(target: Target | 'win-arm64'): NativeModule {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('koffi/package.json');
  const folder = target === 'win-arm64' ? 'win32_arm64' : TARGET_INFO[target].koffiFolder;
  const file = path.join(path.dirname(pkgJson), 'build', 'koffi', folder, 'koffi.node');
  if (!fs.existsSync(file)) {
    throw failure('PACK_FAILED', `koffi's native module for ${folder} is missing (${file})`, 'reinstall dependencies (npm ci)');
  }
  const bytes = fs.readFileSync(file);
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    version: JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version,
  };
}
