/**
 * Imports a module by URL through Node's default ES module loader (and so through the module hooks
 * of module-hooks.ts). A CommonJS SEA main cannot `import()`, and an ES module SEA main's own
 * `import()` reaches only built-in modules; a `vm.Script` whose dynamic import uses the main
 * context's default loader can, on every supported line.
 */
import vm from 'node:vm';

let silenced = false;

/** `scriptName` names the importer in stack traces (the SEA main's loader: `svcpack:sea-main`). */
export function importByUrl(url: string, scriptName = 'svcpack:import'): Promise<unknown> {
  silenceLoaderWarning();
  const importer = new vm.Script(`import(${JSON.stringify(url)})`, {
    filename: scriptName,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return importer.runInThisContext() as Promise<unknown>;
}

/** `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER` is experimental; its warning is noise to users. */
function silenceLoaderWarning(): void {
  if (silenced) return;
  silenced = true;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
