/**
 * The koffi implementation of `ScmApi` (manager-api.ts): the only place the management commands'
 * Win32 calls are made (advapi32, kernel32, version), together with the Event Log source's
 * registry functions of eventlog-bindings.ts, the Parameters values of service-parameters.ts and
 * the service DACL of service-security-bindings.ts.
 * Every failed call throws `Win32Error(<function>, <code>)`; handles, keys and memory are released
 * in `finally`. Passwords are passed straight to Windows and never appear in errors.
 *
 * Conventions: BOOL is declared `int` (4 bytes); handles are `void *` (koffi externals); output
 * buffers whose fields point back into themselves are `koffi.alloc`ated, copied and decoded in
 * JS (win32-data.ts); SIDs are converted in JS (sid.ts). Structs are declared without names, so
 * bindManager can be called more than once per process.
 */
import { bindEventSourceRegistry } from './eventlog-bindings';
import { bindLastError } from './last-error';
import { bindLocalMachineRegistry, REG_MULTI_SZ } from './registry-bindings';
import { bindServiceParameters } from './service-parameters';
import { bindServiceSecurity } from './service-security-bindings';
import {
  ERROR_INVALID_LEVEL,
  ERROR_NONE_MAPPED,
  ERROR_SERVICE_DOES_NOT_EXIST,
  SERVICE_ALL_ACCESS,
  SERVICE_ERROR_NORMAL,
  SERVICE_WIN32_OWN_PROCESS,
  Win32Error,
  type Config2,
  type ScHandle,
  type ScmApi,
} from '../manager-api';
import type { Koffi } from '../../addons/native-module';
import { sidFromBytes, sidToBytes } from '../../settings/sid';
import {
  CONFIG2_LEVELS,
  daclSecurityInfo,
  decodeMultiSz,
  dwordStruct,
  encodeMultiSz,
  OutBuffer,
  parseConfig2,
  parseFixedFileVersion,
  parseServiceConfig,
  parseServiceStatus,
  POINTER_SIZE,
} from './win32-data';

const SC_MANAGER_CONNECT = 0x1;
const SC_MANAGER_ALL_ACCESS = 0xf003f;
const SERVICE_NO_CHANGE = 0xffffffff;
const SC_STATUS_PROCESS_INFO = 0;
const SERVICE_STATUS_PROCESS_SIZE = 36;
const SERVICE_STATUS_SIZE = 28;

const ERROR_INSUFFICIENT_BUFFER = 122;

const TOKEN_QUERY = 0x8;
const TOKEN_ELEVATION_TYPE = 18;
const ELEVATION_TYPES = { 1: 'default', 2: 'full', 3: 'limited' } as const;

const POLICY_LOOKUP_NAMES = 0x800;
const POLICY_CREATE_ACCOUNT = 0x10;
const STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034;
/** LSA_OBJECT_ATTRIBUTES, 64-bit: ULONG Length, then five pointer-aligned fields. */
const LSA_OBJECT_ATTRIBUTES_SIZE = 48;

const SDDL_REVISION_1 = 1;
const SE_FILE_OBJECT = 1;

type Ptr = unknown;

