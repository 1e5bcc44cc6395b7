import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandFailure, quoteForShell, renderSignCommand } from '../../src/sign/command';
import { SvcpackError } from '../../src/errors';
import { thrown } from '../support/thrown';

const run = (output: string, code: number | null = 1) => ({ code, output, timedOut: false });

describe('renderSignCommand', () => {
  it('replaces every {file}, bare or already quoted, with the single-quoted path (POSIX sh)', () => {
    expect(renderSignCommand('azuresigntool sign -kvu https://v.example -tr http://ts.example {file}', '/out/My Svc.exe', 'linux')).toBe(
      "azuresigntool sign -kvu https://v.example -tr http://ts.example '/out/My Svc.exe'",
    );
    expect(renderSignCommand('a "{file}" b \'{file}\' c {file}.sig', '/x.exe', 'darwin')).toBe("a '/x.exe' b '/x.exe' c '/x.exe'.sig");
  });

  it('double quotes on Windows (cmd.exe)', () => {
    expect(renderSignCommand('signtool sign /a {file}', 'C:\\out\\My Svc.exe', 'win32')).toBe('signtool sign /a "C:\\out\\My Svc.exe"');
  });

  it('a path sh would expand reaches the command unchanged', () => {
    const nasty = `/tmp/it's $(id) \`x\` "q" & | ; * ~ \\.exe`;
    const echoed = execFileSync('/bin/sh', ['-c', renderSignCommand('printf %s {file}', nasty, 'linux')], { encoding: 'utf8' });
    expect(echoed).toBe(nasty);
  });

  it('refuses a Windows path cmd.exe would change', () => {
    const err = thrown(SvcpackError, () => quoteForShell('C:\\100%\\a.exe', 'win32'));
    expect(err.code).toBe('SIGN_BAD_INPUT');
    expect(err.toLine()).toMatch(/cmd\.exe would change a path containing " or % — move the exe/);
  });
});

describe('commandFailure', () => {
  const template = 'azuresigntool sign -kvu x {file}';
  it('program not found: sh exit 127, cmd exit 9009', () => {
    const sh = commandFailure(run('/bin/sh: 1: azuresigntool: not found\n', 127), template, 'linux');
    expect(sh.code).toBe('SIGNER_NOT_FOUND');
    expect(sh.toLine()).toBe("svcpack: the sign command's program azuresigntool was not found — install it or put its folder on PATH (check --sign-command)");
    const cmd = commandFailure(run("'azuresigntool' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", 9009), template, 'win32');
    expect(cmd.code).toBe('SIGNER_NOT_FOUND');
  });

  it('any other failure: the exit code and the last line of output', () => {
    const err = commandFailure(run('Signing file\nError: Access denied to key vault\n', 3), template, 'linux');
    expect(err.code).toBe('SIGN_FAILED');
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe('the sign command failed (exit code 3): Error: Access denied to key vault');
  });
});
