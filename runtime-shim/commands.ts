/**
 * The exe's command line (DESIGN §2.2), parsed purely. The SCM starts the exe with `--service`
 * (the binPath svcpack registers), so service detection never guesses.
 */
import type { ExeConfig } from './exe-config';

export const SERVICE_ARG = '--service';

export type ExeCommand =
  | { kind: 'service' }
  | { kind: 'run' }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

export function parseExeArgs(args: readonly string[]): ExeCommand {
  const [first, ...rest] = args;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h' || first === '/?') {
    return { kind: 'help' };
  }
  const known: Record<string, ExeCommand['kind']> = {
    [SERVICE_ARG]: 'service',
    run: 'run',
    version: 'version',
    '--version': 'version',
  };
  const kind = known[first];
  if (!kind) return { kind: 'usage-error', message: `unknown command '${first}'` };
  if (rest.length > 0) return { kind: 'usage-error', message: `'${first}' takes no arguments (got '${rest.join(' ')}')` };
  return { kind } as ExeCommand;
}

export function versionText(cfg: ExeConfig, nodeVersion: string): string {
  return `${cfg.name} ${cfg.version} (svcpack ${cfg.svcpackVersion}, Node.js ${nodeVersion})\n`;
}

export function helpText(cfg: ExeConfig): string {
  const exe = `${cfg.name}.exe`;
  return [
    `${cfg.displayName} ${cfg.version}${cfg.description ? ` — ${cfg.description}` : ''}`,
    '',
    `Usage: ${exe} <command>`,
    '',
    'Commands:',
    '  run        run in this console as the service would; Ctrl+C stops it gracefully',
    '  version    print the service name and version, svcpack and Node.js versions',
    '  help       print this help',
    '',
    `As a Windows service, the Service Control Manager starts "${exe}" ${SERVICE_ARG}.`,
    'To install it, run install.cmd (or install.ps1) from the build output as an administrator,',
    `or: sc.exe create ${cfg.name} binPath= "\\"C:\\path\\to\\${exe}\\" ${SERVICE_ARG}"`,
    '',
  ].join('\n');
}
