/**
 * The human-readable `svcpack inspect` report: one aligned `label  value` block. Environment
 * variables are listed by name only. The embedded packages of the dependency tree come last, one
 * per line in columns: `name@version  license  location  integrity`. Pure.
 */
import { formatRotation } from '../../runtime-shim/settings/logging-resolve';
import { formatDuration, settingsToFlagPairs } from '../../runtime-shim/settings/resolve';
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

function settingRows(m: ExeManifest): Row[] {
  const s = m.settings;
  const flags = new Map(settingsToFlagPairs({ ...s, env: {}, allowControl: [] })); // only --recovery is read; older exes lack allowControl
  const envKeys = Object.keys(s.env ?? {});
  const rows: Row[] = [
    ['start type', s.startType],
    ['account', s.account],
    ['dependencies', s.dependencies.length ? s.dependencies.join(', ') : 'none'],
    [
      'recovery',
      `${flags.get('--recovery') ?? 'none'}, reset after ${formatDuration(s.recovery.resetAfterMs)}` +
        `${s.recovery.command ? `, command ${s.recovery.command}` : ''}${s.recovery.onNonCrashFailures ? '' : ', only when the process dies'}`,
    ],
    ['preshutdown', formatDuration(s.preshutdownTimeoutMs)],
    ['sid type', s.sidType],
    ['env', envKeys.length ? `${envKeys.join(', ')} (values not shown)` : 'none'],
  ];
  if (s.args.length) rows.push(['args', s.args.join(' ')]);
  // Exes built before the setting existed leave the app where Windows starts the service.
  rows.push(['working dir', (s as Partial<typeof s>).workingDir ?? 'not set (built before svcpack set it)']);
  const allowControl = (s as Partial<typeof s>).allowControl ?? [];
  rows.push(['may control', allowControl.length ? allowControl.join(', ') : 'administrators only (the Windows default)']);
  rows.push(['stop timeout', formatDuration(m.stopTimeoutMs)]);
  const l = m.logging;
  rows.push([
    'logging',
    [
      l.logDir ?? `%ProgramData%\\${m.name}\\logs`,
      `level ${l.logLevel}`,
      `rotate ${formatRotation(l.logRotate)}`,
      `keep ${l.logKeep}`,
      l.logCompress ? 'gzip' : '',
      `event log ${l.eventLog ? 'on' : 'off'}`,
    ]
      .filter(Boolean)
      .join(', '),
  ]);
  const v = m.supervision;
  if (!v.supervise) {
    rows.push(['supervision', 'off']);
  } else {
    const p = v.policy;
    rows.push([
      'supervision',
      `on: restart after ${formatDuration(p.initialDelayMs)} ×${p.factor} up to ${formatDuration(p.maxDelayMs)}, ` +
        `healthy after ${formatDuration(p.healthyAfterMs)}, at most ${p.maxRestarts} restarts in ${formatDuration(p.windowMs)}`,
    ]);
    if (v.health) {
      const h = v.health;
      rows.push(['  health', `${h.url} every ${formatDuration(h.intervalMs)}, timeout ${formatDuration(h.timeoutMs)}, ${h.failures} failures`]);
    }
    if (v.heartbeatTimeoutMs !== null) rows.push(['  heartbeat', `within ${formatDuration(v.heartbeatTimeoutMs)}`]);
  }
  return rows;
}

/** `2026-11-22T12:52:44.000Z` → `2026-11-22`. */
const day = (iso: string): string => iso.slice(0, 10);
