/**
 * systemd unit-file syntax (pure): the unit name made from the service name, and how values are
 * written so that systemd reads back exactly the text svcpack meant. The rules, from systemd's
 * unit-file parser (systemd.unit(5), systemd.service(5) "Command lines", systemd.exec(5)
 * `Environment=`):
 *
 * - `%` starts a specifier in nearly every value (`%n`, `%i`, …): a literal `%` is `%%`.
 * - Command lines (`ExecStart=`) and `Environment=` are split into words; a word may be double-
 *   quoted, and inside it C escapes apply (`\\`, `\"`, `\n`, `\t`, `\xNN`).
 * - Command lines also expand `$NAME` and `${NAME}` from the environment: a literal `$` is `$$`.
 *   `Environment=` expands no variables, so `$` stays as it is there.
 * - An unquoted lone `;` on a command line separates commands; quoting makes it an argument.
 * - A line ending in `\` continues on the next one; values never hold a line break.
 */

/** A value the unit cannot hold, as one line: what is wrong and how to fix it. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The characters of a unit name (systemd.unit(5)) that svcpack keeps: no `@` (templates), no `\`. */
const UNIT_NAME_CHARS = /^[A-Za-z0-9_.-]+$/;
/** systemd's UNIT_NAME_MAX (256 with the NUL): the whole name, `.service` included. */
const MAX_UNIT_NAME = 255;
const SUFFIX = '.service';

/**
 * The unit name of service `name`: `<name>.service`, the name as given (systemd unit names are
 * case-sensitive; the exe always uses its own spelling). A Windows service name may hold
 * characters a unit name cannot (a space, `#`, `@`, non-ASCII letters…); svcpack refuses those
 * rather than writing systemd's `\xNN` escapes (`My\x20Svc.service`), which an admin would have to
 * type in every `systemctl` command and which would also name the data and log folders. Throws
 * UnitError.
 */
export function unitName(name: string): string {
  const fix = 'build it with a --name of letters, digits, _ . and - only (such as OrderSync or order-sync)';
  const bad = [...name].find((c) => !UNIT_NAME_CHARS.test(c));
  if (name === '') throw new UnitError('the service name is empty', fix);
  if (bad !== undefined) {
    const shown = bad === ' ' ? 'a space' : /[\u0000-\u001f\u007f]/.test(bad) ? 'a control character' : `"${bad}"`;
    throw new UnitError(`the service name "${name}" contains ${shown}, which a systemd unit name cannot hold`, fix);
  }
  if (name.startsWith('.')) throw new UnitError(`the service name "${name}" starts with a dot, which would hide its unit file`, fix);
  if (name.length + SUFFIX.length > MAX_UNIT_NAME) {
    throw new UnitError(`the service name is ${name.length} characters long; a systemd unit name holds at most ${MAX_UNIT_NAME - SUFFIX.length} before ".service"`, 'build it with a shorter --name');
  }
  return `${name}${SUFFIX}`;
}

/** `text` with every `%` doubled: no specifier is expanded. */
export const noSpecifiers = (text: string): string => text.replace(/%/g, '%%');

const C_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** Words that need no quotes: nothing systemd would read as a quote, escape, separator, specifier or variable. */
const PLAIN_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * One word as systemd's word splitter reads it back unchanged: as is when it is plain, otherwise
 * double-quoted with C escapes, and `%` always as `%%`. With `variables`, `$` is written `$$` (for
 * command lines, which expand `$NAME`). NUL cannot be written: callers refuse it first.
 */
export function quoteWord(text: string, variables: boolean): string {
  if (PLAIN_WORD.test(text)) return text;
  let out = '';
  for (const c of text) {
    if (c === '%') out += '%%';
    else if (c === '$' && variables) out += '$$';
    else if (C_ESCAPES[c] !== undefined) out += C_ESCAPES[c];
    else if (/[\u0000-\u001f\u007f]/.test(c)) out += `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `"${out}"`;
}

/** An argument of a command line (`ExecStart=`): see quoteWord; `$` becomes `$$`. */
export const commandWord = (text: string): string => quoteWord(text, true);

/**
 * Environment variable names systemd accepts in `Environment=` on every version svcpack writes
 * units for (older versions take only shell names): letters, digits and `_`, not first a digit.
 */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One `Environment=` assignment `NAME=value` as a word (values are taken literally: no `$` expansion). Throws UnitError. */
export function environmentWord(name: string, value: string): string {
  if (!ENV_NAME.test(name)) {
    throw new UnitError(
      `environment variable name "${name}" is not one systemd accepts (letters, digits and _, not starting with a digit)`,
      'rename it in --env, e.g. MY_SETTING=value',
    );
  }
  if (value.includes('\0')) throw new UnitError(`the value of environment variable "${name}" contains a NUL character`, 'remove it');
  return quoteWord(`${name}=${value}`, false);
}

/**
 * A free-text value such as `Description=`: not split into words, so no quoting, but one line,
 * `%` doubled, and no trailing `\` (which would join the next line).
 */
export function textValue(text: string): string {
  return noSpecifiers(text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()).replace(/\\+$/, '');
}

/** A time span in systemd's syntax: whole seconds as `Ns`, anything else as `Nms`. */
export function timeSpan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
