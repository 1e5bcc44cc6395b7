/**
 * `svcpack inspect <exe> [--json] [--require-valid-signature]` (commander): prints what an exe is
 * (src/inspect/inspect.ts) on stdout, as an aligned block or, with `--json`, the InspectResult.
 * Environment variable values are never printed. Exit 0 whatever the signature status, unless
 * `--require-valid-signature` is given: then a signature that is missing or invalid is exit 1
 * (after the report). Errors propagate to main() in src/cli.ts (one line, exit 2 or 1).
 */
import path from 'node:path';
import { Command } from 'commander';
import { failure } from '../errors';
import { formatInspect } from '../inspect/format';
import { inspect } from '../inspect/inspect';
import { formatMsiInspect, inspectMsi, looksLikeMsi } from '../inspect/msi';

/** `svcpack inspect`; `context.cwd` is the folder a relative <exe> is read from (default process.cwd()). */
export function inspectCommand(context: { cwd?: string } = {}): Command {
  return new Command('inspect')
    .description('show what <exe> is: svcpack manifest and baked settings, version resources, Node.js version, Authenticode signature')
    .argument('<exe>', 'the exe to inspect (any Windows PE file, or a Linux executable svcpack built), or an MSI (svcpack build --msi)')
    .option('--json', 'print the result as JSON on stdout (environment variable values are "***")')
    .option('--require-valid-signature', 'exit 1 unless the exe carries a valid signature (integrity and signer; the trust chain is not checked)')
    .option('--verbose', 'show stack traces on errors')
    .action(async (exe: string, o: Record<string, unknown>) => {
      if (await looksLikeMsi(path.resolve(context.cwd ?? process.cwd(), exe))) {
        // An MSI (svcpack build --msi): product, UpgradeCode, service, signature, the exe inside.
        const msi = await inspectMsi(exe, context);
        process.stdout.write(o.json ? `${JSON.stringify(msi, null, 2)}\n` : formatMsiInspect(msi, formatInspect));
        if (o.requireValidSignature && !msi.signed) throw failure('SIGNATURE_NOT_VALID', `${exe} is not signed`, 'sign it (svcpack build --msi with the signing options) before shipping');
        return;
      }
      const result = await inspect(exe, context);
      process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatInspect(result));
      const sig = result.signature;
      if (o.requireValidSignature && sig.status !== 'valid') {
        throw failure(
          'SIGNATURE_NOT_VALID',
          sig.status === 'unsigned' ? `${exe} is not signed` : `the signature of ${exe} is invalid: ${sig.problem ?? 'unknown problem'}`,
          sig.status === 'unsigned' ? 'sign it (svcpack sign) before shipping' : 'use an unaltered copy, or sign the exe again',
        );
      }
    });
}
