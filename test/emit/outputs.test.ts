/**
 * OutputStage (src/emit/outputs.ts) with a file outside the output folder (`--sbom elsewhere`):
 * staged as a temporary file beside its target, moved into place after the output folder's files,
 * removed with any folder created for it when the build is abandoned.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { OutputStage } from '../../src/emit/outputs';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'svcpack-outputs-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

it('commits the output folder’s files and one elsewhere; returns their final paths in order', async () => {
  const out = path.join(root, 'out');
  const elsewhere = path.join(root, 'boms', 'deeper', 'app.cdx.json');
  const stage = await OutputStage.open(out);
  await stage.write('a.exe', 'exe');
  const inside = await stage.writeTo(path.join(out, 'b.cdx.json'), 'inside');
  const outside = await stage.writeTo(elsewhere, 'outside');
  expect(inside).toBe('b.cdx.json');
  expect(outside).toBe(elsewhere);
  // Nothing is at its target before the commit.
  expect(fs.existsSync(elsewhere)).toBe(false);
  expect(fs.existsSync(path.join(out, 'a.exe'))).toBe(false);
  expect(await stage.commit(['a.exe', inside, outside])).toEqual([path.join(out, 'a.exe'), path.join(out, 'b.cdx.json'), elsewhere]);
  expect(fs.readFileSync(elsewhere, 'utf8')).toBe('outside');
  expect(fs.readFileSync(path.join(out, 'b.cdx.json'), 'utf8')).toBe('inside');
  expect(fs.readdirSync(path.dirname(elsewhere))).toEqual(['app.cdx.json']);
  await stage.close();
  expect(fs.readdirSync(out).sort()).toEqual(['a.exe', 'b.cdx.json']);
});

it('a replaced file stays linked in the staging folder until close(): the commit frees nothing', async () => {
  const out = path.join(root, 'out');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'a.exe'), 'old');
  const held = fs.openSync(path.join(out, 'a.exe'), 'r'); // the old file, as a reader still has it
  const oldIno = fs.fstatSync(held).ino;
  const stage = await OutputStage.open(out);
  await stage.write('a.exe', 'new');
  await stage.commit(['a.exe']);
  expect(fs.readFileSync(path.join(out, 'a.exe'), 'utf8')).toBe('new');
  expect(fs.fstatSync(held).nlink).toBe(1); // still linked: in the staging folder
  expect(fs.readdirSync(stage.dir)).toEqual(['.replaced-a.exe']);
  expect(fs.statSync(path.join(stage.dir, '.replaced-a.exe')).ino).toBe(oldIno);
  await stage.close();
  expect(fs.fstatSync(held).nlink).toBe(0);
  expect(fs.readdirSync(out)).toEqual(['a.exe']);
  fs.closeSync(held);
});

it('abandon leaves an existing file elsewhere as it was and removes the folders it created', async () => {
  const kept = path.join(root, 'kept.cdx.json');
  fs.writeFileSync(kept, 'old');
  const stage = await OutputStage.open(path.join(root, 'out'));
  await stage.writeTo(kept, 'new');
  await stage.writeTo(path.join(root, 'new-folder', 'sub', 'x.json'), 'x');
  await stage.abandon();
  expect(fs.readFileSync(kept, 'utf8')).toBe('old');
  expect(fs.readdirSync(root)).toEqual(['kept.cdx.json']);
});

it('a target that cannot be written is OUTPUT_FAILED naming it, and nothing is left behind', async () => {
  fs.writeFileSync(path.join(root, 'file'), '');
  const stage = await OutputStage.open(path.join(root, 'out'));
  await expect(stage.writeTo(path.join(root, 'file', 'x.json'), 'x')).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining(path.join(root, 'file', 'x.json')) });
  await stage.abandon();
  expect(fs.readdirSync(root)).toEqual(['file']);
});