/** Loads advapi32/kernel32/version through koffi and returns the management API. */
export function bindManager(koffi: Koffi): ScmApi {
  if (koffi.sizeof('void *') !== POINTER_SIZE) throw new Error('the service management bindings need a 64-bit process');
  const advapi = koffi.load('advapi32.dll');
  const kernel = koffi.load('kernel32.dll');
  const version = koffi.load('version.dll');

  const SERVICE_DESCRIPTIONW = koffi.struct({ lpDescription: 'str16' });
  const SC_ACTION = koffi.struct({ Type: 'uint32', Delay: 'uint32' });
  const SERVICE_FAILURE_ACTIONSW = koffi.struct({
    dwResetPeriod: 'uint32',
    lpRebootMsg: 'str16',
    lpCommand: 'str16',
    cActions: 'uint32',
    lpsaActions: koffi.pointer(SC_ACTION),
  });
  const LSA_UNICODE_STRING_IN = koffi.struct({ Length: 'uint16', MaximumLength: 'uint16', Buffer: 'str16' });
  const LSA_UNICODE_STRING_OUT = koffi.struct({ Length: 'uint16', MaximumLength: 'uint16', Buffer: 'void *' });

  // kernel32
  const { lastError, fail } = bindLastError(koffi);
  const GetCurrentProcess = kernel.func('void * __stdcall GetCurrentProcess()');
  const CloseHandle = kernel.func('int __stdcall CloseHandle(void *h)');
  const LocalFree = kernel.func('void * __stdcall LocalFree(void *mem)');

  // advapi32: service control manager
  const OpenSCManagerW = advapi.func('void * __stdcall OpenSCManagerW(str16 machine, str16 database, uint32 access)');
  const OpenServiceW = advapi.func('void * __stdcall OpenServiceW(void *scm, str16 name, uint32 access)');
  const CreateServiceW = advapi.func(
    'void * __stdcall CreateServiceW(void *scm, str16 name, str16 displayName, uint32 access, uint32 serviceType, uint32 startType, uint32 errorControl, str16 binaryPath, str16 loadOrderGroup, void *tagId, void *dependencies, str16 account, str16 password)',
  );
  const ChangeServiceConfigW = advapi.func(
    'int __stdcall ChangeServiceConfigW(void *service, uint32 serviceType, uint32 startType, uint32 errorControl, str16 binaryPath, str16 loadOrderGroup, void *tagId, void *dependencies, str16 account, str16 password, str16 displayName)',
  );
  const ChangeServiceConfig2W = advapi.func('int __stdcall ChangeServiceConfig2W(void *service, uint32 level, void *info)');
  const QueryServiceConfigW = advapi.func(
    'int __stdcall QueryServiceConfigW(void *service, void *config, uint32 size, _Out_ uint32 *needed)',
  );
  const QueryServiceConfig2W = advapi.func(
    'int __stdcall QueryServiceConfig2W(void *service, uint32 level, void *buffer, uint32 size, _Out_ uint32 *needed)',
  );
  const QueryServiceStatusEx = advapi.func(
    'int __stdcall QueryServiceStatusEx(void *service, int level, void *buffer, uint32 size, _Out_ uint32 *needed)',
  );
  const StartServiceW = advapi.func('int __stdcall StartServiceW(void *service, uint32 argc, str16 *argv)');
  const ControlService = advapi.func('int __stdcall ControlService(void *service, uint32 control, void *status)');
  const DeleteService = advapi.func('int __stdcall DeleteService(void *service)');
  const CloseServiceHandle = advapi.func('int __stdcall CloseServiceHandle(void *handle)');

  // advapi32: tokens, accounts, LSA (NTSTATUS results), security descriptors
  const OpenProcessToken = advapi.func('int __stdcall OpenProcessToken(void *process, uint32 access, _Out_ void **token)');
  const GetTokenInformation = advapi.func(
    'int __stdcall GetTokenInformation(void *token, int infoClass, void *info, uint32 size, _Out_ uint32 *returned)',
  );
  const LookupAccountNameW = advapi.func(
    'int __stdcall LookupAccountNameW(str16 system, str16 name, void *sid, _Inout_ uint32 *sidSize, void *domain, _Inout_ uint32 *domainChars, _Out_ uint32 *use)',
  );
  const LsaOpenPolicy = advapi.func('uint32 __stdcall LsaOpenPolicy(void *system, void *attributes, uint32 access, _Out_ void **policy)');
  const LsaEnumerateAccountRights = advapi.func(
    'uint32 __stdcall LsaEnumerateAccountRights(void *policy, void *sid, _Out_ void **rights, _Out_ uint32 *count)',
  );
  const LsaAddAccountRights = advapi.func('uint32 __stdcall LsaAddAccountRights(void *policy, void *sid, void *rights, uint32 count)');
  const LsaFreeMemory = advapi.func('uint32 __stdcall LsaFreeMemory(void *buffer)');
  const LsaClose = advapi.func('uint32 __stdcall LsaClose(void *policy)');
  const LsaNtStatusToWinError = advapi.func('uint32 __stdcall LsaNtStatusToWinError(uint32 status)');
  const ConvertStringSecurityDescriptorToSecurityDescriptorW = advapi.func(
    'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16 sddl, uint32 revision, _Out_ void **descriptor, _Out_ uint32 *size)',
  );
  const GetSecurityDescriptorDacl = advapi.func(
    'int __stdcall GetSecurityDescriptorDacl(void *descriptor, _Out_ int *present, _Out_ void **dacl, _Out_ int *defaulted)',
  );
  const SetNamedSecurityInfoW = advapi.func(
    'uint32 __stdcall SetNamedSecurityInfoW(str16 name, int objectType, uint32 info, void *owner, void *group, void *dacl, void *sacl)',
  );

  // version.dll
  const GetFileVersionInfoSizeW = version.func('uint32 __stdcall GetFileVersionInfoSizeW(str16 file, _Out_ uint32 *handle)');
  const GetFileVersionInfoW = version.func('int __stdcall GetFileVersionInfoW(str16 file, uint32 handle, uint32 size, void *data)');
  const VerQueryValueW = version.func('int __stdcall VerQueryValueW(void *block, str16 subBlock, _Out_ void **value, _Out_ uint32 *size)');

  const check = (fn: string, ok: unknown): void => {
    if (ok === 0 || ok === false) fail(fn);
  };
  /** NTSTATUS → Win32Error. */
  const checkLsa = (fn: string, status: number): void => {
    if (status !== 0) throw new Win32Error(fn, LsaNtStatusToWinError(status) as number);
  };

  /**
   * The two-call pattern for outputs with pointers into themselves: asks for the size, allocates,
   * calls again (retrying if it grew), and decodes a copy. Returns null when the call fails with
   * `nullOn`.
   */
  function queryStruct<T>(
    fn: string,
    call: (buffer: Ptr, size: number, needed: [number]) => unknown,
    decode: (out: OutBuffer) => T,
    nullOn?: number,
  ): T | null {
    let size = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const mem: Ptr = size > 0 ? koffi.alloc('uint8', size) : null;
      try {
        const needed: [number] = [0];
        if (call(mem, size, needed) !== 0) {
          if (mem !== null) return decode(new OutBuffer(new Uint8Array(koffi.view(mem, size)).slice(), koffi.address(mem)));
          size = Math.max(needed[0], 1024); // "succeeded" with no buffer: ask again with one
          continue;
        }
        const code = lastError();
        if (nullOn !== undefined && code === nullOn) return null;
        if (code !== ERROR_INSUFFICIENT_BUFFER || needed[0] <= size) throw new Win32Error(fn, code);
        size = needed[0];
      } finally {
        if (mem !== null) koffi.free(mem);
      }
    }
    throw new Win32Error(fn, ERROR_INSUFFICIENT_BUFFER);
  }

  const registry = bindLocalMachineRegistry(koffi);
  /** HKLM\SYSTEM\CurrentControlSet\Services\<name>. */
  const serviceKey = (name: string): string => {
    if (name === '' || /[\\/]/.test(name)) throw new Error(`invalid service name: ${JSON.stringify(name)}`);
    return `SYSTEM\\CurrentControlSet\\Services\\${name}`;
  };

  /** Runs `use` with an LSA policy handle. */
  function withPolicy<T>(access: number, use: (policy: Ptr) => T): T {
    const attributes = Buffer.alloc(LSA_OBJECT_ATTRIBUTES_SIZE);
    attributes.writeUInt32LE(LSA_OBJECT_ATTRIBUTES_SIZE, 0);
    const policy: [Ptr] = [null];
    checkLsa('LsaOpenPolicy', LsaOpenPolicy(null, attributes, access, policy) as number);
    try {
      return use(policy[0]);
    } finally {
      LsaClose(policy[0]);
    }
  }

  /** Dependencies for Create/ChangeServiceConfigW: a double-NUL-terminated list (empty: none). */
  const dependencyList = (deps: string[] | undefined): Buffer | null => (deps === undefined ? null : encodeMultiSz(deps));
  const noChange = (value: number | undefined): number => value ?? SERVICE_NO_CHANGE;

  return {
    ...bindEventSourceRegistry(registry),
    ...bindServiceParameters(registry),
    ...bindServiceSecurity(koffi),

    elevationType() {
      const token: [Ptr] = [null];
      check('OpenProcessToken', OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, token));
      try {
        const type = Buffer.alloc(4);
        check('GetTokenInformation', GetTokenInformation(token[0], TOKEN_ELEVATION_TYPE, type, 4, [0]));
        return ELEVATION_TYPES[type.readUInt32LE(0) as 1 | 2 | 3] ?? 'default';
      } finally {
        CloseHandle(token[0]);
      }
    },

    openManager(write) {
      const scm = OpenSCManagerW(null, null, write ? SC_MANAGER_ALL_ACCESS : SC_MANAGER_CONNECT) as ScHandle | null;
      return scm ?? fail('OpenSCManagerW');
    },

    openService(scm, name, access) {
      const service = OpenServiceW(scm, name, access) as ScHandle | null;
      if (service) return service;
      const code = lastError();
      if (code === ERROR_SERVICE_DOES_NOT_EXIST) return null;
      throw new Win32Error('OpenServiceW', code);
    },

    createService(scm, p) {
      const service = CreateServiceW(
        scm,
        p.name,
        p.displayName,
        SERVICE_ALL_ACCESS,
        SERVICE_WIN32_OWN_PROCESS,
        p.startType,
        SERVICE_ERROR_NORMAL,
        p.binaryPath,
        null,
        null,
        p.dependencies.length > 0 ? encodeMultiSz(p.dependencies) : null,
        p.account,
        p.password,
      ) as ScHandle | null;
      return service ?? fail('CreateServiceW');
    },

    changeConfig(service, p) {
      // account null = LocalSystem (NULL would mean "unchanged" here); password null = none ('').
      const account = p.account === null ? 'LocalSystem' : p.account;
      const password = p.password === undefined ? null : (p.password ?? '');
      const ok = ChangeServiceConfigW(
        service,
        SERVICE_NO_CHANGE,
        noChange(p.startType),
        SERVICE_NO_CHANGE,
        p.binaryPath ?? null,
        null,
        null,
        dependencyList(p.dependencies),
        account ?? null,
        password,
        p.displayName ?? null,
      );
      check('ChangeServiceConfigW', ok);
    },

    changeConfig2(service, info) {
      let data: unknown;
      switch (info.level) {
        case 'description':
          data = koffi.as({ lpDescription: info.description }, koffi.pointer(SERVICE_DESCRIPTIONW));
          break;
        case 'failure-actions':
          // A non-NULL (possibly empty) action array: cActions 0 then deletes the actions.
          data = koffi.as(
            {
              dwResetPeriod: info.resetPeriodSec,
              lpRebootMsg: null,
              lpCommand: info.command,
              cActions: info.actions.length,
              lpsaActions: info.actions.map((a) => ({ Type: a.type, Delay: a.delayMs })),
            },
            koffi.pointer(SERVICE_FAILURE_ACTIONSW),
          );
          break;
        case 'delayed-auto-start':
          data = dwordStruct(info.delayed);
          break;
        case 'failure-actions-flag':
          data = dwordStruct(info.onNonCrashFailures);
          break;
        case 'sid-type':
          data = dwordStruct(info.sidType);
          break;
        case 'preshutdown':
          data = dwordStruct(info.timeoutMs);
          break;
      }
      check('ChangeServiceConfig2W', ChangeServiceConfig2W(service, CONFIG2_LEVELS[info.level], data));
    },

    queryConfig(service) {
      const config = queryStruct(
        'QueryServiceConfigW',
        (buffer, size, needed) => QueryServiceConfigW(service, buffer, size, needed),
        parseServiceConfig,
      );
      if (config === null) throw new Win32Error('QueryServiceConfigW', ERROR_INSUFFICIENT_BUFFER); // unreachable
      return config;
    },

    queryConfig2(service, level) {
      const info = queryStruct(
        'QueryServiceConfig2W',
        (buffer, size, needed) => QueryServiceConfig2W(service, CONFIG2_LEVELS[level], buffer, size, needed),
        (out) => parseConfig2(level, out),
        ERROR_INVALID_LEVEL,
      );
      return info as Extract<Config2, { level: typeof level }> | null;
    },

    queryStatus(service) {
      const status = Buffer.alloc(SERVICE_STATUS_PROCESS_SIZE);
      check('QueryServiceStatusEx', QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, status, status.length, [0]));
      return parseServiceStatus(status);
    },

    startService(service, args) {
      check('StartServiceW', StartServiceW(service, args.length, args.length > 0 ? args : null));
    },

    control(service, control) {
      const status = Buffer.alloc(SERVICE_STATUS_SIZE);
      check('ControlService', ControlService(service, control, status));
      return parseServiceStatus(status);
    },

    deleteService(service) {
      check('DeleteService', DeleteService(service));
    },

    close(handle) {
      check('CloseServiceHandle', CloseServiceHandle(handle));
    },

    getServiceEnvironment(name) {
      const value = registry.read(serviceKey(name), 'Environment');
      // Another type is not an environment block: the SCM ignores it, and so do we.
      return value && value.type === REG_MULTI_SZ ? decodeMultiSz(value.data) : null;
    },

    setServiceEnvironment(name, entries) {
      if (entries.length > 0) registry.write(serviceKey(name), [{ name: 'Environment', type: REG_MULTI_SZ, data: encodeMultiSz(entries) }], false);
      else registry.deleteValue(serviceKey(name), 'Environment');
    },

    lookupAccount(name) {
      const sidSize: [number] = [0];
      const domainChars: [number] = [0];
      const use: [number] = [0];
      for (let attempt = 0; attempt < 4; attempt++) {
        const sid = sidSize[0] > 0 ? Buffer.alloc(sidSize[0]) : null;
        const domain = domainChars[0] > 0 ? Buffer.alloc(domainChars[0] * 2) : null;
        // The first call (no buffers) fails with ERROR_INSUFFICIENT_BUFFER and sets both sizes.
        if (LookupAccountNameW(null, name, sid, sidSize, domain, domainChars, use) !== 0 && sid && domain) {
          return {
            sid: sidFromBytes(sid.subarray(0, sidSize[0])),
            // On success domainChars holds the length without the terminating NUL.
            domain: domain.toString('utf16le', 0, domainChars[0] * 2),
            use: use[0],
          };
        }
        const code = lastError();
        if (code === ERROR_NONE_MAPPED) return null;
        if (code !== ERROR_INSUFFICIENT_BUFFER) throw new Win32Error('LookupAccountNameW', code);
        // Sizes now set (the domain's including its NUL; at least 1 so a buffer is always passed).
        sidSize[0] = Math.max(sidSize[0], 8);
        domainChars[0] = Math.max(domainChars[0], 1);
      }
      throw new Win32Error('LookupAccountNameW', ERROR_INSUFFICIENT_BUFFER);
    },

    accountRights(sid) {
      const sidBytes = sidToBytes(sid);
      return withPolicy(POLICY_LOOKUP_NAMES, (policy) => {
        const rights: [Ptr] = [null];
        const count: [number] = [0];
        const status = LsaEnumerateAccountRights(policy, sidBytes, rights, count) as number;
        if (status === STATUS_OBJECT_NAME_NOT_FOUND) return [];
        checkLsa('LsaEnumerateAccountRights', status);
        try {
          if (count[0] === 0 || rights[0] === null) return [];
          const list = koffi.decode(rights[0], LSA_UNICODE_STRING_OUT, count[0]) as { Length: number; Buffer: Ptr }[];
          return list.map((s) => (s.Length > 0 && s.Buffer !== null ? (koffi.decode(s.Buffer, 'char16_t', s.Length / 2) as string) : ''));
        } finally {
          if (rights[0] !== null) LsaFreeMemory(rights[0]);
        }
      });
    },

    addAccountRight(sid, right) {
      const sidBytes = sidToBytes(sid);
      const bytes = Buffer.byteLength(right, 'utf16le');
      const rights = koffi.as({ Length: bytes, MaximumLength: bytes + 2, Buffer: right }, koffi.pointer(LSA_UNICODE_STRING_IN));
      withPolicy(POLICY_LOOKUP_NAMES | POLICY_CREATE_ACCOUNT, (policy) => {
        checkLsa('LsaAddAccountRights', LsaAddAccountRights(policy, sidBytes, rights, 1) as number);
      });
    },

    setFolderAcl(path, sddl) {
      const descriptor: [Ptr] = [null];
      check(
        'ConvertStringSecurityDescriptorToSecurityDescriptorW',
        ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, descriptor, [0]),
      );
      try {
        const present: [number] = [0];
        const dacl: [Ptr] = [null];
        check('GetSecurityDescriptorDacl', GetSecurityDescriptorDacl(descriptor[0], present, dacl, [0]));
        // A missing DACL would be applied as a NULL DACL: full access for everyone.
        if (present[0] === 0 || dacl[0] === null) throw new Error(`the security descriptor has no DACL: ${sddl}`);
        const code = SetNamedSecurityInfoW(path, SE_FILE_OBJECT, daclSecurityInfo(sddl), null, null, dacl[0], null) as number;
        if (code !== 0) throw new Win32Error('SetNamedSecurityInfoW', code);
      } finally {
        LocalFree(descriptor[0]);
      }
    },

    fileVersion(path) {
      const size = GetFileVersionInfoSizeW(path, [0]) as number;
      if (size === 0) return null;
      const block = Buffer.alloc(size);
      if (GetFileVersionInfoW(path, 0, size, block) === 0) return null;
      const value: [Ptr] = [null];
      const length: [number] = [0];
      if (VerQueryValueW(block, '\\', value, length) === 0 || value[0] === null || length[0] === 0) return null;
      // value points into `block`, which is still referenced here.
      return parseFixedFileVersion(new Uint8Array(koffi.view(value[0], length[0])).slice());
    },
  };
}

