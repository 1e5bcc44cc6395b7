/**
 * How a service or task process ends once Node's `process.exit` has run the 'exit' listeners
 * (where the lifecycle reports STOPPED and the log is flushed): with TerminateProcess, instead of
 * Node's own teardown. Node's teardown joins every worker thread first, so one app worker stuck
 * in a native call (or in a loop Node cannot interrupt) would keep a stopped service's process
 * alive for good. Nothing is lost: the log is written synchronously, and stdout/stderr are the
 * log's. Processes in the process's job object end with it (platform/windows/job-bindings.ts).
 *
 * `process.reallyExit` is the step of `process.exit` after the 'exit' event; it is undocumented,
 * and Node's own source notes that user land patches it (signal-exit does).
 */

type ExitingProcess = { reallyExit(code: number): never };

/**
 * From now on `process.exit` ends the process with `terminate()(code)` after its 'exit' listeners.
 * `terminate` is asked only then (so a mode can load koffi lazily); if it throws, Node's own exit
 * goes on.
 */
export function endWithTerminate(terminate: () => (exitCode: number) => never): void {
  const p = process as unknown as ExitingProcess;
  const nodeExit = p.reallyExit.bind(process);
  p.reallyExit = (code: number) => {
    let end: ((exitCode: number) => never) | null = null;
    try {
      end = terminate();
    } catch {
      // no koffi: Node's own exit
    }
    return end ? end(code) : nodeExit(code);
  };
}
