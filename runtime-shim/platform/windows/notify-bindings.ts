/**
 * NotifyServiceStatusChangeW and the alertable wait it needs, through koffi. Windows (and Wine:
 * sechost's notify thread QueueUserAPCs the callback to the registering thread) delivers a
 * notification by filling the caller's SERVICE_NOTIFYW and queueing its callback as an APC to the
 * thread that registered it, so the caller must be a thread that waits alertably:
 * `waitAlertable` (SleepEx(ms, TRUE)) is where the APC runs. A registration is one-shot: `arm`
 * registers the next one. Used only by the watch thread (loaders/watch-thread.ts); Node's main
 * thread never waits alertably.
 *
 * The callback is not JavaScript: it is a native function that ignores its argument
 * (kernel32!GetCurrentThreadId), and `take` reads the buffer once the APC ran. A koffi callback
 * (koffi.register) would make koffi create its async-callback broker, a Node-API threadsafe
 * function, in the worker; koffi releases that broker while Node tears the worker's environment
 * down, after Node has dropped the environment's async-hooks state, and releasing it then crashes
 * the whole process (an access violation in node.exe as the worker ends). Without a JS callback
 * there is no broker, and no callback can run after the watch is over.
 */
import { Win32Error, type ScHandle } from '../manager-api';
import type { Koffi } from '../../addons/native-module';
import { encodeServiceNotify, markServiceNotifyRead, parseServiceNotify, SERVICE_NOTIFYW_SIZE, type ServiceNotification } from './win32-data';

export type { ServiceNotification } from './win32-data';

/** Every SERVICE_NOTIFY_* state bit (STOPPED 0x1 … PAUSED 0x40). */
export const SERVICE_NOTIFY_ALL_STATES = 0x7f;
/** The service was marked for deletion (DeleteService): its handles must be closed for it to go. */
export const SERVICE_NOTIFY_DELETE_PENDING = 0x200;
/** SleepEx's result when APCs ran. */
const WAIT_IO_COMPLETION = 0xc0;

export interface ServiceNotifyApi {
  /**
   * Whether this SCM reports a deletion (SERVICE_NOTIFY_DELETE_PENDING, or
   * ERROR_SERVICE_MARKED_FOR_DELETE from a registration). False under Wine (ntdll exports
   * `wine_get_version`), whose SCM never does: a marked service there only shows by being gone
   * once every handle to it is closed.
   */
  readonly notifiesDeletion: boolean;
  /**
   * Registers for the next change of the service's state (all states) or its deletion
   * (`service`: opened with SERVICE_QUERY_STATUS). The notification arrives during a later
   * `waitAlertable` of this thread; `take` reads it. Throws Win32Error('NotifyServiceStatusChangeW', code).
   */
  arm(service: ScHandle): void;
  /** The notification delivered since the last `arm` (once), or null when none was. */
  take(): ServiceNotification | null;
  /** SleepEx(ms, TRUE): waits up to `ms`, running queued APCs; true when some ran. */
  waitAlertable(ms: number): boolean;
}

/**
 * The notify API for the calling thread, with its one SERVICE_NOTIFYW buffer. The buffer is never
 * freed: sechost may still fill it for a registration whose handle was just closed (the fill
 * races the close), so it must outlive every registration; it is 80 bytes per watch thread.
 */
export function bindServiceNotify(koffi: Koffi): ServiceNotifyApi {
  const advapi = koffi.load('advapi32.dll');
  const kernel = koffi.load('kernel32.dll');
  const NotifyServiceStatusChangeW = advapi.func('uint32 __stdcall NotifyServiceStatusChangeW(void *service, uint32 mask, void *buffer)');
  const SleepEx = kernel.func('uint32 __stdcall SleepEx(uint32 ms, int alertable)');
  const GetModuleHandleW = kernel.func('void * __stdcall GetModuleHandleW(str16 name)');
  const GetProcAddress = kernel.func('void * __stdcall GetProcAddress(void *module, str name)');
  const exported = (dll: string, name: string): unknown => {
    const module = GetModuleHandleW(dll) as unknown;
    return module === null ? null : (GetProcAddress(module, name) as unknown);
  };

  const apcRoutine = exported('kernel32.dll', 'GetCurrentThreadId');
  if (apcRoutine === null) throw new Win32Error('GetProcAddress', 127);
  const callback = koffi.address(apcRoutine);
  const buffer = koffi.alloc('uint8', SERVICE_NOTIFYW_SIZE);
  const bytes = (): Uint8Array => new Uint8Array(koffi.view(buffer, SERVICE_NOTIFYW_SIZE));

  return {
    notifiesDeletion: exported('ntdll.dll', 'wine_get_version') === null,
    arm(service) {
      bytes().set(encodeServiceNotify(callback));
      const code = NotifyServiceStatusChangeW(service, SERVICE_NOTIFY_ALL_STATES | SERVICE_NOTIFY_DELETE_PENDING, buffer) as number;
      if (code !== 0) throw new Win32Error('NotifyServiceStatusChangeW', code);
    },
    take() {
      const view = bytes();
      const delivered = parseServiceNotify(view.slice());
      if (delivered) markServiceNotifyRead(view);
      return delivered;
    },
    waitAlertable(ms) {
      return (SleepEx(ms, 1) as number) === WAIT_IO_COMPLETION;
    },
  };
}
