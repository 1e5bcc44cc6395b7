/**
 * NotifyServiceStatusChangeW and the alertable wait it needs, through koffi. Windows (and Wine:
 * sechost's notify thread QueueUserAPCs the callback to the registering thread) delivers the
 * notification as an APC to the thread that registered it, so the caller must be a thread that
 * waits alertably: `waitAlertable` (SleepEx(ms, TRUE)) is where the callback runs. A notification
 * is one-shot: `arm` registers the next one. Used only by the watch thread
 * (loaders/watch-thread.ts); Node's main thread never waits alertably.
 */
import { Win32Error, type ScHandle, type ServiceStatusInfo } from './manager-api';
import type { Koffi } from './native-module';
import { parseServiceStatus } from './win32-data';

/** SERVICE_NOTIFY_STATUS_CHANGE: the SERVICE_NOTIFYW version. */
const SERVICE_NOTIFY_STATUS_CHANGE = 2;
/** Every SERVICE_NOTIFY_* state bit (STOPPED 0x1 … PAUSED 0x40). */
export const SERVICE_NOTIFY_ALL_STATES = 0x7f;
/** SERVICE_NOTIFYW on x64: dwVersion, pad, pfnNotifyCallback, pContext, dwNotificationStatus, SERVICE_STATUS_PROCESS (36), dwNotificationTriggered, pad, pszServiceNames. */
const SERVICE_NOTIFYW_SIZE = 80;
const OFFSET_CALLBACK = 8;
const OFFSET_NOTIFICATION_STATUS = 24;
const OFFSET_SERVICE_STATUS = 28;
const SERVICE_STATUS_PROCESS_SIZE = 36;
/** SleepEx's result when APCs ran. */
const WAIT_IO_COMPLETION = 0xc0;

/** One delivered notification: its status (0, or e.g. 1072 when the service was deleted) and the service's status then. */
export interface ServiceNotification {
  notificationStatus: number;
  status: ServiceStatusInfo;
}

export interface StatusNotifier {
  /**
   * Registers for the next change of the service's state (all states). The callback runs inside a
   * later `waitAlertable` of this thread. Throws Win32Error('NotifyServiceStatusChangeW', code).
   */
  arm(): void;
  /** Frees the notification buffer and callback; close the service handle first (that cancels a pending notification). */
  dispose(): void;
}

export interface ServiceNotifyApi {
  /** A notifier for an open service handle (SERVICE_QUERY_STATUS) that calls `onNotify` for each delivered notification. */
  notifier(service: ScHandle, onNotify: (n: ServiceNotification) => void): StatusNotifier;
  /** SleepEx(ms, TRUE): waits up to `ms`, running queued APCs; true when some ran. */
  waitAlertable(ms: number): boolean;
}

export function bindServiceNotify(koffi: Koffi): ServiceNotifyApi {
  const advapi = koffi.load('advapi32.dll');
  const kernel = koffi.load('kernel32.dll');
  const NotifyCallback = koffi.proto('void __stdcall PFN_SC_NOTIFY_CALLBACK(void *parameter)');
  const NotifyServiceStatusChangeW = advapi.func('uint32 __stdcall NotifyServiceStatusChangeW(void *service, uint32 mask, void *buffer)');
  const SleepEx = kernel.func('uint32 __stdcall SleepEx(uint32 ms, int alertable)');

  return {
    notifier(service, onNotify) {
      const buffer = koffi.alloc('uint8', SERVICE_NOTIFYW_SIZE);
      const bytes = (): Uint8Array => new Uint8Array(koffi.view(buffer, SERVICE_NOTIFYW_SIZE));
      const callback = koffi.register((): void => {
        // An exception escaping a koffi callback hangs the thread (DESIGN §4): report it instead.
        try {
          const copy = bytes().slice();
          const view = new DataView(copy.buffer);
          onNotify({
            notificationStatus: view.getUint32(OFFSET_NOTIFICATION_STATUS, true),
            status: parseServiceStatus(copy.subarray(OFFSET_SERVICE_STATUS, OFFSET_SERVICE_STATUS + SERVICE_STATUS_PROCESS_SIZE)),
          });
        } catch (err) {
          queueMicrotask(() => {
            throw err;
          });
        }
      }, koffi.pointer(NotifyCallback));
      return {
        arm() {
          const init = bytes();
          init.fill(0);
          const view = new DataView(init.buffer, init.byteOffset, init.byteLength);
          view.setUint32(0, SERVICE_NOTIFY_STATUS_CHANGE, true);
          view.setBigUint64(OFFSET_CALLBACK, BigInt(koffi.address(callback)), true);
          const code = NotifyServiceStatusChangeW(service, SERVICE_NOTIFY_ALL_STATES, buffer) as number;
          if (code !== 0) throw new Win32Error('NotifyServiceStatusChangeW', code);
        },
        dispose() {
          koffi.unregister(callback);
          koffi.free(buffer);
        },
      };
    },
    waitAlertable(ms) {
      return (SleepEx(ms, 1) as number) === WAIT_IO_COMPLETION;
    },
  };
}
