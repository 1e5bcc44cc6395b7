/**
 * Where, in one module's JavaScript, the `require('x')` / `import('x')` calls of one specifier
 * sit: at the top level of the module (they run when it loads), or inside a `try`/`catch` block
 * or a function (they may never run, or their failure is handled). esbuild does not say where an
 * import it cannot resolve was written, so the optional-imports plugin (optional-imports.ts) asks
 * this scanner.
 *
 * A light lexer, not a parser: it skips strings, template literals, regex literals and comments
 * (references.ts's helpers), and follows the nesting of `{ ( [` to tell what each `{` opens:
 * - `try {`, `catch {`, `catch (e) {` → a try/catch block;
 * - `) {` after a parameter list (`function f(…) {`, `name(…) {` methods, getters) and `=> {` →
 *   a function body; `=> expr` (no brace) → a function body up to the end of the expression
 *   (a `,` `;` or closing bracket at its own level);
 * - `if (…) {`, `for`/`while`/`switch`/`with`, `else {`, `class … {`, object literals, plain
 *   blocks → neither: they run with the code around them.
 * A function called where it is written — `(function () { … })()`, `(() => { … })()`,
 * `!function () { … }()`, `(function () { … }).call(this)`: UMD wrappers, TypeScript enums and
 * namespaces — runs with the code around it, so it does not count as a function here.
 *
 * Written for the JavaScript esbuild's transform prints (types stripped, semicolons everywhere);
 * source as written works too: an `=> expr` body also ends at a line break where JavaScript
 * inserts a semicolon (the line ends a word, literal, `)` or `]`; the next starts a word, number
 * or string). A misread costs one wrong answer, never an exception; `scanCalls` lexes a module
 * once for all its calls.
 */
import { blankComments, regexCanStart, skipQuoted } from '../embedded/references';

export type CallKind = 'require-call' | 'dynamic-import';

/** What a call runs inside, innermost first: the nearest try/catch block or function, else the top level. */
export type CallContext = 'try' | 'catch' | 'function' | 'top-level';

export interface CallSite {
  /** Offset of `require` / `import` in the text. */
  index: number;
  context: CallContext;
  /** `await import('x')` (dynamic imports only). */
  awaited: boolean;
  /** `import('x').catch(…)` / `.then(…)`: the call's promise is handled right there (dynamic imports only). */
  chained: boolean;
}

type FrameKind = 'try' | 'catch' | 'function' | 'block' | 'class' | 'call' | 'group' | 'bracket' | 'template';

interface Frame {
  open: '{' | '(' | '[' | '${' | '=>';
  kind: FrameKind;
  /** `(` frames: the token before it (`if`, `catch`, a callee name, `=`, …). */
  before?: string;
  /** A function called right where it is written. */
  iife?: boolean;
}

/** Words after which `(` is not a call (and `(…) {` is not a function body when it is one of BLOCK_HEADS). */
const KEYWORDS = new Set([
  'return', 'typeof', 'void', 'delete', 'await', 'yield', 'case', 'in', 'of', 'instanceof', 'else', 'do', 'throw', 'new',
  'if', 'for', 'while', 'switch', 'with', 'catch', 'export', 'default', 'extends',
]);
/** `<word> (…) {` that opens a block, not a function body (`for await (…) {` included). */
const BLOCK_HEADS = new Set(['if', 'for', 'while', 'switch', 'with', 'await']);

// Character classes by char code (the lexer's hot loop): A-Z a-z _ $ and anything non-ASCII; digits; white space.
const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;

/** Whether a token can end an expression: a word (not an operator keyword), a literal, `)` or `]`. */
const endsExpression = (token: string) =>
  token === ')' || token === ']' || token === '"' || (isIdentPart(token.charCodeAt(0)) && !KEYWORDS.has(token)) || (token[0] === '.' && token.length > 1);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The `require(` / `import(` calls with `specifier` as their (literal) first argument: offsets of
 * the callee word, and whether `.catch(` / `.then(` follows the call.
 */
