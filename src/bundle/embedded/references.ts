/**
 * Finds, in one module's source text (JS or TS; as written, transpiled or minified), the files it
 * will touch at run time by a path computed from its own location (`path.join(__dirname, 'x')`,
 * `new URL('./x', import.meta.url)`, itself run again as a worker or child process), worker/fork
 * targets given as relative strings, and worker-transport packages (`target: 'pino-pretty'`).
 * A pattern scanner, not a parser: pure, never throws, one `includes()` per trigger word on files
 * that mention none. False positives are expected (the caller checks the target exists). Comments
 * are blanked by a light lexer that tells regex literals from division by the token before them;
 * a misread (rare) can hide code up to where a block comment would end, or keep a comment: that
 * costs a missed or an extra match, nothing more.
 */

export interface FileReference {
  /**
   * What the path is relative to:
   * 'module-dir' — the module's own folder (path.join(__dirname, ...), new URL('./x', import.meta.url),
   *   import.meta.dirname joins, __dirname + '/x', `${__dirname}/x`, import.meta.resolve('./x'));
   * 'module-file' — the module itself (new Worker(__filename), new Worker(fileURLToPath(import.meta.url)),
   *   new Worker(import.meta.filename), new Worker(new URL(import.meta.url)), fork(__filename) ...);
   * 'cwd' — a plain relative string literal given directly to new Worker('./w.js') or fork('./job.js') /
   *   child_process.fork('./job.js') (Node resolves those against the working folder);
   * 'package' — a bare package specifier given as a worker-transport target, `target: 'pino-pretty'`:
   *   a string literal shaped like a package name ('pino-pretty', '@scope/x', 'pino/file'), never a
   *   path nor a few known non-package words; the caller resolves it and ignores failures.
   */
  base: 'module-dir' | 'module-file' | 'cwd' | 'package';
  /**
   * The literal path segments, in order, as written ('..' kept): ['lib', 'worker.js'], ['./hash-worker.ts'],
   * ['pino-pretty']; [] for 'module-file'. A concatenated part loses its leading separator
   * (`__dirname + '/x.txt'` → ['x.txt']). 'module-dir' with [] comes only with `partial`
   * (path.join(__dirname, file): somewhere in the module's folder; callers will usually skip it).
   */
  segments: string[];
  /**
   * True when a non-literal argument followed the literal ones (path.join(__dirname, 'locales', lang + '.json')
   * → ['locales']): the caller may embed the folder the literal part names. A literal glued to a variable
   * keeps its folder part only ('locales/' + lang, `locales/${lang}` → ['locales']; 'locale-' + lang → none).
   */
  partial: boolean;
  /** 'worker' | 'fork' when the expression is the first argument of `new Worker(` / `fork(` (any `x.fork(`, `(0, x.fork)(` too), else 'path'. */
  use: 'worker' | 'fork' | 'path';
  /** Offset of the match in the source (for messages). */
  index: number;
}

/** A file mentioning none of these cannot hold any shape below. */
const TRIGGERS = ['__dirname', 'import.meta', '__filename', 'Worker', 'fork', 'target'];

// Regex sources. LIT: one string literal ('…', "…", or `…` without ${}).
const Q1 = String.raw`'(?:[^'\\\n]|\\.)*'`;
const Q2 = String.raw`"(?:[^"\\\n]|\\.)*"`;
const TPL_BODY = String.raw`(?:[^\`\\$]|\\.|\$(?!\{))*`;
const LIT = `(?:${Q1}|${Q2}|\`${TPL_BODY}\`)`;
/** `a.b.` before a name (path., path_1., import_node_path.default., n.). */
const CHAIN = String.raw`(?:[\w$]+\s*\.\s*)*`;
/** A call of `name` as written or as transpiled: `x.name(`, `name(`, `(0, x.name)(`. */
const call = (name: string) => String.raw`(?:\(\s*0\s*,\s*${CHAIN}${name}\s*\)|${CHAIN}${name})\s*\(\s*`;
const FILE_URL = String.raw`${call('fileURLToPath')}import\.meta\.url\s*\)`;
/** The module's folder. */
const DIR = String.raw`(?:__dirname|import\.meta\.dirname|${call('dirname')}${FILE_URL}\s*\))`;
/** The module's own file. */
const SELF = String.raw`__filename|import\.meta\.filename|import\.meta\.url|${FILE_URL}|new\s+URL\s*\(\s*import\.meta\.url\s*\)`;
const WORKER = String.raw`new\s+${CHAIN}Worker\s*\(\s*`;

