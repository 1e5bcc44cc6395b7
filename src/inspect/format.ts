/**
 * The human-readable `svcpack inspect` report: one aligned `label  value` block, with every baked
 * setting under the name `install` and `config get` give it. Environment variable values and the
 * alert URL's secrets are never shown. The embedded packages of the dependency tree come last, one
 * per line in columns: `name@version  license  location  integrity`. Pure.
 */
import { SETTING_FLAGS } from '../../runtime-shim/settings/flags';
import { DEFAULT_OPERATION, OPERATION_FLAGS } from '../../runtime-shim/settings/operation-settings';
import { settingsToFlagPairs, type SettingsInput } from '../../runtime-shim/settings/resolve';
import { RUNTIME_SETTINGS, runtimeValues, shownValue } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings, type ServiceSettings } from '../../runtime-shim/settings/service-settings';
import type { ExeManifest } from '../pack/manifest';
import { formatBytes } from '../summary';
import type { ExePackage } from '../bundle/embedded/packages-asset';
import type { SignatureInfo } from './authenticode';
import type { InspectResult } from './inspect';

type Row = [label: string, value: string];

/** The VERSIONINFO strings shown for an exe svcpack did not build, with their labels. */
const VERSION_LABELS: ReadonlyArray<[key: string, label: string]> = [
  ['ProductName', 'product'],
  ['FileDescription', 'description'],
  ['CompanyName', 'company'],
  ['LegalCopyright', 'copyright'],
  ['ProductVersion', 'product version'],
  ['FileVersion', 'file version'],
];

export function formatInspect(r: InspectResult): string {
  const m = r.svcpack;
  const rows: Row[] = [['file', r.file]];
  if (r.format === 'elf') rows.push(['format', 'ELF (Linux executable)']);
  if (m) {
    rows.push(
      ['name', m.name],
      ['display name', m.displayName],
      ['version', m.version],
      ['description', m.description || '(none)'],
      ['svcpack', m.svcpackVersion],
    );
    const s = r.versionInfo?.strings ?? {};
    if (s.CompanyName) rows.push(['company', s.CompanyName]);
    if (s.LegalCopyright) rows.push(['copyright', s.LegalCopyright]);
  } else {
    const s = r.versionInfo?.strings ?? {};
    rows.push(['svcpack', 'no (not built by svcpack)']);
    for (const [key, label] of VERSION_LABELS) if (s[key]) rows.push([label, s[key]]);
  }
  rows.push(['Node.js', r.node?.version ?? 'unknown']);
  if (m) rows.push(['packer', m.packer], ['compressed', m.compressed ? 'yes' : 'no']);
  if (m?.packages) rows.push(['package loading', `${m.packages.mode}: ${m.packages.reason}`]);
  if (m?.preload) rows.push(['preload', m.preload.length ? m.preload.join(', ') : 'none']);
  for (const [i, a] of (m?.addons ?? []).entries()) {
    const main = a.files.find((f) => f.path === a.main);
    const beside = a.files.length > 1 ? ` + ${a.files.filter((f) => f !== main).map((f) => f.path).join(', ')}` : '';
    rows.push([i === 0 ? 'native addons' : '', `${a.package}@${a.version} (${a.source}): ${a.main}${beside}, sha256 ${main?.sha256 ?? '?'}`]);
  }
  rows.push(['SEA', r.sea ? 'yes' : 'no'], ['size', `${formatBytes(r.bytes)} (${r.bytes} bytes)`], ['sha256', r.sha256]);
  rows.push(...signatureRows(r.signature));
  if (m) rows.push(...settingRows(m));
  if (r.packages) rows.push(...packageRows(r.packages));
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `${rows.map(([label, value]) => `${label.padEnd(width)}${value}`.trimEnd()).join('\n')}\n`;
}

