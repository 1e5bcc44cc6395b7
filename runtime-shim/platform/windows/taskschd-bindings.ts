/**
 * The koffi implementation of `TaskSchedulerApi` (platform/scheduler-api.ts): Task Scheduler 2.0's
 * COM API (ITaskService → root ITaskFolder → IRegisteredTask), called through the objects'
 * vtables. Every failed call throws `TaskSchedulerError(<method>, <HRESULT>)`; interfaces and
 * BSTRs are released in `finally`. A password travels in a BSTR that is zeroed before it is freed.
 *
 * Conventions: COM methods are declared `__stdcall` with `this` first; BSTRs are `void *` made by
 * SysAllocString; VARIANTs are passed by value as a 24-byte struct (vt, three reserved words, two
 * pointer-sized words: VT_BSTR keeps its BSTR in the first); interface pointers are `void *`.
 * Vtable slots are taskschd.h's order (IUnknown 0-2, IDispatch 3-6, then the interface's own).
 * Bound once per process (the prototypes are named koffi types).
 */
import {
  TASK_STATES,
  TaskSchedulerError,
  HRESULT_FILE_NOT_FOUND,
  oleDateText,
  type TaskRunInfo,
  type TaskSchedulerApi,
} from '../scheduler-api';
import type { Koffi } from '../../addons/native-module';

type Ptr = unknown;

/** CLSID_TaskScheduler {0F87369F-A4E5-4CFC-BD3E-73E6154572DD} in memory order. */
const CLSID_TASK_SCHEDULER = guid('0f87369f', 'a4e5', '4cfc', 'bd3e', '73e6154572dd');
/** IID_ITaskService {2FABA4C7-4DA9-4013-9697-20CC3FD40F85}. */
const IID_ITASK_SERVICE = guid('2faba4c7', '4da9', '4013', '9697', '20cc3fd40f85');

const CLSCTX_INPROC_SERVER = 0x1;
const COINIT_MULTITHREADED = 0x0;
/** S_FALSE (already initialized) and RPC_E_CHANGED_MODE (initialized otherwise) both leave COM usable. */
const RPC_E_CHANGED_MODE = 0x80010106;
const TASK_CREATE_OR_UPDATE = 6;
const VT_EMPTY = 0;
const VT_BSTR = 8;

/** Vtable slots. */
const SLOT = {
  release: 2,
  service: { getFolder: 7, connect: 10 },
  folder: { getTask: 13, deleteTask: 15, registerTask: 16 },
  task: { state: 9, run: 12, lastRunTime: 15, lastTaskResult: 16, nextRunTime: 18, xml: 20, stop: 23 },
} as const;

function guid(a: string, b: string, c: string, d: string, e: string): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, parseInt(a, 16), true);
  view.setUint16(4, parseInt(b, 16), true);
  view.setUint16(6, parseInt(c, 16), true);
  bytes.set(Buffer.from(d + e, 'hex'), 8);
  return bytes;
}

let bound: TaskSchedulerApi | null = null;

export function bindTaskScheduler(koffi: Koffi): TaskSchedulerApi {
  bound ??= bind(koffi);
  return bound;
}

