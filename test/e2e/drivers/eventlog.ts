/**
 * Driver for test/e2e/eventlog.test.ts, bundled to CJS and run by the Windows node.exe under Wine
 * (koffi.node loaded with process.dlopen, as in the exe). Calls the Event Log bindings and the sink
 * and records each step's result (value, or error with Win32 function and code) in a JSON report:
 *
 * - RegisterEventSourceW / ReportEventW (one event of each type) / DeregisterEventSource directly;
 * - createEventLogSink fed lifecycle and app records (what it reports shows in Wine's debug output);
 * - the source's registry functions (register, read back, remove, remove again);
 * - FormatMessageW on the built exe's message table, as Event Viewer formats an event's text.
 *
 * node.exe under Wine cannot write to a Linux pipe, so everything goes to files.
 */
import fs from 'node:fs';
import { EVENT_IDS } from '../../../runtime-shim/logging/event-ids';
import { createEventLogSink } from '../../../runtime-shim/platform/windows/event-log-sink';
import * as E from '../../../runtime-shim/platform/windows/eventlog-bindings';
import { bindLocalMachineRegistry } from '../../../runtime-shim/platform/windows/registry-bindings';
import { loadKoffi, StepRecorder, type StepReport } from './step-report';

export interface EventLogDriverConfig {
  /** Windows path of koffi's win32_x64 koffi.node. */
  koffi: string;
  /** Windows path of the JSON report. */
  report: string;
  /** Event source the driver reports as (never registered in the registry). */
  source: string;
  /** Event source the registry steps create and remove. */
  registrySource: string;
  /** Windows path of a built svcpack exe (its message table). */
  exe: string;
  /** The lifecycle and app records fed to the sink: [level, source, message]. */
  records: [string, string, string][];
}

export type EventLogDriverReport = StepReport;

/** The text FormatMessageW gives each step's insertion string. */
export const INSERT = 'text ✓ with %2 and a\r\nsecond line';

const LOAD_LIBRARY_AS_DATAFILE = 0x2;
const LOAD_LIBRARY_AS_IMAGE_RESOURCE = 0x20;
const FORMAT_MESSAGE_FROM_HMODULE = 0x800;
const FORMAT_MESSAGE_ARGUMENT_ARRAY = 0x2000;

async function run(cfg: EventLogDriverConfig): Promise<void> {
  const rec = new StepRecorder(cfg.report);
  await rec.run(() => {
    const koffi = loadKoffi(cfg.koffi);
    const api = E.bindEventLog(koffi);

    // The bindings, directly: one event of each type.
    const handle = rec.step('register', () => api.register(cfg.source), (h) => typeof h === 'object' && h !== null);
    if (handle) {
      rec.step('reportInformation', () => api.report(handle, E.EVENTLOG_INFORMATION_TYPE, 1, 'driver information'));
      rec.step('reportWarning', () => api.report(handle, E.EVENTLOG_WARNING_TYPE, 3, 'driver warning'));
      rec.step('reportError', () => api.report(handle, E.EVENTLOG_ERROR_TYPE, 4, 'driver error'));
      rec.step('deregister', () => api.deregister(handle));
    }

    // The sink, fed log records.
    const sink = rec.step('createSink', () => createEventLogSink(koffi, cfg.source), (s) => s !== null);
    if (sink) {
      rec.step('sinkWrites', () => {
        for (const [level, source, message] of cfg.records) sink.write(level as never, source as never, message);
      });
      rec.step('sinkClose', () => sink.close());
    }

    // The source's registry key.
    const registry = E.bindEventSourceRegistry(bindLocalMachineRegistry(koffi));
    rec.step('sourceBefore', () => registry.eventSourceFile(cfg.registrySource));
    rec.step('registerSource', () => registry.registerEventSource(cfg.registrySource, cfg.exe));
    rec.step('sourceAfter', () => registry.eventSourceFile(cfg.registrySource));
    rec.step('reregisterSource', () => registry.registerEventSource(cfg.registrySource, 'C:\\moved\\Other Folder\\x.exe'));
    rec.step('sourceMoved', () => registry.eventSourceFile(cfg.registrySource));
    rec.step('removeSource', () => registry.removeEventSource(cfg.registrySource));
    rec.step('sourceRemoved', () => registry.eventSourceFile(cfg.registrySource));
    rec.step('removeAgain', () => registry.removeEventSource(cfg.registrySource));
    rec.step('invalidName', () => registry.removeEventSource('a\\b'));

    // What Event Viewer does with an event of this source: FormatMessage from the message file.
    const kernel = koffi.load('kernel32.dll');
    const LoadLibraryExW = kernel.func('void * __stdcall LoadLibraryExW(str16 file, void *reserved, uint32 flags)');
    const FreeLibrary = kernel.func('int __stdcall FreeLibrary(void *module)');
    const GetLastError = kernel.func('uint32 __stdcall GetLastError()');
    const FormatMessageW = kernel.func(
      'uint32 __stdcall FormatMessageW(uint32 flags, void *source, uint32 id, uint32 lang, void *buffer, uint32 chars, str16 *args)',
    );
    const win32Error = (fn: string) => Object.assign(new Error(`${fn} failed`), { name: 'Win32Error', fn, code: GetLastError() as number });
    const module = rec.step(
      'loadExe',
      () => {
        const loaded: unknown = LoadLibraryExW(cfg.exe, null, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
        if (!loaded) throw win32Error('LoadLibraryExW');
        return loaded;
      },
      () => true,
    );
    if (module) {
      const format = (id: number, lang: number) => {
        const buffer = Buffer.alloc(4096);
        const flags = FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY;
        const chars = FormatMessageW(flags, module, id, lang, buffer, buffer.length / 2, [INSERT]) as number;
        if (chars === 0) throw win32Error('FormatMessageW');
        return buffer.toString('utf16le', 0, chars * 2);
      };
      for (const id of EVENT_IDS) rec.step(`format:${id}`, () => format(id, 0));
      rec.step('formatEnglish', () => format(EVENT_IDS[0]!, 0x409));
      rec.step('formatGerman', () => format(EVENT_IDS[0]!, 0x407));
      rec.step('formatUnknownId', () => format(99, 0));
      FreeLibrary(module);
    }
  });
}

const [configFile] = process.argv.slice(2);
if (configFile) void run(JSON.parse(fs.readFileSync(configFile, 'utf8')) as EventLogDriverConfig);
