/**
 * call-sites.ts: what encloses each `require('x')` / `import('x')` of a module — the shapes real
 * packages use (Nest's loaders, ws, pg, mongodb, debug, UMD wrappers, TypeScript output), and the
 * lexer's traps (strings, comments, regex literals, templates).
 */
import { describe, expect, it } from 'vitest';
import { callSites, isOptionalImport, scanCalls, type CallContext } from '../../../src/bundle/optional/call-sites';
import { esbuild } from '../../../src/bundle/esbuild';

const contexts = (code: string, spec = 'x', kind: 'require-call' | 'dynamic-import' = 'require-call'): CallContext[] =>
  callSites(code, spec, kind).map((s) => s.context);

describe('callSites: require()', () => {
  it.each<[string, string, CallContext]>([
    ['top level', "const x = require('x');", 'top-level'],
    ['top level, in an expression', "module.exports = { x: require('x').y };", 'top-level'],
    ['a try block (ws, debug, mongodb)', "let x;\ntry {\n  x = require('x');\n} catch (e) {}", 'try'],
    ['a try block that rethrows (pg)', "var Native\ntry {\n  Native = require('x')\n} catch (e) {\n  throw e\n}", 'try'],
    ['a catch block (fallback)', "try { a = require('a'); } catch { a = require('x'); }", 'catch'],
    ['a catch block with a binding', "try { a() } catch (err) { if (err) require('x'); }", 'catch'],
    ['a function declaration', "function load() {\n  return require('x');\n}", 'function'],
    ['an async function', "async function load() { return require('x'); }", 'function'],
    ['a function expression', "const load = function () { return require('x'); };", 'function'],
    ['an arrow with a block', "const load = () => { return require('x'); };", 'function'],
    ['an arrow with an expression (Nest loaders)', "loadPackage('x', 'Ctx', () => require('x'));", 'function'],
    ['an arrow with a parameter and no parentheses', "const f = a => require('x')(a);", 'function'],
    ['an object method', "const api = { load() { return require('x'); } };", 'function'],
    ['a getter (pg.native)', "Object.defineProperty(module.exports, 'native', { get() { return require('x'); } });", 'function'],
    ['a class method', "class A extends B { load() { return require('x'); } }", 'function'],
    ['a class method, the class extending a call', "class A extends mixin(B, C) { m() { require('x'); } }", 'function'],
    ['an if block at the top level', "if (process.env.X) { require('x'); }", 'top-level'],
    ['a for-await block at the top level', "for await (const a of b) { require('x'); }", 'top-level'],
    ['a plain block and an else', "if (a) {} else { { require('x'); } }", 'top-level'],
    ['a static class block', "class A { static { require('x'); } }", 'top-level'],
    ['a UMD wrapper', "(function (root, factory) { factory(require('x')); })(this, function (x) {});", 'top-level'],
    ['an IIFE called inside its parentheses', "(function () { require('x'); }());", 'top-level'],
    ['a negated IIFE', "!function () { require('x'); }();", 'top-level'],
    ['an IIFE run with .call', "(function () { require('x'); }).call(this);", 'top-level'],
    ['an async arrow IIFE', "(async () => { await require('x'); })();", 'top-level'],
    ['an arrow-expression IIFE', "(() => require('x'))();", 'top-level'],
    ['a TypeScript enum, compiled', "var E; (function (E) { E[E.A = require('x')] = 'A'; })(E || (E = {}));", 'top-level'],
    ['a try inside an IIFE', "(function () { try { require('x'); } catch {} })();", 'try'],
    ['a function inside an IIFE', "(function () { exports.f = function () { return require('x'); }; })();", 'function'],
    ['a property called class', "const o = { class: 1, load() { return require('x'); } };", 'function'],
  ])('%s', (_name, code, context) => {
    expect(contexts(code)).toEqual([context]);
  });

  it('ends an arrow-expression body at a comma, a semicolon or a closing bracket of its level', () => {
    expect(contexts("const a = [() => 1, require('x')];")).toEqual(['top-level']);
    expect(contexts("const f = () => g(1, 2); require('x');")).toEqual(['top-level']);
    expect(contexts("call(() => 1)(require('x'));")).toEqual(['top-level']);
    expect(contexts("const f = () => g(1, require('x'));")).toEqual(['function']);
  });

  it('ends an arrow-expression body at a line break where a semicolon is inserted (code without semicolons)', () => {
    expect(contexts("const load = () => require('a')\nrequire('x')")).toEqual(['top-level']);
    expect(contexts("const load = () => require('a')\nconst x = require('x')")).toEqual(['top-level']);
    expect(contexts("const load = () => require('a')\n'use x'; require('x')")).toEqual(['top-level']);
    // the expression goes on: an operator ends the line, or the next line starts with one
    expect(contexts("const f = () => a +\n  require('x')")).toEqual(['function']);
    expect(contexts("const f = () => a\n  .b(require('x'))")).toEqual(['function']);
    expect(contexts("const f = () => typeof\n  require('x')")).toEqual(['function']);
  });

  it('finds every call, in order, and only the specifier asked for', () => {
    const code = "try { require('x'); } catch {}\nrequire('xy');\nrequire(\"x\");\nrequire(`x`)\nrequire('@s/x/sub')";
    expect(contexts(code)).toEqual(['try', 'top-level', 'top-level']);
    expect(contexts(code, '@s/x/sub')).toEqual(['top-level']);
    expect(callSites(code, 'x', 'require-call').map((s) => s.index)).toEqual([6, 46, 60]);
  });

  it('skips calls in strings, comments, templates and regex literals, and braces in them', () => {
    expect(contexts("// require('x')\n/* require('x') */ const s = \"require('x')\";")).toEqual([]);
    expect(contexts("const t = `require('x') {`; require('x');")).toEqual(['top-level']);
    expect(contexts("const r = /[{]require\\('x'\\)/; require('x');")).toEqual(['top-level']);
    expect(contexts("const s = '{{{'; const d = a / b / c; function f() { return '}'; }\nrequire('x');")).toEqual(['top-level']);
    expect(contexts("const t = `${(() => { return 1; })()}`; require('x');")).toEqual(['top-level']);
    expect(contexts("const t = `a${b}c${ require('x') }`;")).toEqual(['top-level']);
    expect(contexts("const t = () => `a${b}`; require('x');")).toEqual(['top-level']);
  });

  it('does not count x.require(), __require() or obj.import()', () => {
    expect(contexts("module.require('x'); __require('x'); obj.import('x');")).toEqual([]);
  });

  it('counts a call on the line after a property access (no semicolon)', () => {
    expect(contexts("function f() {\n  const t = a.test\n  require('x')(t)\n}")).toEqual(['function']);
  });
});