function candidates(code: string, specifier: string, kind: CallKind): Array<{ index: number; chained: boolean }> {
  const callee = kind === 'require-call' ? 'require' : 'import';
  const lit = escapeRegExp(specifier);
  const re = new RegExp(String.raw`(?<![\w$.])${callee}\s*\(\s*(?:'${lit}'|"${lit}"|\`${lit}\`)\s*([,)])(\s*\.\s*(?:catch|then)\s*\()?`, 'g');
  return [...code.matchAll(re)].map((m) => ({ index: m.index, chained: m[1] === ')' && m[2] !== undefined }));
}

/** What encloses each `require` / `import` word of a module that is code (not in a string or comment), by offset. */
export type CallScan = ReadonlyMap<number, { context: CallContext; awaited: boolean }>;

/**
 * Lexes `code` (JavaScript; comments allowed) once, and tells for every `require` and `import`
 * word in it what encloses it, so that a module with several missing imports is read once.
 */
export function scanCalls(code: string): CallScan {
  const src = blankComments(code);
  const at = new Map<number, { frames: Frame[]; awaited: boolean }>();
  const stack: Frame[] = [];
  let prev = ''; // the previous token: a word, or one punctuation character ('"' for any literal)
  let lastClosed: Frame | undefined; // the `(` frame the latest `)` closed
  let classAt = -1; // stack depth at which a `class` keyword waits for its body's `{`

  const nextChar = (from: number): string => {
    let j = from;
    while (j < src.length && isSpace(src.charCodeAt(j))) j++;
    return src[j] ?? '';
  };
  const nextAfter = (from: number): number => {
    let j = from;
    while (j < src.length && isSpace(src.charCodeAt(j))) j++;
    return j;
  };
  /** Whether code right after a function's end (at `from`, after its `}` or expression) calls it. */
  const calledAt = (from: number, enclosing: Frame | undefined): boolean => {
    const j = nextAfter(from);
    if (src[j] === '(') return true; // function () { … }()
    if (src[j] !== ')' || enclosing?.open !== '(' || enclosing.kind !== 'group') return false;
    const k = nextAfter(j + 1); // (function () { … })(…) / .call(…) / .apply(…)
    return src[k] === '(' || /^\.\s*(?:call|apply)\s*\(/.test(src.slice(k, k + 16));
  };
  /** Ends the `=> expr` bodies open at the top of the stack. */
  const closeArrows = (): Frame[] => {
    const closed: Frame[] = [];
    while (stack.at(-1)?.open === '=>') closed.push(stack.pop()!);
    return closed;
  };
  const braceKind = (): FrameKind => {
    if (classAt === stack.length) {
      classAt = -1;
      return 'class';
    }
    if (prev === 'try') return 'try';
    if (prev === 'catch') return 'catch';
    if (prev === '=>') return 'function';
    if (prev === ')' && lastClosed) {
      if (lastClosed.before === 'catch') return 'catch';
      return BLOCK_HEADS.has(lastClosed.before ?? '') ? 'block' : 'function';
    }
    return 'block';
  };

  let i = 0;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      // ASI in source without semicolons: `() => require('x')⏎next()` — a line that ends an
      // expression, followed by one that starts a word, a number or a string, ends an `=> expr` body.
      if (c === 10 && stack.at(-1)?.open === '=>' && endsExpression(prev)) {
        const n = src.charCodeAt(nextAfter(i));
        if (isIdentPart(n) || n === 34 || n === 39) closeArrows();
      }
      i++;
      continue;
    }
    if (c === 34 || c === 39) {
      i = skipQuoted(src, i, c);
      prev = '"';
      continue;
    }
    if (c === 96) {
      i = skipQuoted(src, i, 96);
      if (src[i - 1] === '{' && src[i - 2] === '$') stack.push({ open: '${', kind: 'template' });
      else prev = '"';
      continue;
    }
    if (c === 47 && regexCanStart(src, i, [])) {
      i = skipQuoted(src, i, 47);
      while (i < src.length && isIdentPart(src.charCodeAt(i))) i++; // flags
      prev = '"';
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < src.length && isIdentPart(src.charCodeAt(j))) j++;
      const word = src.slice(i, j);
      if ((word === 'require' || word === 'import') && prev !== '.') at.set(i, { frames: [...stack], awaited: prev === 'await' });
      if (word === 'class' && prev !== '.') classAt = stack.length;
      prev = prev === '.' ? `.${word}` : word; // `.if` is a property, not a keyword
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      while (i < src.length && (isIdentPart(src.charCodeAt(i)) || src.charCodeAt(i) === 46)) i++;
      prev = '"';
      continue;
    }
    const ch = src[i]!;
    switch (ch) {
      case '(': {
        const callee = (isIdentStart(prev.charCodeAt(0)) && !KEYWORDS.has(prev)) || prev.startsWith('.') || prev === ')' || prev === ']';
        stack.push({ open: '(', kind: callee ? 'call' : 'group', before: prev });
        break;
      }
      case ')': {
        const arrows = closeArrows();
        if (stack.at(-1)?.open === '(') {
          const paren = stack.pop()!;
          lastClosed = paren;
          const outer = arrows.at(-1);
          if (outer && paren.kind === 'group' && nextChar(i + 1) === '(') outer.iife = true; // (() => x)()
        }
        break;
      }
      case '[':
        stack.push({ open: '[', kind: 'bracket' });
        break;
      case ']':
        closeArrows();
        if (stack.at(-1)?.open === '[') stack.pop();
        break;
      case '{':
        stack.push({ open: '{', kind: braceKind() });
        break;
      case '}': {
        closeArrows();
        const top = stack.at(-1);
        if (top?.open === '${') {
          stack.pop();
          i = skipQuoted(src, i, 96); // the template goes on after `}`
          if (src[i - 1] === '{' && src[i - 2] === '$') stack.push(top);
          else prev = '"';
          continue;
        }
        if (top?.open === '{') {
          stack.pop();
          if (top.kind === 'function') top.iife = calledAt(i + 1, stack.at(-1));
        }
        break;
      }
      case '=':
        if (src[i + 1] === '>') {
          i += 2;
          if (nextChar(i) !== '{') stack.push({ open: '=>', kind: 'function' });
          prev = '=>';
          continue;
        }
        break;
      case ',':
      case ';':
      case ':':
        if (ch !== ':') closeArrows();
        if (classAt === stack.length) classAt = -1; // `{ class: 1, … }`: a property, not a class
        break;
    }
    prev = ch;
    i++;
  }

  const contexts = new Map<number, { context: CallContext; awaited: boolean }>();
  for (const [index, { frames, awaited }] of at) {
    const enclosing = frames.findLast((f) => (f.kind === 'try' || f.kind === 'catch' || f.kind === 'function') && !f.iife);
    contexts.set(index, { context: (enclosing?.kind as CallContext | undefined) ?? 'top-level', awaited });
  }
  return contexts;
}

