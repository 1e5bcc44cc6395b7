/**
 * What `svcpack build --watch` prints for each build, on stdout (pure): one line for people
 * (`12:03:04 rebuilt MySvc.exe in 0.21 s, restarted MySvc in 1.3 s`; a failed build: the time and
 * the line the CLI prints for that error), or with `--json` one JSON object per line for machines.
 */
import type { RestartOutcome } from './restart';
import type { RebuildReport } from './watch-build';

/** The last part of a path, `/` or `\\` separated (a report may come from another platform's build). */
const fileName = (file: string): string => file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);

/** `12:03:04`, local time. */
export const clockTime = (at: Date): string => at.toTimeString().slice(0, 8);

/** `0.21 s` (builds) or, with `digits` 1, `1.3 s` (restarts). */
const seconds = (ms: number, digits = 2): string => `${(ms / 1000).toFixed(digits)} s`;

/**
 * The line for one build. `name`: the service name (restart texts); `watching`: how many paths are
 * watched after the first build (said once, on the first line).
 */
export function rebuildLine(r: RebuildReport, name: string, opts: { installHint?: string; watching?: number } = {}): string {
  const head = r.ok ? `${r.first ? 'built' : 'rebuilt'} ${fileName(r.executable ?? name)} in ${seconds(r.ms)}` : (r.error?.line ?? 'svcpack: build failed');
  const restart = r.restart ? restartText(r.restart, name, r.ok, opts.installHint) : '';
  const watching = r.first && opts.watching !== undefined ? `; watching ${opts.watching} path${opts.watching === 1 ? '' : 's'} for changes (Ctrl-C to stop)` : '';
  return `${clockTime(r.at)} ${head}${restart}${watching}\n`;
}

function restartText(o: RestartOutcome, name: string, ok: boolean, installHint = 'install.cmd'): string {
  switch (o.kind) {
    case 'restarted':
      return ok
        ? `, restarted ${name} in ${seconds(o.ms, 1)}${o.copiedTo ? ` (copied to ${o.copiedTo})` : ''}`
        : `; ${name} started again on the old exe`;
    case 'not-installed':
      return `; ${name} is not installed — run ${installHint} once; not restarted`;
    case 'failed':
      return `; not restarted: ${o.message}${o.hint ? ` — ${o.hint}` : ''}`;
  }
}

/** The JSON line for one build: `{ time, first, ok, ms, executable?, error?, restart? }`. */
export function rebuildJson(r: RebuildReport): string {
  const object = {
    time: r.at.toISOString(),
    first: r.first,
    ok: r.ok,
    ms: Math.round(r.ms),
    ...(r.executable ? { executable: r.executable } : {}),
    ...(r.error ? { error: { ...(r.error.code ? { code: r.error.code } : {}), message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}), line: r.error.line } } : {}),
    ...(r.restart ? { restart: r.restart.kind === 'restarted' ? { ...r.restart, ms: Math.round(r.restart.ms) } : r.restart } : {}),
  };
  return `${JSON.stringify(object)}\n`;
}
