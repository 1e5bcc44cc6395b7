/**
 * Where a JSON text stops being JSON, and why, the same on every Node version (V8's JSON.parse
 * messages change between versions and some give no position). Pure.
 */

export interface JsonSyntaxError {
  /** 1-based line and column of the offending character (or of the end of the text). */
  line: number;
  column: number;
  message: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** The first syntax error in `text`, or null when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const stop = (message: string, at = i): never => {
    throw new Stop(at, message);
  };
  const peek = (): string | undefined => text[i];
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
    if (text.startsWith('//', i) || text.startsWith('/*', i)) stop('comments are not allowed in JSON');
  };
  const unexpected = (expected: string): never => {
    const c = peek();
    return stop(c === undefined ? `the text ends where ${expected} should be` : `expected ${expected}, found ${JSON.stringify(c)}`);
  };
  const string = (): void => {
    i++; // "
    for (;;) {
      const c = peek();
      if (c === undefined) stop('a string is not closed');
      if (c === '"') {
        i++;
        return;
      }
      if (c! < ' ') stop('a string contains a line break or control character (write it as \\n)');
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else stop('a string contains a bad escape sequence');
        continue;
      }
      i++;
    }
  };
  const value = (): void => {
    space();
    const c = peek();
    if (c === '{') return members('}', true);
    if (c === '[') return members(']', false);
    if (c === '"') return string();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (c !== undefined && /[-\d]/.test(c) && number.test(text)) {
      i = number.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (c === "'") stop('strings in JSON are written in double quotes');
    unexpected('a value');
  };
  const members = (close: '}' | ']', object: boolean): void => {
    i++; // { or [
    space();
    if (peek() === close) {
      i++;
      return;
    }
    for (;;) {
      space();
      if (object) {
        if (peek() !== '"') unexpected('a property name in double quotes');
        string();
        space();
        if (peek() !== ':') unexpected('":"');
        i++;
      }
      value();
      space();
      if (peek() === close) {
        i++;
        return;
      }
      if (peek() !== ',') unexpected(`"," or "${close}"`);
      const comma = i++;
      space();
      if (peek() === close) stop(`a trailing comma before "${close}" is not allowed in JSON`, comma);
    }
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    space();
    if (i < text.length) stop('unexpected text after the end of the JSON value');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { ...lineColumn(text, err.offset), message: err.message };
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
