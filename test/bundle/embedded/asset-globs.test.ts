/**
 * `--asset` globs: the glob syntax (globToRegExp) and what a list of globs picks from a temp
 * project (expandAssetGlobs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandAssetGlobs, globToRegExp, normaliseGlob } from '../../../src/deps/asset-globs';

describe('globToRegExp', () => {
  const matches = (glob: string, rel: string) => globToRegExp(glob).test(rel);

  it('* stays within one segment', () => {
    expect(matches('*.txt', 'a.txt')).toBe(true);
    expect(matches('*.txt', 'x/a.txt')).toBe(false);
    expect(matches('data/*', 'data/a.bin')).toBe(true);
    expect(matches('data/*', 'data/x/a.bin')).toBe(false);
  });

  it('**/ spans any number of segments, none included', () => {
    expect(matches('**/*.txt', 'a.txt')).toBe(true);
    expect(matches('**/*.txt', 'x/y/a.txt')).toBe(true);
    expect(matches('data/**/*.json', 'data/a.json')).toBe(true);
    expect(matches('data/**/*.json', 'data/en/x/a.json')).toBe(true);
    expect(matches('data/**', 'data/en/x/a.json')).toBe(true);
    expect(matches('data/**/*.json', 'other/a.json')).toBe(false);
  });

  it('? is one character, not a separator', () => {
    expect(matches('a?.txt', 'ab.txt')).toBe(true);
    expect(matches('a?.txt', 'a.txt')).toBe(false);
    expect(matches('a?b', 'a/b')).toBe(false);
  });

  it('{a,b} picks alternatives', () => {
    expect(matches('*.{html,css}', 'x.html')).toBe(true);
    expect(matches('*.{html,css}', 'x.css')).toBe(true);
    expect(matches('*.{html,css}', 'x.js')).toBe(false);
    expect(matches('{views,layouts}/*.hbs', 'layouts/main.hbs')).toBe(true);
  });

  it('other characters are literal', () => {
    expect(matches('*.txt', 'atxt')).toBe(false);
    expect(matches('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(matches('{x.txt', '{x.txt')).toBe(true);
  });
});

describe('normaliseGlob', () => {
  it('/ separators, no leading ./', () => {
    expect(normaliseGlob('.\\templates\\*.html')).toBe('templates/*.html');
    expect(normaliseGlob('././a/b')).toBe('a/b');
  });
});

describe('expandAssetGlobs', () => {
  let proj: string;
  const rels = (files: string[]) => files.map((f) => path.relative(proj, f).split(path.sep).join('/'));
  const expand = async (globs: string[]) => {
    const r = await expandAssetGlobs(globs, proj);
    return { files: rels(r.files), unmatched: r.unmatched };
  };

  beforeAll(() => {
    proj = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-asset-globs-'));
    for (const f of ['data.txt', 'extra/a.txt', 'extra/b.txt', 'extra/c.json', 'extra/sub/d.txt', 'templates/x.html', 'templates/parts/y.html', 'node_modules/pkg/data.txt', 'templates/node_modules/z.html']) {
      fs.mkdirSync(path.dirname(path.join(proj, f)), { recursive: true });
      fs.writeFileSync(path.join(proj, f), f);
    }
  });
  afterAll(() => fs.rmSync(proj, { recursive: true, force: true }));

  it('absolute paths, sorted', async () => {
    const r = await expandAssetGlobs(['extra/*.txt'], proj);
    expect(r.files).toEqual([path.join(proj, 'extra', 'a.txt'), path.join(proj, 'extra', 'b.txt')]);
  });

  it('globs across folders', async () => {
    expect(await expand(['extra/**/*.txt'])).toEqual({ files: ['extra/a.txt', 'extra/b.txt', 'extra/sub/d.txt'], unmatched: [] });
    expect(await expand(['extra/*.{txt,json}'])).toEqual({ files: ['extra/a.txt', 'extra/b.txt', 'extra/c.json'], unmatched: [] });
  });

  it('a folder without wildcards takes every file below it, node_modules skipped', async () => {
    expect(await expand(['templates'])).toEqual({ files: ['templates/parts/y.html', 'templates/x.html'], unmatched: [] });
  });

  it('a file without wildcards', async () => {
    expect(await expand(['data.txt'])).toEqual({ files: ['data.txt'], unmatched: [] });
  });

  it('node_modules is walked only when the pattern names it', async () => {
    expect((await expand(['**/*.txt'])).files).toEqual(['data.txt', 'extra/a.txt', 'extra/b.txt', 'extra/sub/d.txt']);
    expect(await expand(['node_modules/pkg/*.txt'])).toEqual({ files: ['node_modules/pkg/data.txt'], unmatched: [] });
  });

  it('./ and backslashes are normalised', async () => {
    expect(await expand(['./extra/*.json', 'extra\\sub\\*.txt'])).toEqual({ files: ['extra/c.json', 'extra/sub/d.txt'], unmatched: [] });
  });

  it('globs that match nothing are listed as given', async () => {
    expect(await expand(['extra/*.txt', './nope/*.txt', 'extra/*.md', 'missing.txt', 'extra/a.txt/x'])).toEqual({
      files: ['extra/a.txt', 'extra/b.txt'],
      unmatched: ['./nope/*.txt', 'extra/*.md', 'missing.txt', 'extra/a.txt/x'],
    });
  });

  it('a glob matching only files an earlier glob took is not unmatched', async () => {
    expect(await expand(['extra/**', 'extra/a.txt', 'extra/*.txt'])).toEqual({
      files: ['extra/a.txt', 'extra/b.txt', 'extra/c.json', 'extra/sub/d.txt'],
      unmatched: [],
    });
  });
});
