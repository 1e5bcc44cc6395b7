/** What the CLI prints: progress while building (stderr) and the closing summary (stdout). */
import path from 'node:path';
import type { BuildEvent } from './build';
import type { BuildRecord } from './emit/build-record';
import { describeSignature } from './sign/summary';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const STEP_LABELS: Record<string, string> = {
  resolve: 'resolve options',
  dependencies: 'dependency tree',
  bundle: 'bundle (esbuild)',
  runtime: 'Node.js runtime',
  blob: 'SEA blob',
  resources: 'resources',
  inject: 'inject (postject)',
  pkg: 'pack (@yao-pkg/pkg)',
  sign: 'sign',
  msi: 'MSI (wixl)',
  emit: 'write outputs',
  total: 'total',
};

/** The summary printed after a successful build (pure); `timings` default the record's. */
export function formatSummary(record: BuildRecord, files: string[], timings: Record<string, number> = record.timings): string {
  const rows = files.map((file) => {
    // Outputs are named relative to the output folder (the SBOM may be elsewhere).
    const size = record.outputs[path.relative(record.outDir, file).split(path.sep).join('/')]?.bytes;
    return `  ${path.relative(process.cwd(), file) || file}${size === undefined ? '' : `  ${formatBytes(size)}`}`;
  });
  // Steps in the order they ran, the total last.
  const { total, ...steps } = timings;
  const stepText = (entries: Array<[string, number]>) => entries.map(([step, ms]) => `${STEP_LABELS[step] ?? step} ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`}`).join(', ');
  const targets = Object.entries(record.targets ?? {});
  // A Windows-only build reads as it always has; with a Linux target each target's steps get a line.
  const perTarget = targets.length > 1 || (targets.length === 1 && targets[0]![0] !== 'win-x64');
  const firstSteps = new Set(Object.keys(targets[0]?.[1].timings ?? {}));
  const shared = Object.entries({ ...steps, ...(total === undefined ? {} : { total }) }).filter(([step]) => !perTarget || !firstSteps.has(step) || step === 'total');
  const stepList = stepText(shared);
  const targetLines = perTarget ? targets.map(([target, t]) => `  ${target}: ${stepText(Object.entries(t.timings))}`) : [];
  return [
    `Built ${record.name} ${record.version} (Node.js ${record.node.version}, packer ${record.packer})${perTarget ? ` for ${targets.map(([t]) => t).join(', ')}` : ''}`,
    ...rows,
    ...embeddedLine(record.embedded),
    ...(record.packages?.mode === 'node' ? [`Packages: loaded by Node from the embedded tree, where the app imports them (${record.packages.reason})`] : []),
    ...(record.preload?.length ? [`Preload: ${record.preload.join(', ')}, before ${record.entry}`] : []),
    ...(record.signature ? [`Signed: ${describeSignature(record.signature)}`] : []),
    `Timings: ${stepList}`,
    ...targetLines,
    '',
  ].join('\n');
}

/** `Embedded: 3 modules (src/w.ts, …), 12 files (48.0 KB)`, or nothing. */
function embeddedLine(embedded: BuildRecord['embedded'] | undefined): string[] {
  if (!embedded || (embedded.modules.length === 0 && embedded.files.length === 0 && !embedded.packages?.length)) return [];
  const parts: string[] = [];
  if (embedded.modules.length > 0) {
    const shown = embedded.modules.slice(0, 3).join(', ') + (embedded.modules.length > 3 ? ', …' : '');
    parts.push(`${embedded.modules.length} module${embedded.modules.length === 1 ? '' : 's'} started on their own (${shown})`);
  }
  if (embedded.files.length > 0) {
    const bytes = embedded.files.reduce((sum, f) => sum + f.bytes, 0);
    parts.push(`${embedded.files.length} file${embedded.files.length === 1 ? '' : 's'} read at run time (${formatBytes(bytes)})`);
  }
  const packages = embedded.packages ?? [];
  if (packages.length > 0) {
    const bytes = packages.reduce((sum, p) => sum + p.bytes, 0);
    const files = packages.reduce((sum, p) => sum + p.files, 0);
    parts.push(`${packages.length} package${packages.length === 1 ? '' : 's'} of the dependency tree (${files} files, ${formatBytes(bytes)})`);
  }
  return [`Embedded: ${parts.join(', ')}`, ...largestPackages(packages)];
}

/** `Largest packages: swagger-ui-dist 5.21.0 9.1 MB, …`: the five that weigh most in the exe. */
function largestPackages(packages: NonNullable<BuildRecord['embedded']['packages']>): string[] {
  if (packages.length === 0) return [];
  const top = [...packages].sort((a, b) => b.bytes - a.bytes || (a.location < b.location ? -1 : 1)).slice(0, 5);
  return [`Largest packages: ${top.map((p) => `${p.name} ${p.version} ${formatBytes(p.bytes)}`).join(', ')}`];
}

/**
 * Prints build progress. On a terminal, download progress redraws one line; otherwise it prints
 * a line at most every 10% so CI logs stay short.
 */
export class ProgressPrinter {
  private lastPercent = new Map<string, number>();
  private redrawing = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  on(e: BuildEvent): void {
    if (e.type === 'step') {
      // The two slow steps (≈ 5-15 s) say that they run.
      if (e.status === 'start' && (e.step === 'pkg' || e.step === 'inject')) this.line(`${STEP_LABELS[e.step]}…`);
      return;
    }
    if (e.type === 'warning') {
      this.line(`svcpack: warning: ${e.message}`);
      return;
    }
    const ev = e.event;
    if (ev.phase === 'done') {
      // A cache hit is silent: it is the common case, and a failing build must still print one line.
      if (!ev.fromCache) this.line(`  ${ev.label}: downloaded`);
      return;
    }
    const total = ev.totalBytes ? ` of ${formatBytes(ev.totalBytes)}` : '';
    const text = `  downloading ${ev.label} from ${ev.source}: ${formatBytes(ev.receivedBytes)}${total}`;
    if (this.out.isTTY) {
      this.out.write(`\r${text}\u001b[K`);
      this.redrawing = true;
      return;
    }
    const percent = ev.totalBytes ? Math.floor((ev.receivedBytes / ev.totalBytes) * 10) : 0;
    if (percent > (this.lastPercent.get(ev.label) ?? -1)) {
      this.lastPercent.set(ev.label, percent);
      this.line(text);
    }
  }

  end(): void {
    if (this.redrawing) this.out.write('\n');
    this.redrawing = false;
  }

  private line(text: string): void {
    if (this.redrawing) this.out.write('\n');
    this.redrawing = false;
    this.out.write(`${text}\n`);
  }
}
