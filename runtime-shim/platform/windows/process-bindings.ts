/**
 * Ending this process from any thread, now: TerminateProcess on the current process. Used where
 * Node's own exit cannot be trusted to finish: the stop deadline on the control thread
 * (lifecycle/stop/stop-deadline.ts) and the end of a service process after its last words
 * (lifecycle/stop/process-end.ts). Processes in the process's job object (platform/windows/job-bindings.ts) end with it
 * when the job's last handle closes (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE).
 */
import type { Koffi } from '../../addons/native-module';

export interface ProcessEnd {
  /** TerminateProcess(GetCurrentProcess(), exitCode): does not return. */
  terminateSelf(exitCode: number): never;
}

export function bindProcessEnd(koffi: Koffi): ProcessEnd {
  const kernel = koffi.load('kernel32.dll');
  const GetCurrentProcess = kernel.func('void * __stdcall GetCurrentProcess()');
  const TerminateProcess = kernel.func('int __stdcall TerminateProcess(void *process, uint32 exitCode)');
  return {
    terminateSelf(exitCode) {
      // On the current process TerminateProcess does not return when it succeeds.
      TerminateProcess(GetCurrentProcess(), exitCode >>> 0);
      throw new Error('TerminateProcess on the current process failed');
    },
  };
}