/**
 * A variable the module sets to its own folder, the ES module idiom: `const here =
 * path.dirname(fileURLToPath(import.meta.url))`, `= import.meta.dirname`, `=
 * fileURLToPath(new URL('.', import.meta.url))`. Its name then counts as `__dirname`.
 */
const DIR_URL = String.raw`${call('fileURLToPath')}new\s+URL\s*\(\s*(?:'\.\/?'|"\.\/?")\s*,\s*import\.meta\.url\s*\)\s*\)`;
const DIR_ALIAS = new RegExp(String.raw`(?<![\w$])(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*string\s*)?=\s*(?:${DIR}|${DIR_URL})\s*(?=[;,)\n])`, 'g');

/**
 * The patterns that start at the module's folder, for `dir` (DIR, or DIR and the module's own
 * aliases). Each starts with a literal word (join, __dirname, …): a pattern starting with an
 * identifier chain would be tried at every identifier of the file, several times slower.
 */
function folderPatterns(dir: string, plainDir: string) {
  return {
    JOIN: new RegExp(String.raw`(?<![\w$])(?:join|resolve)(?:\s*\))?\s*\(\s*${dir}(?![\w$])`, 'g'),
    CONCAT: new RegExp(String.raw`(?<![\w$.])(?:${plainDir})\s*\+\s*`, 'g'),
    TEMPLATE: new RegExp(String.raw`\`\$\{\s*${dir}\s*\}(${TPL_BODY})(\`|\$\{)`, 'g'),
  };
}
const PLAIN_DIR = String.raw`__dirname|import\.meta\.dirname`;
const DEFAULT_FOLDER_PATTERNS = folderPatterns(DIR, PLAIN_DIR);

/** The folder patterns for `text`: with its folder aliases when it declares any. */
function folderPatternsOf(text: string) {
  const aliases = [...new Set([...text.matchAll(DIR_ALIAS)].map((m) => m[1]!))].filter((a) => a !== '__dirname');
  if (aliases.length === 0) return DEFAULT_FOLDER_PATTERNS;
  const names = aliases.map((a) => a.replace(/\$/g, '\\$')).join('|');
  return folderPatterns(String.raw`(?:${DIR}|(?:${names}))`, `${PLAIN_DIR}|${names}`);
}

const NEW_URL = String.raw`(?<![\w$])new\s+${CHAIN}URL\s*\(\s*(${LIT})\s*,\s*import\.meta\.url\s*\)`;
const URL_REF = new RegExp(String.raw`${NEW_URL}|import\.meta\.resolve\s*\(\s*(${LIT})\s*\)`, 'g');
const RUN = new RegExp(String.raw`(?<![\w$])(?:(${WORKER})|fork(?:\s*\))?\s*\(\s*)(?:(${SELF})|(${LIT}))\s*[,)]`, 'g');
const TARGET = new RegExp(String.raw`(?<![\w$.])(["']?)target\1\s*:\s*(${LIT})`, 'g');
/** What stands before a `join(`/`fork(` found above: `path.`, `(0, path_1.`. */
const CALLEE_HEAD = new RegExp(String.raw`(?<![\w$])(?:\(\s*0\s*,\s*)?${CHAIN}$`);
/** What may stand right before a module-dir expression that is the first argument of Worker/fork. */
const RUN_BEFORE = new RegExp(String.raw`(?<![\w$])(?:(${WORKER})|${call('fork')})(?:${call('fileURLToPath')})?$`);

// Sticky readers for the arguments after a match.
const NEXT_LIT = new RegExp(String.raw`\s*,\s*(${LIT})`, 'y');
const NEXT_TPL_PREFIX = new RegExp(String.raw`\s*,\s*\`(${TPL_BODY})\$\{`, 'y');
const AFTER = /\s*([)+,])/y;
const CONCAT_PART = new RegExp(String.raw`\s*(?:(${LIT})|${CHAIN}sep(?![\w$])|\`(${TPL_BODY})\$\{)`, 'y');

/** A package name, maybe scoped, maybe with a subpath; no '.', '/', '_' first, no ':' or spaces. */
const PACKAGE = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w.@-]+)*$/i;
/**
 * `target` values that are not packages: build targets (esbuild/tsc/webpack: es2020, esnext,
 * node18, chrome90, web, browser), DOM-ish and option words, versions. ('_blank' fails PACKAGE.)
 */
