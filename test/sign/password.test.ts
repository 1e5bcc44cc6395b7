import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SvcpackError } from '../../src/errors';
import { readPassword, redact, withSecretFile } from '../../src/sign/password';
import { thrown } from '../support/thrown';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-pw-test-'));

describe('readPassword', () => {
  it('from an environment variable', () => {
    expect(readPassword({ env: 'PW' }, { PW: ' spaces kept ' })).toBe(' spaces kept ');
  });

  it('from the first line of a file, without its line ending', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'crlf'), 'secret one\r\nsecond\r\n');
    fs.writeFileSync(path.join(dir, 'bare'), 'secret two');
    expect(readPassword({ file: path.join(dir, 'crlf') }, {})).toBe('secret one');
    expect(readPassword({ file: path.join(dir, 'bare') }, {})).toBe('secret two');
  });

  it('usage errors name the variable or file, never a value', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'empty'), '\nsecret on line two\n');
    const unset = thrown(SvcpackError, () => readPassword({ env: 'NOPE' }, {}));
    expect(unset.toLine()).toBe('svcpack: --password-env: environment variable NOPE is not set — set NOPE to the certificate password before running svcpack');
    expect(unset.exitCode).toBe(2);
    expect(thrown(SvcpackError, () => readPassword({ env: 'E' }, { E: '' })).message).toMatch(/E is empty/);
    expect(thrown(SvcpackError, () => readPassword({ file: path.join(dir, 'missing') }, {})).message).toMatch(/cannot read .*missing \(ENOENT\)/);
    const empty = thrown(SvcpackError, () => readPassword({ file: path.join(dir, 'empty') }, {}));
    expect(empty.message).toMatch(/the first line of .*empty is empty/);
    expect(empty.toLine()).not.toContain('secret');
  });
});

describe('withSecretFile', () => {
  it('a 0600 file in a fresh 0700 folder, holding the secret, removed afterwards', async () => {
    let seen = '';
    const result = await withSecretFile('pa$$ word', async (file) => {
      seen = file;
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(path.dirname(file).startsWith(path.join(os.tmpdir(), 'svcpack-sign-'))).toBe(true);
      expect(fs.readFileSync(file, 'utf8')).toBe('pa$$ word\n');
      return 42;
    });
    expect(result).toBe(42);
    expect(fs.existsSync(path.dirname(seen))).toBe(false);
  });

  it('removed when the work fails too', async () => {
    let seen = '';
    await expect(
      withSecretFile('x', async (file) => {
        seen = file;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(fs.existsSync(path.dirname(seen))).toBe(false);
  });
});

describe('redact', () => {
  it('replaces every occurrence; nothing to do without a secret', () => {
    expect(redact('a hunter2 b hunter2', 'hunter2')).toBe('a *** b ***');
    expect(redact('text', undefined)).toBe('text');
  });
});
