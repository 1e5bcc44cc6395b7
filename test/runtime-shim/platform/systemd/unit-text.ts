/** Reading generated unit text back in tests. */

/** The unit's `key=value` lines of `section` as [key, value] pairs, in order. */
export function directives(text: string, section: string): Array<[string, string]> {
  const lines = text.split('\n');
  const start = lines.indexOf(`[${section}]`);
  if (start < 0) return [];
  const out: Array<[string, string]> = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('[')) break;
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    out.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return out;
}