/**
 * The calls of `specifier` by `kind` in `code`, in source order, each with what encloses it
 * (`scan`: scanCalls(code), when the caller keeps it). Calls that sit in a string, comment or
 * template text are not calls and are left out.
 */
export function callSites(code: string, specifier: string, kind: CallKind, scan?: CallScan): CallSite[] {
  const wanted = candidates(code, specifier, kind);
  if (wanted.length === 0) return [];
  const contexts = scan ?? scanCalls(code);
  const dynamic = kind === 'dynamic-import';
  return wanted.flatMap(({ index, chained }) => {
    const seen = contexts.get(index);
    if (!seen) return []; // inside a string or a comment
    return [{ index, context: seen.context, awaited: dynamic && seen.awaited, chained: dynamic && chained }];
  });
}

/**
 * Whether the module may do without `specifier`: it has calls of it by `kind` and every one is
 * inside a try/catch block or a function, or is a dynamic import whose rejection the top level
 * does not wait for (not awaited, or awaited with `.catch(…)`/`.then(…)` chained to it). False
 * when there is no such call (a static import, a call the scanner cannot see): the build then
 * fails as before.
 */
export function isOptionalImport(code: string, specifier: string, kind: CallKind, scan?: CallScan): boolean {
  const sites = callSites(code, specifier, kind, scan);
  return sites.length > 0 && sites.every((s) => s.context !== 'top-level' || (kind === 'dynamic-import' && (!s.awaited || s.chained)));
}
