import type { Runtime } from '../runtime/acquire';
import type { VersionInfoTable } from './version-info';
export interface PkgPackInput { runtime: Runtime; seaMain: string; appBundle: string; koffiNode: Uint8Array; versionInfo: VersionInfoTable; icon?: Uint8Array }
export async function packWithPkg(_input: PkgPackInput): Promise<Buffer> {
  throw new Error('todo');
}
