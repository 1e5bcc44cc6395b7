/**
 * `--asset <glob>`: files the app reads at run time that the build cannot find by itself, named by
 * globs relative to the project folder. `*` and `?` stay within one path segment, `**` spans
 * segments, `{a,b}` picks alternatives; a pattern without wildcards that names a folder takes
 * every file below it. `node_modules` folders are walked only when the pattern names them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** The glob as a RegExp over POSIX relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

const escape = (s: string): string => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** The folder a glob's walk starts from: its leading segments without wildcards. */
function staticPrefix(glob: string): string {
  const parts = glob.split('/');
  const at = parts.findIndex((p) => /[*?{]/.test(p));
  return (at < 0 ? parts : parts.slice(0, at)).join('/');
}

/** Normalises a user's glob: POSIX separators, no leading './'. */
export function normaliseGlob(glob: string): string {
  return glob.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** The files (absolute paths) `globs` match below `projectDir`; `unmatched` lists globs that matched nothing. */
export async function expandAssetGlobs(globs: readonly string[], projectDir: string): Promise<{ files: string[]; unmatched: string[] }> {
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const raw of globs) {
    const glob = normaliseGlob(raw);
    const prefix = staticPrefix(glob);
    const start = path.resolve(projectDir, prefix);
    const stat = await fs.stat(start).catch(() => null);
    // Counted per glob: files an earlier glob took still count as this one's matches.
    let matched = 0;
    if (stat?.isFile() && prefix === glob) {
      files.add(start);
      matched++;
    } else if (stat?.isDirectory()) {
      const wholeFolder = prefix === glob;
      const matcher = wholeFolder ? null : globToRegExp(glob);
      const walkModules = glob.includes('node_modules');
      for await (const file of walk(start, walkModules)) {
        const rel = path.relative(projectDir, file).split(path.sep).join('/');
        if (!matcher || matcher.test(rel)) {
          files.add(file);
          matched++;
        }
      }
    }
    if (matched === 0) unmatched.push(raw);
  }
  return { files: [...files].sort(), unmatched };
}

async function* walk(dir: string, walkModules: boolean): AsyncGenerator<string> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' && !walkModules) continue;
      yield* walk(full, walkModules);
    } else if (entry.isFile()) yield full;
  }
}
