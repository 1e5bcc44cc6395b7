import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_FLAGS } from '../../runtime-shim/settings/flags';
import { RUNTIME_SETTINGS } from '../../runtime-shim/settings/runtime-settings';
import { CONFIG_KEYS } from '../../src/config/config-keys';
import { optionsReference } from '../../src/config/options-doc';

describe('docs/options.md', () => {
  const page = optionsReference();

  it('is up to date with the option tables', () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../docs/options.md'), 'utf8');
    expect(committed, 'docs/options.md is out of date: node --import ./scripts/ts-register.js scripts/write-options-doc.ts').toBe(page);
  });

  it('has a row for every config key and every setting an installed service takes', () => {
    const build = page.slice(0, page.indexOf('## Settings of an installed service'));
    const installed = page.slice(page.indexOf('## Settings of an installed service'));
    for (const { key } of CONFIG_KEYS) expect(build, key).toContain(`| \`${key}\` |`);
    for (const { flag } of [...SETTING_FLAGS, ...RUNTIME_SETTINGS]) expect(installed, flag).toContain(`| \`${flag.slice(2)}\` |`);
  });

  it('shows values, defaults and when a change takes effect as the tables say', () => {
    expect(page).toContain('| `--stop-timeout <duration>` | `stopTimeout` | duration string (`"30s"`) or milliseconds | 20s |');
    expect(page).toContain('| `--stop-timeout <duration>` | `stop-timeout` | 20s | on `reload` |');
    expect(page).toContain('| `--log-dir <dir>` | `log-dir` | Windows: %ProgramData%\\\\&lt;name&gt;\\\\logs; Linux: /var/log/&lt;name&gt; (LogsDirectory=) | at the next start |');
    expect(page).toContain('| `--start-type <type>` | `start-type` | auto | now |');
    expect(page).toContain('| `--env <KEY=value>` | `env` |  | at the next start |');
    expect(page).toContain('| `--packer <packer>` | `packer` | `"direct"`, `"pkg"` | direct |');
    expect(page).toContain('| `--compress`, `--no-compress` | `compress` |');
    expect(page).toContain('| `--env <KEY=value>` (repeat) | `env` |');
    // Markdown-sensitive text stays literal: a | in a code span, <…> and \ in plain text.
    expect(page).toContain('`--log-compress <true\\|false>`');
    expect(page).toContain('NT SERVICE\\\\&lt;Name&gt;');
    expect(page).toContain('`stopTimeoutMs` for `stopTimeout`');
  });
});
