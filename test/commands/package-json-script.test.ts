/**
 * setScript (src/commands/package-json-script.ts): the script lands where a person would put it,
 * and every other byte of package.json stays as it was.
 */
import { describe, expect, test } from 'vitest';
import { setScript } from '../../src/commands/package-json-script';

const add = (text: string) => setScript(text, 'build:service', 'svcpack build');

describe('setScript', () => {
  test('appends to scripts at their indentation (4 spaces), keeping a missing trailing newline missing', () => {
    const text = '{\n    "name": "a",\n    "scripts": {\n        "test": "vitest"\n    },\n    "files": ["lib", "bin"]\n}';
    expect(add(text)).toEqual({
      change: 'added',
      text: '{\n    "name": "a",\n    "scripts": {\n        "test": "vitest",\n        "build:service": "svcpack build"\n    },\n    "files": ["lib", "bin"]\n}',
    });
  });

  test('tabs and CRLF line endings stay', () => {
    const text = '{\r\n\t"name": "a",\r\n\t"scripts": {\r\n\t\t"start": "node ."\r\n\t}\r\n}\r\n';
    expect(add(text).text).toBe('{\r\n\t"name": "a",\r\n\t"scripts": {\r\n\t\t"start": "node .",\r\n\t\t"build:service": "svcpack build"\r\n\t}\r\n}\r\n');
  });

  test('no scripts: a scripts object becomes the last key, indented like the others', () => {
    const text = '{\n  "name": "a",\n  "dependencies": {\n    "x": "^1.0.0"\n  }\n}\n';
    expect(add(text)).toEqual({
      change: 'added',
      text: '{\n  "name": "a",\n  "dependencies": {\n    "x": "^1.0.0"\n  },\n  "scripts": {\n    "build:service": "svcpack build"\n  }\n}\n',
    });
  });

  test('empty scripts, scripts on one line, package.json on one line, an empty package.json', () => {
    expect(add('{\n  "scripts": {}\n}\n').text).toBe('{\n  "scripts": {\n    "build:service": "svcpack build"\n  }\n}\n');
    expect(add('{\n  "scripts": { "start": "node ." }\n}\n').text).toBe('{\n  "scripts": { "start": "node .", "build:service": "svcpack build" }\n}\n');
    expect(add('{"name":"a","version":"1.0.0"}').text).toBe('{"name":"a","version":"1.0.0", "scripts": { "build:service": "svcpack build" }}');
    expect(add('{}\n').text).toBe('{\n  "scripts": {\n    "build:service": "svcpack build"\n  }\n}\n');
  });

  test('an existing script: the same command is left alone, another one is replaced in place', () => {
    const same = '{\n  "scripts": {\n    "build:service": "svcpack build",\n    "test": "vitest"\n  }\n}\n';
    expect(add(same)).toEqual({ change: 'unchanged', text: same });
    const other = '{\n  "scripts": {\n    "build:service": "tsc && node build.js",\n    "test": "vitest"\n  }\n}\n';
    expect(add(other)).toEqual({ change: 'replaced', text: same });
  });

  test('strings with escapes, braces and nested values before the scripts are skipped correctly; a BOM stays', () => {
    const text = '\ufeff{\n  "description": "a \\"quoted\\" {brace} [x]",\n  "config": { "a": [1, 2.5e3, true, null, { "b": "}" }] },\n  "scripts": {\n    "x": "echo \\\\"\n  }\n}\n';
    const r = add(text);
    expect(r.text.startsWith('\ufeff{')).toBe(true);
    expect(JSON.parse(r.text.slice(1))).toEqual({ ...JSON.parse(text.slice(1)), scripts: { x: 'echo \\', 'build:service': 'svcpack build' } });
    expect(r.text.replace(',\n    "build:service": "svcpack build"', '')).toBe(text);
  });

  test('package.json that is not an object, or scripts that are not one, throw', () => {
    expect(() => add('[]')).toThrow(/not a JSON object/);
    expect(() => add('{ "scripts": "x" }')).toThrow(/"scripts" is not an object/);
  });
});
