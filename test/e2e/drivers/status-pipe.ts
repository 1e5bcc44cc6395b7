/**
 * Driver for test/e2e/live-status.test.ts, bundled to CJS and run by the Windows node.exe under
 * Wine: opens a service's status pipe the ways a client can and records what each got.
 *
 * - `readOnly`: opened for reading only (fs.open 'r': CreateFileW with GENERIC_READ — the access
 *   the default pipe DACL grants Everyone) and read without writing a request: the server must
 *   end the connection after its request timeout having written nothing (0 bytes).
 * - `wrongRequest`: read+write, a line that is not the request: closed without an answer.
 * - `query`: the exe's own client (status-client.ts): the live status.
 *
 * node.exe under Wine cannot write to a Linux pipe, so everything goes to files.
 */
import fs from 'node:fs';
import net from 'node:net';
import { queryLiveStatus } from '../../../runtime-shim/status/status-client';
import { StepRecorder, type StepReport } from './step-report';

export interface StatusPipeDriverConfig {
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

async function run(cfg: StatusPipeDriverConfig): Promise<void> {
  const rec = new StepRecorder(cfg.report);
  await rec.run(async () => {
    await rec.stepAsync('readOnly', () => readOnly(cfg));
    await rec.stepAsync('wrongRequest', () => wrongRequest(cfg));
    await rec.stepAsync('query', () => queryLiveStatus(cfg.pipe, { timeoutMs: 5_000 }));
  });
  process.exit(0);
}

const configFile = process.argv[2];
if (configFile) void run(JSON.parse(fs.readFileSync(configFile, 'utf8')) as StatusPipeDriverConfig);
