/**
 * Signing inside `svcpack build` (src/build.ts): the options are checked before anything is
 * bundled (a config file's relative paths are resolved against its folder when it is read), and
 * the exe is signed in the output staging folder before the outputs are hashed, so
 * `outputs[<Name>.exe].sha256` in build.json is the signed exe's and a failed signature leaves
 * the output folder as it was.
 */
import { findPackageJson } from '../config/package-json';
import { OutputStage } from '../emit/outputs';
import { pickSignOptions, signFlag, type SignOptions } from '../config/sign-options';
import { signExe, type SignedExe, type SignHooks } from './sign';
import { anySignOption, defaultSignContext, validateSignOptions } from './validate';

/**
 * The signing options of a build, validated (usage error, exit 2, on a bad one), or undefined
 * when none is given. Called by build() right after the options are resolved.
 */
export function buildSignOptions(options: SignOptions & { cwd?: string; sources?: Partial<Record<keyof SignOptions, string>> }): SignOptions | undefined {
  if (!anySignOption(options)) return undefined;
  const picked = pickSignOptions(options);
  const { sources } = options;
  validateSignOptions(picked, defaultSignContext({
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    // A key read from a config file is named as the config names it (`svcpack.config.json: pfx`).
    optionName: (key) => sources?.[key] ?? signFlag(key),
  }));
  return picked;
}

/** The signature's default description and URL in a build: the display name, package.json `homepage`. */
export function buildSignDefaults(plan: { displayName: string; projectDir: string }): NonNullable<SignHooks['defaults']> {
  const data = findPackageJson(plan.projectDir)?.data as { homepage?: unknown } | undefined;
  return { signDescription: plan.displayName, ...(typeof data?.homepage === 'string' ? { signUrl: data.homepage } : {}) };
}

/**
 * Opens the output stage, writes the exe into it and signs it there. Returns the open stage (the
 * emit step writes the other outputs into it and commits) and the signed exe; on failure the
 * stage is abandoned and the error rethrown.
 */
export async function signInStage(args: {
  outDir: string;
  exeFile: string;
  exe: Uint8Array;
  options: SignOptions;
  hooks: SignHooks;
}): Promise<{ stage: OutputStage; signed: SignedExe }> {
  const stage = await OutputStage.open(args.outDir);
  try {
    const staged = await stage.write(args.exeFile, args.exe, 0o755);
    const signed = await signExe(staged, args.options, args.hooks, args.exe); // its bytes are in memory already
    return { stage, signed };
  } catch (err) {
    await stage.abandon();
    throw err;
  }
}
