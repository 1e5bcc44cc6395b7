/**
 * `npm run bench [-- options]`: runs the benchmark suites and writes bench/results/<date>.{json,md,png}.
 *
 *   --quick           one repetition per figure (the CI smoke run; figures not meaningful)
 *   --reps N          repetitions per figure (default 5, at least 5)
 *   --only a,b        run only these suites: build, size, service, supervision, lines, addons, embedded, tree, packages, linux
 *   --out DIR         write the report files here instead of bench/results
 *
 * The Wine suites run in `<tmp>/svcpack-bench-wine-<uid>` (SVCPACK_E2E_WINEPREFIX moves it).
 *
 * Exit code 0 when every suite ran (missed targets are reported, not failures), 1 when a suite
 * failed, 2 for a bad option.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

// A Wine prefix of the benchmarks' own unless one is given, so that `npm run bench` beside
// `npm test` does not end or confuse the e2e tests' services (nor they the bench's). Set before
// ./run loads test/support/wine.ts, which reads it once.
process.env.SVCPACK_E2E_WINEPREFIX ??= path.join(os.tmpdir(), `svcpack-bench-wine-${process.getuid?.() ?? 'user'}`);
const { DEFAULT_REPS, runBench, runOptionsProblem, SUITES } = await import('./run');

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        reps: { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message} — run "npm run bench -- --help"\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(
      `npm run bench [-- --quick] [-- --reps N] [-- --only ${SUITES.map((s) => s.name).join(',')}] [-- --out DIR]\n` +
        `Runs the benchmark suites (${DEFAULT_REPS} repetitions by default) and writes bench/results/<date>.{json,md,png}.\n`,
    );
    return 0;
  }
  const options = {
    quick: values.quick,
    reps: values.reps === undefined ? undefined : Number(values.reps),
    only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
    outDir: values.out,
  };
  const problem = values.reps !== undefined && !/^\d+$/.test(values.reps) ? `--reps "${values.reps}" is not a whole number` : runOptionsProblem(options);
  if (problem) {
    process.stderr.write(`bench: ${problem} — run "npm run bench -- --help"\n`);
    return 2;
  }
  let result;
  try {
    result = await runBench(options);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 1;
  }
  const { files, failures, report } = result;
  const checks = report.suites.flatMap((s) => s.checks);
  process.stdout.write(`${checks.filter((c) => c.met).length}/${checks.length} targets met\n`);
  for (const file of Object.values(files)) process.stdout.write(`wrote ${file}\n`);
  for (const f of failures) process.stderr.write(`bench: suite ${f.suite} failed — ${f.error.split('\n')[0]}\n`);
  return failures.length > 0 ? 1 : 0;
}

// Exit now: the Wine harness leaves timers behind (the timeouts it raced against) that would keep
// the process alive for up to a minute after the report is written.
process.exit(await main());