function bind(koffi: Koffi): TaskSchedulerApi {
  const ole32 = koffi.load('ole32.dll');
  const oleaut32 = koffi.load('oleaut32.dll');
  const CoInitializeEx = ole32.func('int32 __stdcall CoInitializeEx(void *reserved, uint32 coInit)');
  const CoCreateInstance = ole32.func('int32 __stdcall CoCreateInstance(void *clsid, void *outer, uint32 context, void *iid, _Out_ void **obj)');
  const SysAllocString = oleaut32.func('void * __stdcall SysAllocString(str16 text)');
  const SysFreeString = oleaut32.func('void __stdcall SysFreeString(void *bstr)');
  const SysStringLen = oleaut32.func('uint32 __stdcall SysStringLen(void *bstr)');

  koffi.struct('SvcpackVariant', { vt: 'uint16', r1: 'uint16', r2: 'uint16', r3: 'uint16', p1: 'void *', p2: 'void *' });
  const proto = {
    release: koffi.proto('uint32 __stdcall SvcpackRelease(void *self)'),
    connect: koffi.proto('int32 __stdcall SvcpackConnect(void *self, SvcpackVariant server, SvcpackVariant user, SvcpackVariant domain, SvcpackVariant password)'),
    getFolder: koffi.proto('int32 __stdcall SvcpackGetFolder(void *self, void *path, _Out_ void **folder)'),
    getTask: koffi.proto('int32 __stdcall SvcpackGetTask(void *self, void *path, _Out_ void **task)'),
    deleteTask: koffi.proto('int32 __stdcall SvcpackDeleteTask(void *self, void *name, int32 flags)'),
    registerTask: koffi.proto(
      'int32 __stdcall SvcpackRegisterTask(void *self, void *path, void *xml, int32 flags, SvcpackVariant user, SvcpackVariant password, int32 logonType, SvcpackVariant sddl, _Out_ void **task)',
    ),
    getLong: koffi.proto('int32 __stdcall SvcpackGetLong(void *self, _Out_ int32 *value)'),
    getDate: koffi.proto('int32 __stdcall SvcpackGetDate(void *self, _Out_ double *value)'),
    getBstr: koffi.proto('int32 __stdcall SvcpackGetBstr(void *self, _Out_ void **value)'),
    run: koffi.proto('int32 __stdcall SvcpackRun(void *self, SvcpackVariant params, _Out_ void **running)'),
    stop: koffi.proto('int32 __stdcall SvcpackStop(void *self, int32 flags)'),
  };

  const empty = { vt: VT_EMPTY, r1: 0, r2: 0, r3: 0, p1: null, p2: null };
  const bstrVariant = (bstr: Ptr) => ({ ...empty, vt: VT_BSTR, p1: bstr });

  const method = (obj: Ptr, slot: number): Ptr => {
    const vtable = koffi.decode(obj, 'void *') as Ptr;
    return (koffi.decode(vtable, 'void *', slot + 1) as Ptr[])[slot];
  };
  const call = (fn: string, obj: Ptr, slot: number, type: unknown, ...args: unknown[]): number => {
    const hr = (koffi.call(method(obj, slot), type as never, obj, ...args) as number) >>> 0;
    if (hr >= 0x80000000) throw new TaskSchedulerError(fn, hr);
    return hr;
  };
  const release = (obj: Ptr): void => {
    if (obj) koffi.call(method(obj, SLOT.release), proto.release, obj);
  };
  const withBstr = <T>(text: string, work: (bstr: Ptr) => T): T => {
    const bstr = SysAllocString(text) as Ptr;
    try {
      return work(bstr);
    } finally {
      SysFreeString(bstr);
    }
  };
  const readBstr = (bstr: Ptr): string => {
    if (!bstr) return '';
    const length = SysStringLen(bstr) as number;
    return length === 0 ? '' : (koffi.decode(bstr, 'char16_t', length) as string);
  };

  let initialized = false;
  /** Connects to the local Task Scheduler and runs `work` with its root folder. */
  const withRoot = <T>(work: (root: Ptr) => T): T => {
    if (!initialized) {
      const hr = (CoInitializeEx(null, COINIT_MULTITHREADED) as number) >>> 0;
      if (hr >= 0x80000000 && hr !== RPC_E_CHANGED_MODE) throw new TaskSchedulerError('CoInitializeEx', hr);
      initialized = true;
    }
    const out: Ptr[] = [null];
    const hr = (CoCreateInstance(CLSID_TASK_SCHEDULER, null, CLSCTX_INPROC_SERVER, IID_ITASK_SERVICE, out) as number) >>> 0;
    if (hr !== 0 || !out[0]) throw new TaskSchedulerError('CoCreateInstance(TaskScheduler)', hr);
    const service = out[0];
    let root: Ptr = null;
    try {
      call('ITaskService::Connect', service, SLOT.service.connect, proto.connect, empty, empty, empty, empty);
      const folder: Ptr[] = [null];
      withBstr('\\', (path) => call('ITaskService::GetFolder', service, SLOT.service.getFolder, proto.getFolder, path, folder));
      root = folder[0];
      return work(root);
    } finally {
      release(root);
      release(service);
    }
  };
  /** Runs `work` with registered task `name`; null when there is no such task. */
  const withTask = <T>(name: string, work: (task: Ptr) => T): T | null =>
    withRoot((root) => {
      const out: Ptr[] = [null];
      try {
        withBstr(name, (path) => call('ITaskFolder::GetTask', root, SLOT.folder.getTask, proto.getTask, path, out));
      } catch (err) {
        if (err instanceof TaskSchedulerError && err.hresult === HRESULT_FILE_NOT_FOUND) return null;
        throw err;
      }
      try {
        return work(out[0]);
      } finally {
        release(out[0]);
      }
    });
  const existingTask = <T>(name: string, work: (task: Ptr) => T): T => {
    const result = withTask(name, (task) => ({ value: work(task) }));
    if (result === null) throw new TaskSchedulerError('ITaskFolder::GetTask', HRESULT_FILE_NOT_FOUND);
    return result.value;
  };
  /** A property that this Task Scheduler may not implement: null on any failure. */
  const optional = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch (err) {
      if (err instanceof TaskSchedulerError) return null;
      throw err;
    }
  };

  return {
    definition(name) {
      return withTask(name, (task) => {
        const out: Ptr[] = [null];
        call('IRegisteredTask::get_Xml', task, SLOT.task.xml, proto.getBstr, out);
        try {
          return readBstr(out[0]);
        } finally {
          SysFreeString(out[0]);
        }
      });
    },

    register(name, xml, as) {
      withRoot((root) =>
        withBstr(name, (path) =>
          withBstr(xml, (xmlBstr) =>
            withBstr(as.user, (user) => {
              const password = as.password === null ? null : (SysAllocString(as.password) as Ptr);
              const out: Ptr[] = [null];
              try {
                call(
                  'ITaskFolder::RegisterTask',
                  root,
                  SLOT.folder.registerTask,
                  proto.registerTask,
                  path,
                  xmlBstr,
                  TASK_CREATE_OR_UPDATE,
                  bstrVariant(user),
                  password === null ? empty : bstrVariant(password),
                  as.logon,
                  empty,
                  out,
                );
              } finally {
                release(out[0]);
                if (password !== null) {
                  // Zero the password's characters before the BSTR goes back to the allocator.
                  koffi.encode(password, 'uint16', new Array<number>(as.password!.length).fill(0), as.password!.length);
                  SysFreeString(password);
                }
              }
            }),
          ),
        ),
      );
    },

    remove(name) {
      return withRoot((root) => {
        try {
          withBstr(name, (path) => call('ITaskFolder::DeleteTask', root, SLOT.folder.deleteTask, proto.deleteTask, path, 0));
          return true;
        } catch (err) {
          if (err instanceof TaskSchedulerError && err.hresult === HRESULT_FILE_NOT_FOUND) return false;
          throw err;
        }
      });
    },

    runInfo(name) {
      return existingTask(name, (task): TaskRunInfo => {
        const long = (fn: string, slot: number) => {
          const out: [number] = [0];
          call(fn, task, slot, proto.getLong, out);
          return out[0];
        };
        const date = (fn: string, slot: number) => {
          const out: [number] = [0];
          call(fn, task, slot, proto.getDate, out);
          return oleDateText(out[0]);
        };
        return {
          state: optional(() => TASK_STATES[long('IRegisteredTask::get_State', SLOT.task.state)] ?? 'unknown'),
          lastRunTime: optional(() => date('IRegisteredTask::get_LastRunTime', SLOT.task.lastRunTime)),
          lastResult: optional(() => long('IRegisteredTask::get_LastTaskResult', SLOT.task.lastTaskResult) >>> 0),
          nextRunTime: optional(() => date('IRegisteredTask::get_NextRunTime', SLOT.task.nextRunTime)),
        };
      });
    },

    run(name) {
      existingTask(name, (task) => {
        const out: Ptr[] = [null];
        try {
          call('IRegisteredTask::Run', task, SLOT.task.run, proto.run, empty, out);
        } finally {
          release(out[0]);
        }
      });
    },

    stop(name) {
      existingTask(name, (task) => call('IRegisteredTask::Stop', task, SLOT.task.stop, proto.stop, 0));
    },
  };
}
