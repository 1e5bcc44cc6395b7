/**
 * The MSI part of `svcpack build` (build.ts), in two calls: `planMsiStep` right after the options
 * are resolved, which checks everything that can be checked before anything is bundled (the MSI
 * and winget options, what an MSI cannot carry, wixl/msibuild/faketime on PATH: usage errors,
 * exit 2); and `run` in the emit step, once the (signed) exe is in the staging folder, which
 * builds the MSI, signs it with the build's signer, hashes it into the build record's outputs
 * and writes the winget manifest. Nothing lands in the output folder unless the whole build
 * succeeds (the stage commits it).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { BuildOptions, ResolvedBuild } from '../config/options';
import type { SignOptions } from '../config/sign-options';
import { findPackageJson } from '../config/package-json';
import type { BuildRecord } from '../emit/build-record';
import type { OutputStage } from '../emit/outputs';
import { sha256Hex } from '../emit/sha256';
import { usageError } from '../errors';
import { buildSignDefaults } from '../sign/build-step';
import { buildMsi, fileSha256, findMsiTools } from './build-msi';
import { resolveMsiPlan, type MsiOptions } from './msi-options';
import { signMsi } from './sign-msi';
import { installerUrl, resolveWingetPlan, wingetManifests, type WingetOptions } from './winget';
import { msiDocument, type MsiSource } from './wxs';

export interface MsiStep {
  /** The MSI's file name in the output folder. */
  fileName: string;
  /**
   * Builds (and signs) the MSI in `stage` next to the exe whose output record is
   * `outputs[<Name>.exe]`, adds the MSI (and winget files) to `outputs`; returns the names to
   * commit (stage.commit) and the time it took.
   */
  run(stage: OutputStage, outputs: BuildRecord['outputs'], onWarning: (message: string) => void): Promise<{ files: string[]; ms: number }>;
}

/** `msi` as a boolean and the MSI options as flat keys: a config's `msi: { dir, … }` object read as `msi: true` plus `msiDir`, … (the flat keys win). */
export function flatMsiOptions(options: Pick<BuildOptions, 'msi' | 'msiDir' | 'upgradeCode' | 'winget' | 'wingetUrl' | 'wingetId'>): MsiOptions & WingetOptions {
  const object = typeof options.msi === 'object' && options.msi !== null ? options.msi : undefined;
  return {
    msi: object ? true : (options.msi as boolean | undefined),
    msiDir: options.msiDir ?? object?.dir,
    upgradeCode: options.upgradeCode ?? object?.upgradeCode,
    winget: options.winget ?? object?.winget,
    wingetUrl: options.wingetUrl ?? object?.wingetUrl,
    wingetId: options.wingetId ?? object?.wingetId,
  };
}

/** The MSI step of a build, or undefined without `msi` (see the file comment). */
export function planMsiStep(options: BuildOptions, plan: ResolvedBuild, extra: { sourceDateEpoch: number | undefined; signOptions: SignOptions | undefined }): MsiStep | undefined {
  const named = (key: keyof BuildOptions, flag: string) => options.sources?.[key as keyof typeof options.sources] ?? flag;
  const flat = flatMsiOptions(options);
  const msiPlan = resolveMsiPlan(flat, plan, named);
  const wingetPlan = resolveWingetPlan(flat, { ...plan, msi: msiPlan !== undefined }, named);
  if (!msiPlan) return undefined;
  if (!plan.targets.includes('win-x64')) {
    throw usageError('USAGE', `${named('msi', '--msi')} needs the Windows exe, which this build does not make (--target ${plan.targets.join(',')})`, 'add win-x64 to --target, or drop --msi');
  }
  const source: MsiSource = {
    name: plan.name,
    displayName: plan.displayName,
    description: plan.description,
    version: plan.version,
    manufacturer: plan.company?.trim() || plan.name,
    exeFile: `${plan.name}.exe`,
    settings: plan.settings,
    upgradeCode: msiPlan.upgradeCode,
    installDir: msiPlan.installDir,
  };
  msiDocument(source);
  findMsiTools(process.env, extra.sourceDateEpoch !== undefined);

  return {
    fileName: msiPlan.fileName,
    async run(stage, outputs, onWarning) {
      const started = performance.now();
      const built = await buildMsi({ stageDir: stage.dir, fileName: msiPlan.fileName, source, exeSha256: outputs[source.exeFile]!.sha256, sourceDateEpoch: extra.sourceDateEpoch });
      if (extra.signOptions) {
        await signMsi(built.file, extra.signOptions, { cwd: options.cwd, label: msiPlan.fileName, defaults: buildSignDefaults(plan), onWarning });
      }
      const [{ size }, sha256] = await Promise.all([stat(built.file), fileSha256(built.file)]);
      outputs[msiPlan.fileName] = { bytes: size, sha256 };
      const files = [msiPlan.fileName];
      if (wingetPlan) {
        const license = (findPackageJson(plan.projectDir)?.data as { license?: unknown } | undefined)?.license;
        const manifests = wingetManifests({
          id: wingetPlan.id,
          version: plan.version,
          publisher: source.manufacturer,
          packageName: plan.displayName,
          description: plan.description,
          license: typeof license === 'string' ? license : 'Proprietary',
          installerUrl: installerUrl(wingetPlan.urlTemplate, plan.version, msiPlan.fileName),
          installerSha256: outputs[msiPlan.fileName]!.sha256,
          productCode: built.productCode,
          upgradeCode: msiPlan.upgradeCode,
        });
        for (const [name, text] of Object.entries(manifests)) {
          files.push(await stage.writeTo(path.join(plan.outDir, 'winget', name), text));
          outputs[`winget/${name}`] = { bytes: Buffer.byteLength(text), sha256: await sha256Hex(text) };
        }
      }
      return { files, ms: Math.round(performance.now() - started) };
    },
  };
}
