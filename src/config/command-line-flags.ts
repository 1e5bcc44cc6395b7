/**
 * The `svcpack build` flags that are not config keys: they say how this one run of the command
 * goes (where the config is, what is printed, whether it keeps watching), never what is built, so
 * a config cannot hold them (a config with `watch` would make every CI build wait forever). The
 * CLI adds them (cli.ts) and the options reference lists them (options-doc.ts) from this table. Pure.
 */
export interface CommandLineFlag {
  /** The flag as commander takes it, value name included (`--config <file>`). */
  flag: string;
  /** One line. */
  help: string;
}

export const COMMAND_LINE_FLAGS: readonly CommandLineFlag[] = [
  { flag: '--config <file>', help: 'read options from this file instead of ./svcpack.config.{ts,mts,cts,js,mjs,cjs,json}' },
  { flag: '--json', help: 'print the build record as JSON on stdout instead of the summary (with --watch: one JSON object per line per build: ok, ms, error)' },
  { flag: '--verbose', help: 'show stack traces on errors' },
  {
    flag: '--watch',
    help: "build, then rebuild whenever the app's sources, the config, package.json, tsconfig.json or package-lock.json change, one line per build, until Ctrl-C (see docs/building.md, Watch mode)",
  },
  {
    flag: '--restart',
    help: 'with --watch, on Windows: after each successful build, stop the installed service of that name, replace its exe with the new one and start it',
  },
];
