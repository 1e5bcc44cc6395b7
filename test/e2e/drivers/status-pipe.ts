/**
 * Driver for test/e2e/live-status.test.ts, bundled to CJS and run by the Windows node.exe under
 * Wine: opens a service's status pipe the ways a client can and records what each got.
 *
 * - `readOnly`: opened for reading only (fs.open 'r': CreateFileW with GENERIC_READ — the access
 *   the default pipe DACL grants Everyone) and read without writing a request: the server must
 *   end the connection after its request timeout having written nothing (0 bytes).
 * - `wrongRequest`: read+write, a line that is not the request: closed without an answer.
 * - `query`: the exe's own client (status-client.ts): the live status.
 * - `statusPipeSddl`: the security descriptor Wine gave the status pipe (Node creates it with the
 *   default one: on Windows full control to SYSTEM, Administrators and the creator owner, read to
 *   Everyone and Anonymous).
 * - `wineEnforcesPipeDacl`: whether Wine checks a pipe's DACL when a client opens it: a pipe made
 *   with only FILE_GENERIC_READ for Everyone (`D:P(A;;FR;;;WD)`), opened for read+write — Windows
 *   refuses that with ERROR_ACCESS_DENIED (5).
 *
 * node.exe under Wine cannot write to a Linux pipe, so everything goes to files.
 */
import fs from 'node:fs';
import net from 'node:net';
import { queryLiveStatus } from '../../../runtime-shim/status/status-client';
import type { Koffi } from '../../../runtime-shim/addons/native-module';
import { loadKoffi, StepRecorder, type StepReport } from './step-report';

export interface StatusPipeDriverConfig {
  /** Windows path of koffi's win32_x64 koffi.node. */
  koffi: string;
  /** Windows path of the JSON report. */
  report: string;
  /** The pipe, `\\.\pipe\svcpack-<Name>`. */
  pipe: string;
  /** How long the read-only client waits for a byte or end-of-file, ms. */
  readTimeoutMs: number;
}

export type StatusPipeDriverReport = StepReport;

async function readOnly(cfg: StatusPipeDriverConfig): Promise<{ bytes: number; text: string; ms: number; outcome: string }> {
  const t0 = performance.now();
  const fd = fs.openSync(cfg.pipe, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const outcome = await Promise.race([
      new Promise<{ bytes: number; outcome: string }>((resolve) =>
        fs.read(fd, buffer, 0, buffer.length, null, (err, bytes) => resolve({ bytes: bytes ?? 0, outcome: err ? `error ${err.code}` : bytes === 0 ? 'end of file' : 'data' })),
      ),
      new Promise<{ bytes: number; outcome: string }>((resolve) => setTimeout(() => resolve({ bytes: 0, outcome: 'still open' }), cfg.readTimeoutMs)),
    ]);
    return { ...outcome, text: buffer.subarray(0, outcome.bytes).toString('utf8'), ms: Math.round(performance.now() - t0) };
  } finally {
    // A read still pending keeps its handle: the driver exits after its last step anyway.
    fs.close(fd, () => undefined);
  }
}

function wrongRequest(cfg: StatusPipeDriverConfig): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve) => {
    let received = '';
    const socket = net.createConnection(cfg.pipe, () => socket.write('hello\n'));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received, closed: false });
    }, cfg.readTimeoutMs);
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closed: true });
    });
  });
}

const GENERIC_READ = 0x80000000;
const GENERIC_WRITE = 0x40000000;
const READ_CONTROL = 0x20000;
const OPEN_EXISTING = 3;
const PIPE_ACCESS_DUPLEX = 3;
const SE_KERNEL_OBJECT = 6;
const OWNER_AND_DACL = 0x1 | 0x4;

