import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { linkTree } from '../../src/pack/link-tree';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-link-tree-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('mirrors files as hard links, recreates symlinks, skips .bin and .cache', async () => {
  const src = path.join(root, 'node_modules');
  fs.mkdirSync(path.join(src, 'a', 'lib'), { recursive: true });
  fs.mkdirSync(path.join(src, '.bin'));
  fs.mkdirSync(path.join(src, '.cache'));
  fs.writeFileSync(path.join(src, 'a', 'lib', 'index.js'), 'module.exports = 1;');
  fs.writeFileSync(path.join(src, '.bin', 'tool'), '#!/bin/sh');
  fs.symlinkSync('a', path.join(src, 'alias'));

  const dest = path.join(root, 'mirror');
  expect(await linkTree(src, dest)).toBe(1);
  const [from, to] = [fs.statSync(path.join(src, 'a', 'lib', 'index.js')), fs.statSync(path.join(dest, 'a', 'lib', 'index.js'))];
  expect(to.ino).toBe(from.ino);
  expect(fs.readlinkSync(path.join(dest, 'alias'))).toBe(path.join(src, 'a'));
  expect(fs.existsSync(path.join(dest, '.bin'))).toBe(false);
  expect(fs.existsSync(path.join(dest, '.cache'))).toBe(false);
});
