/**
 * A Windows job object that holds the supervised app and every process it starts, so the whole
 * tree can be ended at once (TerminateJobObject) and dies with the supervisor
 * (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE) even if the supervisor itself is killed. koffi bindings to
 * kernel32; every failed call throws Win32Error.
 */
import { bindLastError } from './last-error';
import { Win32Error } from '../manager-api';
import type { Koffi } from '../../addons/native-module';
import type { ProcessJob } from '../platform';

const JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9;
/** sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on x64; LimitFlags sits at offset 16. */
const EXTENDED_LIMIT_INFORMATION_SIZE = 144;
const LIMIT_FLAGS_OFFSET = 16;
const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000;
const PROCESS_TERMINATE = 0x0001;
const PROCESS_SET_QUOTA = 0x0100;

/** The job this process put itself into (containThisProcess); held for the life of the process. */
let ownJob: ProcessJob | null = null;

/**
 * Puts this process into a job object of its own (once): every process it starts from now on, and
 * what those start, ends when this process ends, however it ends (the job's last handle closes
 * with it). In-process service and task modes call it before the app runs. Throws Win32Error.
 */
export function containThisProcess(koffi: Koffi): void {
  if (ownJob) return;
  const job = createProcessJob(koffi);
  job.add(process.pid);
  ownJob = job;
}

export function createProcessJob(koffi: Koffi): ProcessJob {
  const kernel = koffi.load('kernel32.dll');
  const { lastError, fail } = bindLastError(koffi);
  const CreateJobObjectW = kernel.func('void * __stdcall CreateJobObjectW(void *attributes, str16 name)');
  const SetInformationJobObject = kernel.func('int __stdcall SetInformationJobObject(void *job, int infoClass, void *info, uint32 length)');
  const OpenProcess = kernel.func('void * __stdcall OpenProcess(uint32 access, int inherit, uint32 pid)');
  const AssignProcessToJobObject = kernel.func('int __stdcall AssignProcessToJobObject(void *job, void *process)');
  const TerminateJobObject = kernel.func('int __stdcall TerminateJobObject(void *job, uint32 exitCode)');
  const CloseHandle = kernel.func('int __stdcall CloseHandle(void *handle)');

  const job = CreateJobObjectW(null, null);
  if (!job) fail('CreateJobObjectW');
  const info = Buffer.alloc(EXTENDED_LIMIT_INFORMATION_SIZE);
  info.writeUInt32LE(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, LIMIT_FLAGS_OFFSET);
  if (!SetInformationJobObject(job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS, info, info.length)) {
    const code = lastError();
    CloseHandle(job);
    throw new Win32Error('SetInformationJobObject', code);
  }
  return {
    add(pid) {
      const process = OpenProcess(PROCESS_TERMINATE | PROCESS_SET_QUOTA, 0, pid);
      if (!process) fail('OpenProcess');
      try {
        if (!AssignProcessToJobObject(job, process)) fail('AssignProcessToJobObject');
      } finally {
        CloseHandle(process);
      }
    },
    terminate(exitCode) {
      if (!TerminateJobObject(job, exitCode)) fail('TerminateJobObject');
    },
  };
}
