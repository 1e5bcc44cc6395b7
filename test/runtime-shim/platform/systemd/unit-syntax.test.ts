import { describe, expect, it } from 'vitest';
import { commandWord, environmentWord, quoteWord, textValue, timeSpan, UnitError, unitName } from '../../../../runtime-shim/platform/systemd/unit-syntax';

describe('unitName', () => {
  it('keeps a name of letters, digits, _ . - as it is, case included', () => {
    expect(unitName('OrderSync')).toBe('OrderSync.service');
    expect(unitName('order-sync_2.1')).toBe('order-sync_2.1.service');
  });

  it.each([
    ['My Svc', 'a space'],
    ['a@b', '"@"'],
    ['Größe', '"ö"'],
    ['a#b', '"#"'],
    ['a%b', '"%"'],
    ['tab\there', 'a control character'],
  ])('refuses %j: it contains %s', (name, shown) => {
    expect(() => unitName(name)).toThrow(UnitError);
    expect(() => unitName(name)).toThrow(`the service name "${name}" contains ${shown}, which a systemd unit name cannot hold`);
  });

  it('refuses a leading dot, an empty name and one too long for UNIT_NAME_MAX', () => {
    expect(() => unitName('.hidden')).toThrow('starts with a dot');
    expect(() => unitName('')).toThrow('the service name is empty');
    expect(unitName('a'.repeat(247))).toHaveLength(255);
    expect(() => unitName('a'.repeat(248))).toThrow('at most 247 before ".service"');
  });

  it('says how to fix it', () => {
    try {
      unitName('My Svc');
      expect.unreachable();
    } catch (err) {
      expect((err as UnitError).hint).toMatch(/--name of letters, digits/);
    }
  });
});

describe('quoting', () => {
  it('leaves plain words alone', () => {
    expect(commandWord('/opt/app/OrderSync')).toBe('/opt/app/OrderSync');
    expect(commandWord('--port=8080')).toBe('--port=8080');
    expect(commandWord('a,b:c@d+e')).toBe('a,b:c@d+e');
  });

  it.each([
    ['a b', '"a b"'],
    ['', '""'],
    ['"', '"\\""'],
    ["it's", '"it\'s"'],
    ['C:\\dir', '"C:\\\\dir"'],
    ['50%', '"50%%"'],
    ['%n', '"%%n"'],
    ['$HOME', '"$$HOME"'],
    ['${HOME}', '"$${HOME}"'],
    [';', '";"'],
    ['\\;', '"\\\\;"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['tab\t', '"tab\\t"'],
    ['bell\u0007', '"bell\\x07"'],
    ['del\u007f', '"del\\x7f"'],
    ['ünïcode ✓', '"ünïcode ✓"'],
  ])('a command-line argument %j is written %s', (text, written) => {
    expect(commandWord(text)).toBe(written);
  });

  it('does not double $ where no variables are expanded', () => {
    expect(quoteWord('$HOME', false)).toBe('"$HOME"');
    expect(quoteWord('50%', false)).toBe('"50%%"');
  });

  it.each([
    ['A', 'b c', '"A=b c"'],
    ['PATH', '/usr/bin:/bin', 'PATH=/usr/bin:/bin'],
    ['Q', 'say "hi"', '"Q=say \\"hi\\""'],
    ['P', '100%', '"P=100%%"'],
    ['D', '$HOME and ${X}', '"D=$HOME and ${X}"'],
    ['B', 'a\\b', '"B=a\\\\b"'],
    ['E', '', 'E='],
    ['N', 'two\nlines', '"N=two\\nlines"'],
    ['_x1', 'ok', '_x1=ok'],
  ])('Environment= %s=%j is written %s', (name, value, written) => {
    expect(environmentWord(name, value)).toBe(written);
  });

  it.each(['ProgramFiles(x86)', 'MY-VAR', '1ST', 'a b', 'ä'])('refuses the environment variable name %j', (name) => {
    expect(() => environmentWord(name, 'v')).toThrow(`environment variable name "${name}" is not one systemd accepts`);
  });

  it('refuses NUL in an environment value', () => {
    expect(() => environmentWord('A', 'a\0b')).toThrow('contains a NUL character');
  });

  it('writes free text on one line, % doubled, without a trailing backslash', () => {
    expect(textValue('Orders 100% synced')).toBe('Orders 100%% synced');
    expect(textValue('two\nlines\t')).toBe('two lines');
    expect(textValue('ends in \\\\')).toBe('ends in ');
  });

  it('writes time spans as seconds when whole, else milliseconds', () => {
    expect(timeSpan(0)).toBe('0s');
    expect(timeSpan(20_000)).toBe('20s');
    expect(timeSpan(100)).toBe('100ms');
    expect(timeSpan(1_500)).toBe('1500ms');
  });
});
