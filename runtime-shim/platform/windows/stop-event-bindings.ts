/**
 * The graceful stop request of a scheduled task: a named event `Global\svcpack-stop-<Name>` that
 * the task's process creates (modes/task-mode.ts) and `<exe> stop` signals (commands/task/task-commands.ts).
 * Task Scheduler itself ends a task by terminating its process; this is svcpack's own way to
 * ask first. The event's DACL lets only SYSTEM and Administrators open it, so no other user can
 * stop the task; its creator keeps full access through its handle. The event exists exactly as
 * long as the task's process runs (named kernel objects vanish with their last handle), which is
 * how `stop` sees that the process has ended. koffi bindings to kernel32/advapi32; failures throw
 * Win32Error.
 */
import type { StopEvents } from '../scheduler-api';
import { bindLastError } from './last-error';
import type { Koffi } from '../../addons/native-module';

const EVENT_MODIFY_STATE = 0x0002;
const SDDL_REVISION_1 = 1;
const WAIT_OBJECT_0 = 0;
/** Protected DACL: full access for SYSTEM and Administrators only. */
const STOP_EVENT_SDDL = 'D:P(A;;GA;;;SY)(A;;GA;;;BA)';

export const stopEventName = (name: string): string => `Global\\svcpack-stop-${name}`;

export function bindStopEvents(koffi: Koffi): StopEvents {
  const kernel = koffi.load('kernel32.dll');
  const advapi = koffi.load('advapi32.dll');
  const { fail } = bindLastError(koffi);
  const SECURITY_ATTRIBUTES = koffi.struct({ nLength: 'uint32', lpSecurityDescriptor: 'void *', bInheritHandle: 'int' });
  const CreateEventW = kernel.func('void * __stdcall CreateEventW(void *attributes, int manualReset, int initialState, str16 name)');
  const OpenEventW = kernel.func('void * __stdcall OpenEventW(uint32 access, int inherit, str16 name)');
  const SetEvent = kernel.func('int __stdcall SetEvent(void *event)');
  const WaitForSingleObject = kernel.func('uint32 __stdcall WaitForSingleObject(void *handle, uint32 ms)');
  const CloseHandle = kernel.func('int __stdcall CloseHandle(void *handle)');
  const LocalFree = kernel.func('void * __stdcall LocalFree(void *memory)');
  const ConvertSddl = advapi.func(
    'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16 sddl, uint32 revision, _Out_ void **descriptor, void *size)',
  );

  return {
    create(name) {
      const descriptor: unknown[] = [null];
      if (!ConvertSddl(STOP_EVENT_SDDL, SDDL_REVISION_1, descriptor, null)) fail('ConvertStringSecurityDescriptorToSecurityDescriptorW');
      try {
        const attributes = { nLength: koffi.sizeof(SECURITY_ATTRIBUTES), lpSecurityDescriptor: descriptor[0], bInheritHandle: 0 };
        const event = CreateEventW(koffi.as(attributes, koffi.pointer(SECURITY_ATTRIBUTES)), 1, 0, stopEventName(name));
        if (!event) fail('CreateEventW');
        // The handle stays open for the life of the process: the event must exist exactly that long.
        return { signaled: () => WaitForSingleObject(event, 0) === WAIT_OBJECT_0 };
      } finally {
        LocalFree(descriptor[0]);
      }
    },
    signal(name) {
      const event = OpenEventW(EVENT_MODIFY_STATE, 0, stopEventName(name));
      if (!event) return false;
      try {
        if (!SetEvent(event)) fail('SetEvent');
        return true;
      } finally {
        CloseHandle(event);
      }
    },
    exists(name) {
      const event = OpenEventW(EVENT_MODIFY_STATE, 0, stopEventName(name));
      if (event) CloseHandle(event);
      return Boolean(event);
    },
  };
}