function pipeSecurity(koffi: Koffi) {
  const kernel = koffi.load('kernel32.dll');
  const advapi = koffi.load('advapi32.dll');
  koffi.struct('LIVE_SECURITY_ATTRIBUTES', { nLength: 'uint32', lpSecurityDescriptor: 'void *', bInheritHandle: 'int' });
  const ConvertStringSd = advapi.func('int __stdcall ConvertStringSecurityDescriptorToSecurityDescriptorW(str16 sddl, uint32 revision, _Out_ void **sd, _Out_ uint32 *size)');
  const ConvertSdToString = advapi.func('int __stdcall ConvertSecurityDescriptorToStringSecurityDescriptorW(void *sd, uint32 revision, uint32 info, _Out_ void **text, _Out_ uint32 *length)');
  const GetSecurityInfo = advapi.func('uint32 __stdcall GetSecurityInfo(void *handle, int type, uint32 info, void *owner, void *group, _Out_ void **dacl, void *sacl, _Out_ void **sd)');
  const CreateNamedPipeW = kernel.func('void * __stdcall CreateNamedPipeW(str16 name, uint32 openMode, uint32 pipeMode, uint32 instances, uint32 outSize, uint32 inSize, uint32 timeout, LIVE_SECURITY_ATTRIBUTES *sa)');
  const CreateFileW = kernel.func('void * __stdcall CreateFileW(str16 name, uint32 access, uint32 share, void *sa, uint32 disposition, uint32 flags, void *template)');
  const CloseHandle = kernel.func('int __stdcall CloseHandle(void *handle)');
  const GetLastError = kernel.func('uint32 __stdcall GetLastError()');
  const invalid = (h: unknown) => h === null || BigInt(koffi.address(h)) === 0xffffffffffffffffn;
  const open = (pipe: string, access: number): unknown => {
    const h = CreateFileW(pipe, access, 0, null, OPEN_EXISTING, 0, null);
    if (invalid(h)) throw Object.assign(new Error(`CreateFileW failed (${GetLastError()})`), { fn: 'CreateFileW', code: GetLastError() });
    return h;
  };
  return {
    /** The SDDL (owner and DACL) of the pipe `handle` belongs to. */
    sddlOf(handle: unknown): string {
      const dacl: unknown[] = [null];
      const sd: unknown[] = [null];
      const rc = GetSecurityInfo(handle, SE_KERNEL_OBJECT, OWNER_AND_DACL, null, null, dacl, null, sd);
      if (rc !== 0) throw Object.assign(new Error(`GetSecurityInfo failed (${rc})`), { fn: 'GetSecurityInfo', code: rc });
      const text: unknown[] = [null];
      if (!ConvertSdToString(sd[0], 1, OWNER_AND_DACL, text, [0])) throw new Error(`ConvertSecurityDescriptorToStringSecurityDescriptorW failed (${GetLastError()})`);
      return koffi.decode(text[0], 'char16', -1) as string;
    },
    /** Opens `pipe` as a client with `access`; the handle. */
    open,
    close: (h: unknown) => CloseHandle(h),
    /** Creates a pipe instance whose security descriptor is `sddl`. */
    create(pipe: string, sddl: string): unknown {
      const sd: unknown[] = [null];
      if (!ConvertStringSd(sddl, 1, sd, [0])) throw new Error(`ConvertStringSecurityDescriptorToSecurityDescriptorW failed (${GetLastError()})`);
      const h = CreateNamedPipeW(pipe, PIPE_ACCESS_DUPLEX, 0, 255, 4096, 4096, 0, { nLength: 24, lpSecurityDescriptor: sd[0], bInheritHandle: 0 });
      if (invalid(h)) throw Object.assign(new Error(`CreateNamedPipeW failed (${GetLastError()})`), { fn: 'CreateNamedPipeW', code: GetLastError() });
      return h;
    },
  };
}

async function run(cfg: StatusPipeDriverConfig): Promise<void> {
  const rec = new StepRecorder(cfg.report);
  await rec.run(async () => {
    await rec.stepAsync('readOnly', () => readOnly(cfg));
    await rec.stepAsync('wrongRequest', () => wrongRequest(cfg));
    await rec.stepAsync('query', () => queryLiveStatus(cfg.pipe, { timeoutMs: 5_000 }));
    const sec = pipeSecurity(loadKoffi(cfg.koffi));
    rec.step('statusPipeSddl', () => {
      const h = sec.open(cfg.pipe, READ_CONTROL | GENERIC_READ);
      try {
        return sec.sddlOf(h);
      } finally {
        sec.close(h);
      }
    });
    rec.step('wineEnforcesPipeDacl', () => {
      const pipe = `${cfg.pipe}-dacl-check`;
      const server = sec.create(pipe, 'D:P(A;;FR;;;WD)');
      try {
        const sddl = sec.sddlOf(server);
        try {
          sec.close(sec.open(pipe, GENERIC_READ | GENERIC_WRITE));
          return { sddl, readWriteOpen: 'opened' };
        } catch (err) {
          return { sddl, readWriteOpen: `refused (${(err as { code?: number }).code})` };
        }
      } finally {
        sec.close(server);
      }
    });
  });
  process.exit(0);
}

const configFile = process.argv[2];
if (configFile) void run(JSON.parse(fs.readFileSync(configFile, 'utf8')) as StatusPipeDriverConfig);