const NOT_PACKAGE =
  /^(?:es\d+|esnext|node\d*|(?:chrome|firefox|safari|edge)\d+|web|webworker|browser|electron(?:-main|-renderer|-preload)?|neutral|self|window|document|body|parent|top|none|auto|default|all|[\d.]+)$/i;

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\([\\'"`/])/g, '$1');
}

/** The folder part of a literal glued to a variable ('locales/en-' → 'locales'), or '' if none. */
function folderOf(prefix: string): string {
  const cut = Math.max(prefix.lastIndexOf('/'), prefix.lastIndexOf('\\'));
  return cut < 0 ? '' : prefix.slice(0, cut).replace(/[\\/]+$/, '');
}

/**
 * A path part that a library fills in at run time: `{{lng}}`, `{ns}` (i18next and most i18n
 * loaders), `%s`/`%d` (printf-style), `*` (a glob the library expands).
 */
const PLACEHOLDER = /\{[^{}\\/]*\}|%[sdi]|\*/;

/**
 * Literal segments whose path holds a placeholder part name no file as written:
 * `'locales/{{lng}}/{{ns}}.json'` is read as the folder before it, `locales`, partial (the
 * library reads somewhere below it). Segments without a placeholder come back unchanged.
 */
function cutAtPlaceholder(literals: Literals): Literals {
  const parts = literals.segments.flatMap((s) => s.split(/[\\/]/));
  const at = parts.findIndex((p) => PLACEHOLDER.test(p));
  if (at < 0) return literals;
  return { segments: parts.slice(0, at).filter((p) => p !== '' && p !== '.'), partial: true };
}

/** The sticky `re` matched right at `pos`. */
const sticky = (re: RegExp, text: string, pos: number) => ((re.lastIndex = pos), re.exec(text));

type Literals = Pick<FileReference, 'segments' | 'partial'>;

/** The literal arguments after `join(__dirname` at `pos`; undefined when `__dirname + …` follows (CONCAT's case). */
function readJoinArgs(text: string, pos: number): Literals | undefined {
  const segments: string[] = [];
  for (let m; (m = sticky(NEXT_LIT, text, pos)); pos = NEXT_LIT.lastIndex) segments.push(unquote(m[1]!));
  const tpl = sticky(NEXT_TPL_PREFIX, text, pos);
  if (tpl) return { segments: [...segments, folderOf(tpl[1]!)].filter(Boolean), partial: true };
  const after = sticky(AFTER, text, pos)?.[1];
  if (after !== '+') return { segments, partial: after === ',' };
  if (segments.length === 0) return undefined;
  const last = folderOf(segments.pop()!); // 'locales/' + lang
  return { segments: last ? [...segments, last] : segments, partial: true };
}

/** `'/a' + 'b' + path.sep + x` after `__dirname +` at `pos`: the joined literal text, and whether a non-literal followed. */
function readConcat(text: string, pos: number): Literals {
  let value = '';
  for (;;) {
    const m = sticky(CONCAT_PART, text, pos);
    if (!m) return { segments: [folderOf(value)], partial: true };
    if (m[2] !== undefined) return { segments: [folderOf(value + m[2])], partial: true };
    value += m[1] ? unquote(m[1]) : '/';
    if (sticky(AFTER, text, CONCAT_PART.lastIndex)?.[1] !== '+') return { segments: [value], partial: false };
    pos = AFTER.lastIndex;
  }
}

/** `re` (anchored with `$`) on the text right before `index`. */
const before = (re: RegExp, text: string, index: number) => re.exec(text.slice(Math.max(0, index - 160), index));
/** Where the call whose name is at `index` starts (`path.join(` → at `path`). */
const calleeStart = (text: string, index: number) => index - (before(CALLEE_HEAD, text, index)?.[0].length ?? 0);

const useOf = (run: RegExpExecArray | null) => (run ? (run[1] ? 'worker' : 'fork') : 'path');

function scan(text: string): FileReference[] {
  const refs: FileReference[] = [];
  const { JOIN, CONCAT, TEMPLATE } = folderPatternsOf(text);
  const moduleDir = (index: number, literals: Literals) => {
    const { segments: written, partial } = cutAtPlaceholder(literals);
    const segments = written.map((s, i) => (i === 0 ? s.replace(/^[\\/]+/, '') : s)).filter((s) => s !== '');
    if (segments.length > 0 || partial) refs.push({ base: 'module-dir', segments, partial, use: useOf(before(RUN_BEFORE, text, index)), index });
  };
  for (const m of text.matchAll(JOIN)) {
    const args = readJoinArgs(text, m.index + m[0].length);
    if (args) moduleDir(calleeStart(text, m.index), args);
  }
  for (const m of text.matchAll(CONCAT)) moduleDir(m.index, readConcat(text, m.index + m[0].length));
  for (const m of text.matchAll(TEMPLATE)) {
    const partial = m[2] !== '`'; // `${__dirname}/views/${name}`
    moduleDir(m.index, { segments: [partial ? folderOf(m[1]!) : m[1]!], partial });
  }
  for (const m of text.matchAll(URL_REF)) {
    const url = unquote((m[1] ?? m[2])!); // not absolute URLs or paths; import.meta.resolve: not packages
    if (m[1] ? !/^[a-z][\w+.-]*:|^[\\/]/i.test(url) : /^\.\.?[\\/]/.test(url)) moduleDir(m.index, { segments: [url], partial: false });
  }
  for (const m of text.matchAll(RUN)) {
    const use = useOf(m);
    const index = m[1] ? m.index : calleeStart(text, m.index);
    if (m[2]) refs.push({ base: 'module-file', segments: [], partial: false, use, index });
    else if (m[3] && /^\.\.?[\\/]/.test(unquote(m[3]))) refs.push({ base: 'cwd', segments: [unquote(m[3])], partial: false, use, index });
  }
  for (const m of text.matchAll(TARGET)) {
    const value = unquote(m[2]!);
    if (PACKAGE.test(value) && !NOT_PACKAGE.test(value)) refs.push({ base: 'package', segments: [value], partial: false, use: 'path', index: m.index });
  }
  return refs.sort((a, b) => a.index - b.index);
}

const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);
const IDENT = /[\w$]/;
const SPACE = /\s/;

