/**
 * The documentation holds together: every relative link in README.md and docs/*.md reaches a file
 * that exists and, for a link into a Markdown page, a heading (or `<a id>`) of that page, with
 * GitHub's heading anchors; every page under docs/ is reachable from the README's index; and the
 * README stays the entry page the project guide asks for: it starts with the two commands CI runs
 * (.ci/run), which name scripts package.json has, and stays short.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..', '..');
const docsDir = path.join(repo, 'docs');
const pages = ['README.md', ...fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The lines of a Markdown file outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | null = null;
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(```|~~~)/.exec(l);
    if (m) {
      if (fence === null) fence = m[1]!;
      else if (m[1] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text: l });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .replace(/<[^>]*>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page has: its headings (a repeated heading gets -1, -2, … as on GitHub) and `<a id>`s. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(fs.readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const base = headingAnchor(heading[1]!);
      const n = seen.get(base);
      seen.set(base, n === undefined ? 0 : n + 1);
      anchors.add(n === undefined ? base : `${base}-${n + 1}`);
    }
    for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

interface Link {
  page: string;
  line: number;
  target: string;
}

/** The relative links of a page: `[text](target)` and `![alt](target)` outside code. */
function linksOf(page: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(fs.readFileSync(path.join(repo, page), 'utf8'))) {
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const m of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ page, line, target });
    }
  }
  return links;
}

const anchorCache = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let found = anchorCache.get(file);
  if (!found) anchorCache.set(file, (found = anchorsOf(file)));
  return found;
}

/** What is wrong with a link, or null when it resolves. */
function problem(link: Link): string | null {
  const [rawPath, anchor] = link.target.split('#', 2) as [string, string | undefined];
  const file = rawPath === '' ? path.join(repo, link.page) : path.resolve(path.dirname(path.join(repo, link.page)), decodeURIComponent(rawPath));
  if (!fs.existsSync(file)) return `${path.relative(repo, file)} does not exist`;
  if (anchor === undefined || anchor === '') return null;
  if (!file.endsWith('.md')) return null;
  return anchors(file).has(anchor) ? null : `${path.relative(repo, file)} has no heading #${anchor}`;
}

describe('documentation links', () => {
  test('the anchor of a heading is GitHub\'s', () => {
    expect(headingAnchor('Dependencies in the exe (`--embed-dependencies`)'.replace(/`/g, ''))).toBe('dependencies-in-the-exe---embed-dependencies');
    expect(headingAnchor("The exe's commands")).toBe('the-exes-commands');
    expect(headingAnchor('Performance → The dependency tree\'s cost')).toBe('performance--the-dependency-trees-cost');
    expect(headingAnchor('Node.js lines')).toBe('nodejs-lines');
  });

  test.each(pages)('every relative link in %s resolves to a file and heading', (page) => {
    const broken = linksOf(page)
      .map((link) => ({ link, why: problem(link) }))
      .filter((b) => b.why !== null)
      .map(({ link, why }) => `${link.page}:${link.line}: (${link.target}) — ${why}`);
    expect(broken).toEqual([]);
  });

  test('every page under docs/ is reachable from the README', () => {
    const reached = new Set<string>(['README.md']);
    const queue = ['README.md'];
    while (queue.length > 0) {
      const page = queue.shift()!;
      for (const link of linksOf(page)) {
        const rawPath = link.target.split('#', 1)[0]!;
        if (rawPath === '' || !rawPath.endsWith('.md')) continue;
        const target = path.relative(repo, path.resolve(path.dirname(path.join(repo, page)), rawPath));
        if (pages.includes(target) && !reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    expect(pages.filter((p) => !reached.has(p))).toEqual([]);
  });
});

describe('the README', () => {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');

  test('starts with the two commands: set up and run the example, then run the tests (as .ci/run does)', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
    expect(commands).toEqual(['npm ci && npm run example', 'npm run setup:test && npm test']);
    const scripts = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['example', 'setup:test', 'test']) expect(scripts[name], name).toBeTruthy();
    const ci = fs.readFileSync(path.join(repo, '.ci', 'run'), 'utf8');
    for (const line of ['npm ci', 'npm run setup:test', 'npm test']) expect(ci.split('\n').some((l) => l.trim().startsWith(line)), line).toBe(true);
    // Nothing but the title and the one-line summary comes before the commands.
    expect(readme.indexOf('```sh')).toBeLessThan(readme.indexOf('\n## '));
  });

  test('stays an entry page (at most 400 lines); the detail is in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
  });
});
