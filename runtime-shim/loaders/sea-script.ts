/**
 * The SEA main script for Node 22 and 24, whose SEA main must be CommonJS (and for `--compress` on
 * any line). A CommonJS SEA main cannot `import()` (it has no loader), so a vm.Script whose
 * dynamic import uses the default loader imports the app bundle (an ES module: apps may use
 * top-level await). On Node 26 the bundle itself is the SEA main instead, an ES module
 * (sea-prelude.ts): no loader script at all. (An ES module SEA main's own `import()` only reaches
 * built-in modules, so it cannot load the bundle from an asset either.)
 */
import vm from 'node:vm';
import { reportLoadFailure } from '../load-failure';
import { prepareApp } from './sea-app';

function main(): void {
  silenceLoaderWarning();
  const appUrl = prepareApp();
  const importer = new vm.Script(`import(${JSON.stringify(appUrl)})`, {
    filename: 'svcpack:sea-main',
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  (importer.runInThisContext() as Promise<unknown>).catch(reportLoadFailure);
}

/** `vm.USE_MAIN_CONTEXT_DEFAULT_LOADER` is experimental; its warning is noise to users. */
function silenceLoaderWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

main();
