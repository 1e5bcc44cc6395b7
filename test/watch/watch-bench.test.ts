/**
 * The build suite's watch-mode figure (bench/suites/build.ts, `build.watch.hello`), run for two
 * edits here so that its code is proven without the whole bench: one sample per edit, in seconds,
 * from the watch API's own timing; quick mode times a few edits, a full run at least 7.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { absoluteCheck } from '../../bench/lib/stats';
import { measureWatchRebuilds, WATCH_REBUILD_TARGET_S, watchEdits } from '../../bench/suites/build';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('build.watch.hello', { timeout: 60_000 }, () => {
  it('times each rebuild after an edit of hello-http, and checks the median against 0.25 s', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-watch-bench-'));
    dirs.push(dir);
    const m = await measureWatchRebuilds(path.join(dir, 'p'), 2);
    expect(m).toMatchObject({ metric: 'build.watch.hello', contender: 'svcpack', unit: 's', details: { edits: 2 } });
    expect(m.samples).toHaveLength(2);
    expect(m.samples.every((s) => s > 0 && s < 60)).toBe(true);
    const check = absoluteCheck({ id: 'build.watch.hello', label: 'rebuild', measurement: m, target: { op: '<=', value: WATCH_REBUILD_TARGET_S } });
    expect(check).toMatchObject({ kind: 'absolute', value: m.stats.median, met: m.stats.median <= 0.25 });
    // The last edit is in the exe.
    expect(fs.readFileSync(path.join(dir, 'p', 'dist', 'BenchSvc.exe')).includes('edit 1')).toBe(true);
  });

  it('quick mode times a few edits, a full run at least 7', () => {
    expect(watchEdits({ quick: true, reps: 1 })).toBe(3);
    expect(watchEdits({ quick: false, reps: 5 })).toBe(7);
    expect(watchEdits({ quick: false, reps: 10 })).toBe(10);
  });
});
