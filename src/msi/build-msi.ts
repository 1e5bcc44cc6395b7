/**
 * Builds the MSI with the real tools (the side-effect edge of emit/msi/): wixl compiles the WiX
 * source of wxs.ts, msibuild then sets the package code and adds REMOVEDATA to the secure
 * properties; both come from Debian's packages (`wixl`, `msitools`). With SOURCE_DATE_EPOCH, wixl
 * runs under faketime (Debian's `faketime`) frozen at that time, and the exe's modification time
 * (which the cabinet records) is set to it, so two builds of the same inputs give the same bytes.
 * Called by build.ts in the emit step, with the (signed) exe already in the staging folder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { failure, usageError } from '../errors';
import { findProgram, type ToolRun } from '../sign/run-tool';
import { derivedGuid } from './guid';
import { MSI_NAMES, msiDocument, type MsiSource } from './wxs';

/** How to get each tool, the second half of the one-line error when it is missing. */
export const MSI_TOOL_HINTS = {
  wixl: 'install wixl: apt-get install wixl (Debian/Ubuntu; Fedora: dnf install msitools), or build without --msi',
  msibuild: 'install msitools: apt-get install msitools (Debian/Ubuntu; Fedora: dnf install msitools), or build without --msi',
  faketime: 'install faketime (apt-get install faketime), which holds the MSI\'s timestamps at SOURCE_DATE_EPOCH, or unset SOURCE_DATE_EPOCH',
} as const;

export type MsiTool = keyof typeof MSI_TOOL_HINTS;

/** The programs the MSI needs (faketime only with SOURCE_DATE_EPOCH): their paths, or a usage error (exit 2) naming the first one missing. */
export function findMsiTools(env: NodeJS.ProcessEnv, reproducible: boolean): Record<MsiTool, string | null> {
  const found = {} as Record<MsiTool, string | null>;
  for (const tool of ['wixl', 'msibuild', 'faketime'] as const) {
    found[tool] = findProgram(tool, env);
    if (found[tool] === null && (tool !== 'faketime' || reproducible)) {
      throw usageError('MSI_TOOL_MISSING', `${tool} is not installed (not found on PATH), so the MSI cannot be built`, MSI_TOOL_HINTS[tool]);
    }
  }
  return found;
}

export interface BuiltMsi {
  /** Absolute path of the MSI in the staging folder. */
  file: string;
  productCode: string;
  packageCode: string;
  productVersion: string;
  /** The WiX source it was built from. */
  wxs: string;
  /** How long wixl and msibuild took, ms. */
  ms: number;
}

/**
 * Writes `<stageDir>/<fileName>` from `source` and the exe `<stageDir>/<source.exeFile>`.
 * `sourceDateEpoch` (seconds): the MSI's timestamps. Throws SvcpackError: MSI_TOOL_MISSING
 * (exit 2), MSI_FAILED (exit 1, with the tool's first error line); never leaves a partial MSI.
 */
export async function buildMsi(args: {
  stageDir: string;
  fileName: string;
  source: MsiSource;
  exeSha256: string;
  sourceDateEpoch?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<BuiltMsi> {
  const env = args.env ?? process.env;
  const tools = findMsiTools(env, args.sourceDateEpoch !== undefined);
  const doc = msiDocument(args.source);
  // Different contents, different package code; the same inputs, the same one.
  const packageCode = derivedGuid('package', doc.wxs, args.exeSha256);
  const out = path.join(args.stageDir, args.fileName);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'svcpack-msi-'));
  const started = performance.now();
  try {
    const wxsFile = path.join(work, `${args.source.name}.wxs`);
    await fs.writeFile(wxsFile, doc.wxs);
    const wixlArgs = ['-a', 'x64', '-o', out, wxsFile];
    let program = tools.wixl!;
    let programArgs = wixlArgs;
    let runEnv: NodeJS.ProcessEnv = { ...env, LC_ALL: 'C' };
    if (args.sourceDateEpoch !== undefined) {
      const at = new Date(args.sourceDateEpoch * 1000).toISOString().replace('T', ' ').slice(0, 19);
      const epoch = new Date(args.sourceDateEpoch * 1000);
      await fs.utimes(path.join(args.stageDir, args.source.exeFile), epoch, epoch);
      program = tools.faketime!;
      programArgs = ['-f', at, tools.wixl!, ...wixlArgs];
      // Frozen UTC time for wixl's clock; file times (the cabinet's) as they are.
      runEnv = { ...runEnv, TZ: 'UTC', NO_FAKE_STAT: '1', DONT_FAKE_MONOTONIC: '1' };
    }
    // wixl looks for File/@Source in its working folder: the staging folder, where the exe is.
    const wixl = await spawnTool(program, programArgs, { env: runEnv, cwd: args.stageDir });
    if (wixl.code !== 0) throw toolFailure('wixl', wixl, doc.wxs);
    const secure = ['WIX_DOWNGRADE_DETECTED', 'WIX_UPGRADE_DETECTED', MSI_NAMES.removeDataProperty].join(';');
    // msibuild takes one option per run.
    for (const options of [
      ['-s', `${args.source.displayName} ${args.source.version}`, args.source.manufacturer, 'x64;1033', `{${packageCode}}`],
      ['-q', `UPDATE \`Property\` SET \`Value\`='${secure}' WHERE \`Property\`='SecureCustomProperties'`],
    ]) {
      const msibuild = await spawnTool(tools.msibuild!, [out, ...options], { env: { ...env, LC_ALL: 'C' }, cwd: work });
      if (msibuild.code !== 0) throw toolFailure('msibuild', msibuild, doc.wxs);
    }
    return { file: out, productCode: doc.productCode, packageCode, productVersion: doc.productVersion, wxs: doc.wxs, ms: Math.round(performance.now() - started) };
  } catch (err) {
    await fs.rm(out, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** SHA-256 of a file, lower-case hex (streamed: an MSI is tens of MB). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(file);
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** Runs `program args` in `cwd` (wixl resolves File/@Source against it), stdin closed; the last 64 KB of its output. */
function spawnTool(program: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-65536)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-65536)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(failure('MSI_FAILED', `cannot run ${program}: ${err.message}`, 'check that it is installed and executable'));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut: false });
    });
  });
}

/** The one line for a tool that failed: its first meaningful output line; its whole output and the WiX source are the cause (--verbose prints it). */
function toolFailure(tool: 'wixl' | 'msibuild', run: ToolRun, wxs: string): Error {
  const line =
    run.output
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !/GLib|^\(wixl:\d+\)|^\*\*/.test(l)) ?? `exit code ${run.code}`;
  const cause = new Error(`${tool} output:\n${run.output}\nThe WiX source:\n${wxs}`);
  return failure('MSI_FAILED', `${tool} could not build the MSI: ${line}`, 'rerun with --verbose for its whole output and the WiX source, and report it', cause);
}

