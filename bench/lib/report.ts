/**
 * The Markdown rendering of a {@link BenchReport}: a header, the targets table, then one table per
 * suite, compact enough to paste into docs/performance.md. Pure: the runner writes the string to a
 * file.
 */

import type { BenchReport, Check, Measurement, SuiteResult, Unit } from './types';

/** `value` in `unit` for people: "1234 ms", "12.5 ms", "48.3 MB", "0.42×", "1,048,576 bytes". */
export function formatValue(value: number, unit: Unit): string {
  return formatNumber(value, unit) + unitSuffix(unit);
}

/** The number alone, rounded as fits the unit. */
function formatNumber(value: number, unit: Unit): string {
  switch (unit) {
    case 'MB':
      return value.toFixed(1);
    case 'bytes':
      return Math.round(value).toLocaleString('en-US');
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case 'ratio':
      return value.toFixed(Math.abs(value) < 10 ? 2 : 1);
    default:
      // ms, s, lines/s, MB/s: three significant digits, no decimals from 100 up.
      return value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  }
}

function unitSuffix(unit: Unit): string {
  switch (unit) {
    case 'ratio':
      return '×';
    case 'count':
      return '';
    default:
      return ` ${unit}`;
  }
}

/** "low–high unit", the unit once: "0.38–0.47×", "120–135 ms". */
function formatRange(low: number, high: number, unit: Unit): string {
  return `${formatNumber(low, unit)}–${formatNumber(high, unit)}${unitSuffix(unit)}`;
}

const OP: Record<Check['target']['op'], string> = { '<=': '≤', '<': '<', '>=': '≥' };

/** A check's target for people: "≤ 1.30×", "≥ 50.0 MB/s". */
export function formatTarget(target: Check['target'], unit: Unit): string {
  return `${OP[target.op]} ${formatValue(target.value, unit)}`;
}

/** The whole report as a Markdown document. */
export function markdownReport(report: BenchReport): string {
  const { machine: m } = report;
  const lines = [
    '## svcpack benchmarks',
    '',
    `${formatDate(report.startedAt)} · ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB) · ${m.os} · kernel ${m.kernel} · ` +
      `${report.reps} ${report.reps === 1 ? 'repetition' : 'repetitions'} per figure`,
  ];
  if (report.quick) lines.push('', '**quick mode: one repetition, figures not meaningful**');
  const versions = Object.entries(report.versions);
  if (versions.length > 0) lines.push('', `Versions: ${versions.map(([tool, v]) => `${tool} ${v}`).join(' · ')}`);

  const checks = report.suites.flatMap((s) => s.checks);
  if (checks.length > 0) {
    lines.push('', '### Targets', '', ...table(['Check', 'Value', 'Range', 'Target', 'Met'], 'lrrrl', checks.map(checkRow)));
  }
  for (const suite of report.suites) lines.push('', ...suiteSection(suite));
  return lines.join('\n') + '\n';
}

/** "2025-06-01 14:03 UTC" from an ISO date-time; the text itself when it does not parse. */
function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function checkRow(c: Check): string[] {
  const sign = c.kind === 'difference' && c.value > 0 ? '+' : '';
  return [
    c.label,
    sign + formatValue(c.value, c.unit),
    c.low === c.high ? '—' : formatRange(c.low, c.high, c.unit),
    formatTarget(c.target, c.unit),
    c.met ? '✅' : `❌${c.explanation ? ` ${c.explanation}` : ''}`,
  ];
}

function suiteSection(suite: SuiteResult): string[] {
  const lines = [`### ${suite.title}`];
  if (suite.measurements.length > 0) {
    const rows = suite.measurements.map((m, i) => measurementRow(m, suite.measurements[i - 1]));
    lines.push('', ...table(['Metric', 'Contender', 'Median', 'p25–p75', 'n', 'Details'], 'llrrrl', rows));
  }
  for (const t of suite.tables ?? []) lines.push('', `**${t.title}**`, '', ...table(t.header, t.align, t.rows));
  if (suite.notes.length > 0) lines.push('', ...suite.notes.map((note) => `- ${note}`));
  return lines;
}

/** One row; the metric's label is left out when the row above showed the same metric. */
function measurementRow(m: Measurement, previous: Measurement | undefined): string[] {
  const { stats, unit } = m;
  return [
    previous?.metric === m.metric ? '' : m.label,
    m.contender,
    formatValue(stats.median, unit),
    stats.n > 1 ? formatRange(stats.p25, stats.p75, unit) : '—',
    String(stats.n),
    Object.entries(m.details ?? {})
      .map(([k, v]) => `${k}=${typeof v === 'number' ? compactNumber(v) : v}`)
      .join(' '),
  ];
}

/** A detail figure: whole numbers as they are, others to three significant digits (no decimals from 100 up). */
function compactNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}

/** A Markdown table; `align` holds 'l' or 'r' per column. */
function table(header: string[], align: string, rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (align[i] === 'r' ? '--:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)];
}

/** A table cell's text: pipes escaped, line breaks flattened. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\r?\n\s*/g, ' ');
}