/** `packages  108 of the dependency tree (635 files, 7.1 MB)`, then one aligned line per package. */
function packageRows(packages: readonly ExePackage[]): Row[] {
  const files = packages.reduce((n, p) => n + p.files, 0);
  const bytes = packages.reduce((n, p) => n + p.bytes, 0);
  const head: Row = ['packages', `${packages.length} of the dependency tree (${files} file${files === 1 ? '' : 's'}, ${formatBytes(bytes)})`];
  const cells = packages.map((p) => [`${p.name}@${p.version}`, p.license ?? '(no license)', p.location, p.integrity ?? '(no integrity)']);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  return [head, ...cells.map((c): Row => ['', c.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')])];
}

function signatureRows(sig: SignatureInfo): Row[] {
  const rows: Row[] = [];
  if (sig.status === 'unsigned') return [['signature', 'unsigned']];
  rows.push([
    'signature',
    sig.status === 'valid'
      ? `valid${sig.digestAlgorithm ? ` (${sig.digestAlgorithm})` : ''}: unchanged since signed by the certificate below (trust chain not checked)`
      : `INVALID: ${sig.problem ?? 'unknown problem'}`,
  ]);
  if (sig.signer) {
    rows.push(
      ['  signer', sig.signer.subject],
      ['  issuer', sig.signer.issuer],
      ['  certificate', `valid ${day(sig.signer.notBefore)} to ${day(sig.signer.notAfter)}, serial ${sig.signer.serialNumber}`],
      ['  fingerprint', `sha256 ${sig.signer.sha256Fingerprint}`],
    );
  }
  if (sig.description || sig.url) rows.push(['  program', [sig.description, sig.url].filter(Boolean).join(' — ')]);
  if (sig.timestamp) rows.push(['  timestamp', `${sig.timestamp.time}${sig.timestamp.signer ? ` by ${sig.timestamp.signer}` : ''}`]);
  else if (sig.status === 'valid') rows.push(['  timestamp', 'none (the signature expires with the certificate)']);
  return rows;
}

/** What a service setting's row says when it has no value. */
const EMPTY_TEXT: Readonly<Record<string, string>> = { '--allow-control': 'administrators only (the Windows default)' };
/** What a service setting's row says when the manifest lacks it (an exe of an svcpack before the setting). */
const MISSING_TEXT: Readonly<Record<string, string>> = {
  '--working-dir': 'not set (built before svcpack set it)',
  '--allow-control': 'administrators only (the Windows default)',
};
const NOT_RECORDED = 'not recorded (built by an older svcpack)';

/**
 * Every baked setting, one row each, named as `install` and `config get` name it and shown as its
 * flag takes it, through the catalogs (settings/flags.ts, settings/runtime-settings.ts): a setting
 * added to a catalog is shown without an edit here. Values come from the manifest, whose secrets
 * are redacted (environment values `***`, the alert URL).
 */
function settingRows(m: ExeManifest): Row[] {
  const rows: Row[] = [['settings', "baked in (the exe's install defaults; install and config set override them)"]];
  // Exes of an older svcpack lack some settings: the defaults fill them only so the others can be formatted.
  const given = m.settings as Partial<ServiceSettings>;
  const values = new Map<string, string[]>();
  for (const [flag, value] of settingsToFlagPairs({ ...defaultSettings(m.name), ...given })) values.set(flag, [...(values.get(flag) ?? []), value]);
  for (const { key, flag } of SETTING_FLAGS) {
    if (key === 'displayName' || key === 'description') continue; // shown above
    const list = values.get(flag) ?? [];
    const text = given[SERVICE_FIELD[key]] === undefined ? (MISSING_TEXT[flag] ?? NOT_RECORDED) : list.length ? list.join(' ') : (EMPTY_TEXT[flag] ?? 'none');
    rows.push([`  ${flag.slice(2)}`, text]);
  }
  const runtime = runtimeValues({ stopTimeoutMs: m.stopTimeoutMs, logging: m.logging, supervision: m.supervision, operation: m.operation ?? DEFAULT_OPERATION });
  const operationKeys = new Set<string>(OPERATION_FLAGS.map((f) => f.key));
  for (const { key, flag } of RUNTIME_SETTINGS) {
    const value = runtime[key];
    if (!m.operation && operationKeys.has(key)) rows.push([`  ${flag.slice(2)}`, NOT_RECORDED]);
    else if (value !== null) rows.push([`  ${flag.slice(2)}`, shownValue(key, value)]);
    else if (key === 'logDir') rows.push([`  ${flag.slice(2)}`, `%ProgramData%\\${m.name}\\logs`]);
    // Other settings without a value do not apply (health probe details without a health URL).
  }
  return rows;
}

/** The ServiceSettings field that holds each setting (the recovery details live in `recovery`). */
const SERVICE_FIELD: { readonly [K in keyof Required<SettingsInput>]: keyof ServiceSettings } = {
  startType: 'startType',
  displayName: 'displayName',
  description: 'description',
  account: 'account',
  dependencies: 'dependencies',
  recovery: 'recovery',
  recoveryReset: 'recovery',
  recoveryCommand: 'recovery',
  recoveryOnNonCrash: 'recovery',
  preshutdownTimeout: 'preshutdownTimeoutMs',
  sidType: 'sidType',
  env: 'env',
  args: 'args',
  workingDir: 'workingDir',
  allowControl: 'allowControl',
};

/** `2026-11-22T12:52:44.000Z` → `2026-11-22`. */
const day = (iso: string): string => iso.slice(0, 10);
