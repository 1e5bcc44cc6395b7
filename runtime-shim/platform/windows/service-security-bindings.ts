/**
 * Koffi bindings for a service object's DACL (the `ServiceSecurity` part of ScmApi, used by
 * `install --allow-control`): QueryServiceObjectSecurity and SetServiceObjectSecurity, with the
 * SDDL conversions on either side. Only DACL_SECURITY_INFORMATION is read or written. Failures
 * throw `Win32Error(<function>, GetLastError())`; descriptors Windows allocates are LocalFree'd.
 */
import { Win32Error, type ScHandle, type ServiceSecurity } from '../manager-api';
import { bindLastError } from './last-error';
import type { Koffi } from '../../addons/native-module';
import { DACL_SECURITY_INFORMATION } from './win32-data';

const SDDL_REVISION_1 = 1;
const ERROR_INSUFFICIENT_BUFFER = 122;

type Ptr = unknown;

export function bindServiceSecurity(koffi: Koffi): ServiceSecurity {
  const advapi = koffi.load('advapi32.dll');
  const kernel = koffi.load('kernel32.dll');
  const { lastError, fail } = bindLastError(koffi);
  const LocalFree = kernel.func('void * __stdcall LocalFree(void *mem)');
  const QueryServiceObjectSecurity = advapi.func(
    'int __stdcall QueryServiceObjectSecurity(void *service, uint32 info, void *descriptor, uint32 size, _Out_ uint32 *needed)',
  );
  const SetServiceObjectSecurity = advapi.func('int __stdcall SetServiceObjectSecurity(void *service, uint32 info, void *descriptor)');
  const ConvertSecurityDescriptorToStringSecurityDescriptorW = advapi.func(
    'int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *descriptor, uint32 revision, uint32 info, _Out_ void **sddl, _Out_ uint32 *length)',
  );
  const ConvertStringSecurityDescriptorToSecurityDescriptorW = advapi.func(
    'int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16 sddl, uint32 revision, _Out_ void **descriptor, _Out_ uint32 *size)',
  );
  const GetSecurityDescriptorDacl = advapi.func(
    'int __stdcall GetSecurityDescriptorDacl(void *descriptor, _Out_ int *present, _Out_ void **dacl, _Out_ int *defaulted)',
  );

  return {
    getServiceDacl(service: ScHandle) {
      // Self-relative descriptor: no pointers out of the buffer, so a Buffer is enough.
      let size = 0;
      for (let attempt = 0; attempt < 4; attempt++) {
        const descriptor = Buffer.alloc(Math.max(size, 1));
        const needed: [number] = [0];
        if (QueryServiceObjectSecurity(service, DACL_SECURITY_INFORMATION, descriptor, size, needed) !== 0) {
          const text: [Ptr] = [null];
          if (ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, text, [0]) === 0) {
            fail('ConvertSecurityDescriptorToStringSecurityDescriptorW');
          }
          try {
            return koffi.decode(text[0], 'char16_t', -1) as string;
          } finally {
            LocalFree(text[0]);
          }
        }
        const code = lastError();
        if (code !== ERROR_INSUFFICIENT_BUFFER || needed[0] <= size) throw new Win32Error('QueryServiceObjectSecurity', code);
        size = needed[0];
      }
      throw new Win32Error('QueryServiceObjectSecurity', ERROR_INSUFFICIENT_BUFFER);
    },

    setServiceDacl(service: ScHandle, sddl: string) {
      const descriptor: [Ptr] = [null];
      if (ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, descriptor, [0]) === 0) {
        fail('ConvertStringSecurityDescriptorToSecurityDescriptorW');
      }
      try {
        const present: [number] = [0];
        const dacl: [Ptr] = [null];
        if (GetSecurityDescriptorDacl(descriptor[0], present, dacl, [0]) === 0) fail('GetSecurityDescriptorDacl');
        // A missing DACL would be applied as a NULL DACL: full access for everyone.
        if (present[0] === 0 || dacl[0] === null) throw new Error(`the security descriptor has no DACL: ${sddl}`);
        if (SetServiceObjectSecurity(service, DACL_SECURITY_INFORMATION, descriptor[0]) === 0) fail('SetServiceObjectSecurity');
      } finally {
        LocalFree(descriptor[0]);
      }
    },
  };
}
