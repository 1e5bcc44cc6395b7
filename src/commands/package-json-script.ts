/**
 * Adding a script to a package.json the way a person would: the new member is inserted into the
 * text, so everything else — indentation, key order, line endings, one-line arrays, the trailing
 * newline — stays byte for byte. Pure (text in, text out).
 */

/** One member of a JSON object in the text: `"key": value`, as offsets (value end exclusive). */
interface Member {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

/** An object in the text: its members and the offsets of `{` and `}`. */
interface ObjectSpan {
  open: number;
  close: number;
  members: Member[];
}

const WS = /\s/;

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.test(text[i]!)) i += 1;
  return i;
}

/** The end (exclusive) of the string literal opening at `i`. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j += 1) {
    if (text[j] === '\\') j += 1;
    else if (text[j] === '"') return j + 1;
  }
  throw new Error('unterminated string');
}

/** The end (exclusive) of the JSON value starting at `i` (no whitespace before it). */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    let j = skipWs(text, i + 1);
    if (text[j] === close) return j + 1;
    for (;;) {
      if (c === '{') {
        j = skipWs(text, skipString(text, j));
        j += 1; // ':'
        j = skipWs(text, j);
      }
      j = skipWs(text, skipValue(text, j));
      if (text[j] === close) return j + 1;
      j = skipWs(text, j + 1); // ','
    }
  }
  const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
  if (!m) throw new Error(`unexpected ${c ?? 'end'} at ${i}`);
  return i + m[0].length;
}

/** The object opening at `open`, member by member. */
function objectAt(text: string, open: number): ObjectSpan {
  const members: Member[] = [];
  let j = skipWs(text, open + 1);
  if (text[j] === '}') return { open, close: j, members };
  for (;;) {
    const keyStart = j;
    const keyEnd = skipString(text, j);
    const key = JSON.parse(text.slice(keyStart, keyEnd)) as string;
    j = skipWs(text, keyEnd) + 1; // ':'
    const valueStart = skipWs(text, j);
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, keyStart, valueStart, valueEnd });
    j = skipWs(text, valueEnd);
    if (text[j] === '}') return { open, close: j, members };
    j = skipWs(text, j + 1);
  }
}

/** The whitespace that starts the line `offset` is on. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/**
 * Inserts `member` (`"key": value`) as the last member of `obj`: on a line of its own, indented
 * like the object's other members (or one `unit` deeper than the object's line), when the
 * object spans lines; on the same line after a space when it is written on one line.
 */
function appendMember(text: string, obj: ObjectSpan, member: string, unit: string, eol: string): string {
  const last = obj.members.at(-1);
  const multiLine = last === undefined || text.slice(obj.open, obj.close).includes('\n');
  if (!multiLine) return `${text.slice(0, last.valueEnd)}, ${member}${text.slice(last.valueEnd)}`;
  const closingIndent = lineIndent(text, obj.close);
  const indent = last === undefined ? `${lineIndent(text, obj.open)}${unit}` : lineIndent(text, last.keyStart);
  if (last === undefined) return `${text.slice(0, obj.open + 1)}${eol}${indent}${member}${eol}${closingIndent}${text.slice(obj.close)}`;
  return `${text.slice(0, last.valueEnd)},${eol}${indent}${member}${text.slice(last.valueEnd)}`;
}

export type ScriptChange = 'added' | 'unchanged' | 'replaced';

/**
 * `text` (a package.json) with `scripts[name]` set to `command`: added as the last script (a
 * `"scripts"` object is added as the last top-level key if there is none), or its value replaced
 * in place. Throws when `text` is not a JSON object.
 */
export function setScript(text: string, name: string, command: string): { text: string; change: ScriptChange } {
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const body = text.slice(bom.length);
  const open = skipWs(body, 0);
  if (body[open] !== '{') throw new Error('package.json is not a JSON object');
  const top = objectAt(body, open);
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const unit = top.members[0] ? lineIndent(body, top.members[0].keyStart) || '  ' : '  ';
  const member = `${JSON.stringify(name)}: ${JSON.stringify(command)}`;

  const scripts = top.members.find((m) => m.key === 'scripts');
  let out: string;
  let change: ScriptChange;
  if (!scripts) {
    const oneLine = top.members.length > 0 && !body.slice(top.open, top.close).includes('\n');
    const indent = top.members[0] ? lineIndent(body, top.members[0].keyStart) : unit;
    out = appendMember(body, top, oneLine ? `"scripts": { ${member} }` : `"scripts": {${eol}${indent}${unit}${member}${eol}${indent}}`, unit, eol);
    change = 'added';
  } else {
    if (body[scripts.valueStart] !== '{') throw new Error('package.json "scripts" is not an object');
    const obj = objectAt(body, scripts.valueStart);
    const existing = obj.members.find((m) => m.key === name);
    if (existing) {
      if (JSON.parse(body.slice(existing.valueStart, existing.valueEnd)) === command) return { text, change: 'unchanged' };
      out = `${body.slice(0, existing.valueStart)}${JSON.stringify(command)}${body.slice(existing.valueEnd)}`;
      change = 'replaced';
    } else {
      out = appendMember(body, obj, member, unit, eol);
      change = 'added';
    }
  }
  return { text: bom + out, change };
}