/** Whether the `/` at `i` starts a regex literal rather than dividing, from the code before it (skipping the comments in `cuts`). */
export function regexCanStart(src: string, i: number, cuts: number[]): boolean {
  let p = i - 1;
  for (let k = cuts.length - 2; ; k -= 2) {
    while (p >= 0 && SPACE.test(src[p]!)) p--;
    if (k < 0 || cuts[k + 1] !== p + 1) break;
    p = cuts[k]! - 1;
  }
  if (p < 0) return true;
  if (!IDENT.test(src[p]!)) return !')]\'"`/'.includes(src[p]!);
  let start = p;
  while (start > 0 && IDENT.test(src[start - 1]!)) start--;
  return KEYWORDS_BEFORE_REGEX.has(src.slice(start, p + 1));
}

/** End (exclusive) of the string, regex or template part starting at `i` (`close`: its closing char code); an unclosed string or regex stops at the line's end. */
export function skipQuoted(src: string, i: number, close: number): number {
  let inClass = false; // regex character class, where '/' does not close
  for (let j = i + 1; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 10 /* \n */ && close !== 96) return j;
    else if (close === 47 /* / */ && (c === 91 || c === 93) /* [ ] */) inClass = c === 91;
    else if (c === close && !inClass) return j + 1;
    else if (close === 96 /* ` */ && c === 36 /* $ */ && src.charCodeAt(j + 1) === 123 /* { */) return j + 2;
  }
  return src.length;
}

/** `src` with comments replaced by spaces (line breaks kept), so every offset stays the same. */
export function blankComments(src: string): string {
  const cuts: number[] = []; // start, end of each comment
  const interpolations: number[] = []; // brace depth at each open `${`
  let depth = 0;
  for (let i = 0; i < src.length; ) {
    const c = src.charCodeAt(i); // only / " ' ` { } matter
    const next = src[i + 1];
    if (c === 47 && (next === '/' || next === '*')) {
      const close = next === '/' ? src.indexOf('\n', i) : src.indexOf('*/', i + 2);
      const end = close < 0 ? src.length : next === '/' ? close : close + 2;
      cuts.push(i, end);
      i = end;
    } else if (c === 34 || c === 39 || (c === 47 && regexCanStart(src, i, cuts))) {
      i = skipQuoted(src, i, c);
    } else if (c === 96 || (c === 125 && interpolations.at(-1) === depth)) {
      if (c === 125) interpolations.pop();
      i = skipQuoted(src, i, 96);
      if (src[i - 1] === '{' && src[i - 2] === '$') interpolations.push(depth);
    } else {
      depth += c === 123 ? 1 : c === 125 ? -1 : 0;
      i++;
    }
  }
  let out = '';
  for (let k = 0; k < cuts.length; k += 2) {
    out += src.slice(cuts[k - 1] ?? 0, cuts[k]) + src.slice(cuts[k], cuts[k + 1]).replace(/[^\r\n]/g, ' ');
  }
  return out + src.slice(cuts.at(-1) ?? 0);
}

/** The references in `source`, in source order; [] for anything unexpected (never throws). */
export function findFileReferences(source: string): FileReference[] {
  try {
    if (typeof source !== 'string' || !TRIGGERS.some((t) => source.includes(t))) return [];
    const found = scan(source);
    // Comments only matter when something matched: blank them and look again.
    if (found.length === 0 || (!source.includes('//') && !source.includes('/*'))) return found;
    return scan(blankComments(source));
  } catch {
    return [];
  }
}