describe('scanCalls', () => {
  it('tells, for every require and import word that is code, what encloses it', () => {
    const code = "require('a');\ntry { require(b); } catch {}\nconst f = () => import('c');\n// require('d')\nx.require('e');";
    expect([...scanCalls(code)].map(([index, { context }]) => [code.slice(index, index + 9), context])).toEqual([
      ["require('", 'top-level'],
      ['require(b', 'try'],
      ["import('c", 'function'],
    ]);
  });
});

describe('callSites: import()', () => {
  it('tells awaited dynamic imports apart', () => {
    const sites = callSites("const a = await import('x');\nimport('x').catch(() => {});\nasync function f() { await import('x'); }", 'x', 'dynamic-import');
    expect(sites.map((s) => [s.context, s.awaited, s.chained])).toEqual([
      ['top-level', true, false],
      ['top-level', false, true],
      ['function', true, false],
    ]);
  });
  it('finds the Nest 12 loaders', () => {
    const nest = [
      "const socketModule = await optionalRequire('@nestjs/websockets/socket-module', () => import('@nestjs/websockets/socket-module.js'));",
      "loadPackage('class-validator', 'ValidationPipe', () => import('class-validator'));",
    ].join('\n');
    expect(contexts(nest, '@nestjs/websockets/socket-module.js', 'dynamic-import')).toEqual(['function']);
    expect(contexts(nest, 'class-validator', 'dynamic-import')).toEqual(['function']);
    expect(contexts(nest, 'class-validator', 'require-call')).toEqual([]);
  });
});

describe('isOptionalImport', () => {
  it('is true when every call is in a try block or a function', () => {
    expect(isOptionalImport("try { require('x') } catch {}\nfunction f() { require('x') }", 'x', 'require-call')).toBe(true);
  });
  it('is false when one call runs at the top level, or when there is no call at all', () => {
    expect(isOptionalImport("try { require('x') } catch {}\nrequire('x');", 'x', 'require-call')).toBe(false);
    expect(isOptionalImport("import x from 'x';", 'x', 'require-call')).toBe(false);
    expect(isOptionalImport("// require('x')", 'x', 'require-call')).toBe(false);
  });
  it('takes a dynamic import the top level does not await as optional, an awaited one as required', () => {
    expect(isOptionalImport("import('x').then((m) => m.start(), () => {});", 'x', 'dynamic-import')).toBe(true);
    expect(isOptionalImport("const m = await import('x');", 'x', 'dynamic-import')).toBe(false);
    expect(isOptionalImport("let m; try { m = await import('x'); } catch {}", 'x', 'dynamic-import')).toBe(true);
    expect(isOptionalImport("const m = await import('x').catch(() => null);", 'x', 'dynamic-import')).toBe(true);
    expect(isOptionalImport("const m = await import(\n  'x'\n)\n  .then((m) => m.default, () => undefined);", 'x', 'dynamic-import')).toBe(true);
    expect(isOptionalImport("const m = await import('x', { with: { type: 'json' } });", 'x', 'dynamic-import')).toBe(false);
  });
  it('reads TypeScript once esbuild has stripped its types (return types, generics, enums, namespaces)', async () => {
    const ts = [
      'enum Color { Red = 1 }',
      'namespace NS { export const a = 1; }',
      "export async function load(name: string): Promise<{ default: unknown }> {",
      "  const mod: unknown = require('x');",
      '  return mod as never;',
      '}',
      "const f = <T,>(a: T): T => require('x') as T;",
      'interface I { m(): void }',
    ].join('\n');
    const { code } = await esbuild.transform(ts, { loader: 'ts' });
    expect(contexts(code)).toEqual(['function', 'function']);
    expect(isOptionalImport(code, 'x', 'require-call')).toBe(true);
  });
  it('never throws on odd input', () => {
    for (const code of ["require('x'", "}}}} require('x') ((((", "`${ require('x')", "/ require('x') /", "'\\"]) {
      expect(() => isOptionalImport(code, 'x', 'require-call')).not.toThrow();
    }
  });
});