/** FOLDERID_ProgramData {62AB5D82-FDC1-4DC3-A9DD-070D1D495D97} as a GUID in memory. */
const FOLDERID_PROGRAM_DATA = Uint8Array.from([0x82, 0x5d, 0xab, 0x62, 0xc1, 0xfd, 0xc3, 0x4d, 0xa9, 0xdd, 0x07, 0x0d, 0x1d, 0x49, 0x5d, 0x97]);

/**
 * The machine's ProgramData folder from SHGetKnownFolderPath — not from the environment, which a
 * service may not have or (under Wine) has pointing elsewhere. Throws Win32Error on failure.
 */
export function programDataFolder(koffi: Koffi): string {
  const shell = koffi.load('shell32.dll');
  const ole = koffi.load('ole32.dll');
  const SHGetKnownFolderPath = shell.func('int32 __stdcall SHGetKnownFolderPath(void *folderId, uint32 flags, void *token, _Out_ void **path)');
  const CoTaskMemFree = ole.func('void __stdcall CoTaskMemFree(void *memory)');
  const out: unknown[] = [null];
  const hr = SHGetKnownFolderPath(FOLDERID_PROGRAM_DATA, 0, null, out) as number;
  try {
    if (hr !== 0 || !out[0]) throw new Win32Error('SHGetKnownFolderPath', hr >>> 0);
    return koffi.decode(out[0], 'char16_t', -1) as string;
  } finally {
    if (out[0]) CoTaskMemFree(out[0]);
  }
}
