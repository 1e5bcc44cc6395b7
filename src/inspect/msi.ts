/**
 * `svcpack inspect <file.msi>`: what an MSI is, read with msitools (`msiinfo export` for the
 * tables, `msiinfo streams` for the signature, `msiextract` for the exe inside): the product
 * (name, version, manufacturer, ProductCode, UpgradeCode), the install folder, the service its
 * ServiceInstall table registers, whether it is signed, and the exe's own inspect
 * (inspect.ts). Any MSI can be read; `service` is null when it registers none. msitools missing
 * is a usage error (exit 2) saying how to get it; a file msiinfo cannot read, NOT_AN_EXE.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { failure, SvcpackError, usageError } from '../errors';
import { inspect, type InspectResult } from './inspect';

/** The first bytes of an OLE compound file, which every MSI is. */
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export interface MsiService {
  name: string;
  displayName: string;
  description: string;
  /** `auto`, `demand` or `disabled` (a delayed start is set by the exe's install). */
  startType: 'auto' | 'demand' | 'disabled' | string;
  account: string;
  arguments: string;
  dependencies: string[];
}

export interface MsiInspectResult {
  kind: 'msi';
  file: string;
  bytes: number;
  sha256: string;
  product: { name: string; version: string; manufacturer: string; productCode: string; upgradeCode: string };
  /** The install folder as Windows resolves it by default, e.g. `%ProgramFiles%\Contoso\MySvc`. */
  installDir: string | null;
  service: MsiService | null;
  /** Whether the MSI carries an Authenticode signature (its DigitalSignature stream; not verified here). */
  signed: boolean;
  /** The inspect of the exe the service runs (the ServiceInstall component's key file), or null (none, or not a PE file). */
  exe: InspectResult | null;
}

/** Whether `file` starts like an MSI (an OLE compound file). */
export async function looksLikeMsi(file: string): Promise<boolean> {
  const handle = await fs.open(file).catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(8);
    await handle.read(head, 0, 8, 0);
    return head.equals(CFB_MAGIC);
  } finally {
    await handle.close();
  }
}

export async function inspectMsi(msiPath: string, options: { cwd?: string } = {}): Promise<MsiInspectResult> {
  const file = path.resolve(options.cwd ?? process.cwd(), msiPath);
  const data = await fs.readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw usageError('FILE_NOT_FOUND', err.code === 'ENOENT' ? `${msiPath} does not exist` : `cannot read ${msiPath}: ${err.message}`, 'pass the path of an .exe or .msi');
  });
  const table = async (name: string) => parseTable(await msiinfo(['export', file, name], msiPath).catch(() => ''));
  const props = Object.fromEntries((await table('Property')).map((row) => [row[0]!, row[1] ?? '']));
  if (!props.ProductCode) throw usageError('NOT_AN_EXE', `${msiPath} is not an MSI (it has no ProductCode)`, 'pass the path of an .exe or .msi');
  const directories = new Map((await table('Directory')).map((row) => [row[0]!, { parent: row[1] ?? '', name: row[2] ?? '' }]));
  const components = new Map((await table('Component')).map((row) => [row[0]!, { directory: row[2] ?? '', keyPath: row[5] ?? '' }]));
  const files = new Map((await table('File')).map((row) => [row[0]!, longName(row[2] ?? '')]));
  const serviceRow = (await table('ServiceInstall'))[0];
  const service: MsiService | null = serviceRow
    ? {
        name: serviceRow[1] ?? '',
        displayName: serviceRow[2] ?? '',
        description: serviceRow[12] ?? '',
        startType: ({ '2': 'auto', '3': 'demand', '4': 'disabled' } as Record<string, string>)[serviceRow[4] ?? ''] ?? serviceRow[4] ?? '',
        account: serviceRow[8] || 'LocalSystem',
        arguments: serviceRow[10] ?? '',
        dependencies: (serviceRow[7] ?? '').split('[~]').filter((d) => d !== ''),
      }
    : null;
  const component = serviceRow ? components.get(serviceRow[11] ?? '') : undefined;
  const installDir = component ? folderPath(directories, component.directory) : null;
  const exeName = component ? files.get(component.keyPath) : undefined;
  const signed = /DigitalSignature/.test(await msiinfo(['streams', file], msiPath).catch(() => ''));
  return {
    kind: 'msi',
    file: msiPath,
    bytes: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    product: { name: props.ProductName ?? '', version: props.ProductVersion ?? '', manufacturer: props.Manufacturer ?? '', productCode: props.ProductCode ?? '', upgradeCode: props.UpgradeCode ?? '' },
    installDir,
    service,
    signed,
    exe: exeName ? await inspectInside(file, msiPath, exeName) : null,
  };
}

