/**
 * Driver for test/e2e/allow-control.test.ts, bundled to CJS and run by the Windows node.exe under
 * Wine: reads back, through the koffi bindings under test (service-security-bindings.ts), the DACL
 * of the service `install --allow-control` configured, and shows what Wine's SCM does with a DACL
 * on a scratch service it creates and deletes: its default, a set then read back, the refusals.
 * Also asks LookupAccountNameW for the group names an administrator would write. Every result goes
 * to a JSON step report (node.exe under Wine cannot write to a Linux pipe).
 */
import fs from 'node:fs';
import * as M from '../../../runtime-shim/platform/manager-api';
import { bindManager } from '../../../runtime-shim/platform/windows/manager-bindings';
import { serviceDacl } from '../../../runtime-shim/commands/service-security';
import { loadKoffi, StepRecorder } from './step-report';

export interface DriverConfig {
  /** Windows path of koffi's win32_x64 koffi.node. */
  koffi: string;
  /** Windows path of the JSON report. */
  report: string;
  /** The service the exe installed with --allow-control. */
  installed: string;
  /** A scratch service this driver creates and deletes. */
  scratch: string;
  /** Names to look up with LookupAccountNameW. */
  names: string[];
}

const READ_CONTROL = 0x20000;
const DACL_SECURITY_INFORMATION = 4;

/**
 * SDDL → security descriptor → SDDL with Windows' (here Wine's) own converters, independently of
 * the bindings under test: shows how the system parses the DACL install builds.
 */
function sddlRoundTrip(koffi: ReturnType<typeof loadKoffi>, sddl: string): string {
  const advapi = koffi.load('advapi32.dll');
  const LocalFree = koffi.load('kernel32.dll').func('void * __stdcall LocalFree(void *mem)');
  const toDescriptor = advapi.func(
    'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16 sddl, uint32 revision, _Out_ void **descriptor, _Out_ uint32 *size)',
  );
  const toString = advapi.func(
    'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *descriptor, uint32 revision, uint32 info, _Out_ void **sddl, _Out_ uint32 *length)',
  );
  const descriptor: [unknown] = [null];
  if (!toDescriptor(sddl, 1, descriptor, [0])) throw new Error('ConvertStringSecurityDescriptorToSecurityDescriptorW failed');
  try {
    const text: [unknown] = [null];
    if (!toString(descriptor[0], 1, DACL_SECURITY_INFORMATION, text, [0])) throw new Error('ConvertSecurityDescriptorToStringSecurityDescriptorW failed');
    try {
      return koffi.decode(text[0], 'char16_t', -1) as string;
    } finally {
      LocalFree(text[0]);
    }
  } finally {
    LocalFree(descriptor[0]);
  }
}

async function main(cfg: DriverConfig): Promise<void> {
  const rec = new StepRecorder(cfg.report);
  await rec.run(async () => {
    const api = bindManager(loadKoffi(cfg.koffi));
    for (const name of cfg.names) await rec.stepAsync(`lookup:${name}`, () => api.lookupAccount(name));

    const scm = api.openManager(true);
    try {
      const installed = api.openService(scm, cfg.installed, READ_CONTROL | M.SERVICE_QUERY_STATUS);
      if (!installed) throw new Error(`service ${cfg.installed} is not installed`);
      await rec.stepAsync('daclInstalled', () => api.getServiceDacl(installed));
      api.close(installed);
      // A handle opened without READ_CONTROL (Windows: QueryServiceObjectSecurity fails with 5).
      const statusOnly = api.openService(scm, cfg.installed, M.SERVICE_QUERY_STATUS)!;
      await rec.stepAsync('daclWithoutReadControl', () => api.getServiceDacl(statusOnly));
      api.close(statusOnly);

      const leftover = api.openService(scm, cfg.scratch, M.SERVICE_ALL_ACCESS);
      if (leftover) {
        api.deleteService(leftover);
        api.close(leftover);
      }
      const scratch = api.createService(scm, {
        name: cfg.scratch,
        displayName: cfg.scratch,
        startType: M.SERVICE_DEMAND_START,
        binaryPath: '"C:\\svcpack e2e\\scratch.exe" --service',
        dependencies: [],
        account: null,
        password: null,
      });
      try {
        await rec.stepAsync('daclFresh', () => api.getServiceDacl(scratch));
        const wanted = serviceDacl(['S-1-5-32-545']);
        rec.note('daclWanted', wanted);
        await rec.stepAsync('daclWantedRoundTrip', () => sddlRoundTrip(loadKoffi(cfg.koffi), wanted));
        await rec.stepAsync('setDacl', () => api.setServiceDacl(scratch, wanted));
        await rec.stepAsync('daclAfterSet', () => api.getServiceDacl(scratch));
        // Read back through a new handle too: kept by the SCM, not by the handle.
        const again = api.openService(scm, cfg.scratch, READ_CONTROL)!;
        await rec.stepAsync('daclNewHandle', () => api.getServiceDacl(again));
        api.close(again);
        await rec.stepAsync('setNoDacl', () => api.setServiceDacl(scratch, 'O:BA'));
        await rec.stepAsync('setBadSddl', () => api.setServiceDacl(scratch, 'D:(A;;NOTARIGHT;;;BU)'));
      } finally {
        api.deleteService(scratch);
        api.close(scratch);
      }
    } finally {
      api.close(scm);
    }
  });
}

const [configFile] = process.argv.slice(2);
if (configFile) void main(JSON.parse(fs.readFileSync(configFile, 'utf8')) as DriverConfig);