/** Extracts the MSI into a temporary folder with msiextract and inspects `exeName` there. */
async function inspectInside(file: string, label: string, exeName: string): Promise<InspectResult | null> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-inspect-msi-'));
  try {
    await run('msiextract', ['-C', dir, file], label);
    const found = await findFile(dir, exeName);
    if (!found) return null;
    try {
      return { ...(await inspect(found)), file: `${label}!${exeName}` };
    } catch (err) {
      if (err instanceof SvcpackError && err.code === 'NOT_AN_EXE') return null; // not a Windows program: nothing more to say
      throw err;
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function findFile(dir: string, name: string): Promise<string | null> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findFile(p, name);
      if (found) return found;
    } else if (entry.name.toLowerCase() === name.toLowerCase()) return p;
  }
  return null;
}

/** `msiinfo export` text (name/types/keys header lines, then tab-separated rows) → rows. */
export function parseTable(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .slice(3)
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/** A DefaultDir/FileName value's long name (`short|long` → long; a `target:source` pair → target). */
function longName(value: string): string {
  const target = value.split(':')[0] ?? value;
  return target.includes('|') ? target.slice(target.indexOf('|') + 1) : target;
}

/** The path of directory `id` from its root (`ProgramFiles64Folder` → `%ProgramFiles%`). */
export function folderPath(directories: Map<string, { parent: string; name: string }>, id: string): string {
  const parts: string[] = [];
  const roots: Record<string, string> = { ProgramFiles64Folder: '%ProgramFiles%', ProgramFilesFolder: '%ProgramFiles(x86)%', CommonAppDataFolder: '%ProgramData%', TARGETDIR: '' };
  for (let at: string | undefined = id, guard = 0; at && guard < 64; guard++) {
    if (at in roots) {
      if (roots[at]) parts.unshift(roots[at]!);
      break;
    }
    const dir = directories.get(at);
    if (!dir) break;
    const name = longName(dir.name);
    if (name !== '.' && name !== 'SourceDir') parts.unshift(name);
    at = dir.parent;
  }
  return parts.join('\\');
}

function msiinfo(args: string[], label: string): Promise<string> {
  return run('msiinfo', args, label);
}

function run(program: 'msiinfo' | 'msiextract', args: string[], label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(usageError('MSI_TOOL_MISSING', `${program} is not installed (not found on PATH), so ${label} cannot be read`, 'install msitools: apt-get install msitools (Debian/Ubuntu; Fedora: dnf install msitools)'));
      } else if (err) {
        reject(failure('NOT_AN_EXE', `${program} cannot read ${label}: ${(stderr || err.message).trim().split('\n')[0]}`, 'pass the path of an .exe or .msi'));
      } else resolve(stdout);
    });
  });
}

/** The human-readable report of an MSI, the exe's own report indented below it. Pure. */
export function formatMsiInspect(r: MsiInspectResult, formatExe: (exe: InspectResult) => string): string {
  const rows: Array<[string, string]> = [
    ['file', `${r.file} (${r.bytes} bytes, sha256 ${r.sha256})`],
    ['product', `${r.product.name} ${r.product.version}${r.product.manufacturer ? ` (${r.product.manufacturer})` : ''}`],
    ['ProductCode', r.product.productCode],
    ['UpgradeCode', r.product.upgradeCode],
    ['install folder', r.installDir ?? 'none'],
    [
      'service',
      r.service
        ? `${r.service.name} ("${r.service.displayName}"), start ${r.service.startType}, account ${r.service.account}, command line <exe> ${r.service.arguments}${r.service.dependencies.length ? `, depends on ${r.service.dependencies.join(', ')}` : ''}`
        : 'none',
    ],
    ['signature', r.signed ? 'signed (DigitalSignature stream present)' : 'unsigned'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const block = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
  const exe = r.exe ? `\n\nthe exe inside:\n${formatExe(r.exe).replace(/^(?=.)/gm, '  ')}` : '';
  return `${block}${exe}\n`;
}
