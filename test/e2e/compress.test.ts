/**
 * `--compress` end to end under Wine: with the direct packer the app bundle and koffi.node are
 * stored Brotli-compressed in the SEA blob and unpacked in memory at start; with the pkg packer,
 * pkg stores its virtual file system compressed. Each exe must still run as a service (koffi
 * loaded from the unpacked bytes, a package file read from pkg's compressed file system), and the
 * compressed direct exe must be smaller than the same build uncompressed.
 */
import { describe, expect, test } from 'vitest';
import { buildFixture, e2eFile, sc, startService, waitForHttp, waitForState } from './wine';

const DIRECT = 'SvcpackE2ECompress';
const PKG = 'SvcpackE2ECompressPkg';

const file = e2eFile({
  services: [DIRECT, PKG],
  setup: async () => {
    const compressed = await buildFixture('hello-http', DIRECT, { compress: true });
    const plain = await buildFixture('hello-http', `${DIRECT}Plain`);
    const pkg = await buildFixture('pkg-assets', PKG, { packer: 'pkg', compress: true });
    return { compressed, plain, pkg };
  },
});

/** Starts `name` (registered for `exe`), waits for `url` to answer, stops it; returns the body. */
async function serveOnce(name: string, exe: string, port: number, path = '/'): Promise<string> {
  await startService(name, exe, { port });
  const body = await waitForHttp(`http://127.0.0.1:${port}${path}`, 10_000);
  expect((await sc('stop', name)).code).toBe(0);
  const stopped = await waitForState(name, 'STOPPED', 20_000);
  expect(stopped.win32ExitCode, stopped.text).toBe(0);
  return body;
}

describe('--compress', () => {
  test('the direct packer’s compressed exe is smaller and records it', () => {
    const { compressed, plain } = file.ctx;
    expect(compressed.record.size).toMatchObject({ compressed: true, runtimeBytes: plain.record.size.runtimeBytes });
    expect(plain.record.size.compressed).toBe(false);
    const saved = plain.record.size.exeBytes - compressed.record.size.exeBytes;
    console.log(`[e2e] --compress: payload ${plain.record.size.payloadBytes} → ${compressed.record.size.payloadBytes} bytes`);
    expect(saved).toBeGreaterThan(1_500_000); // koffi.node alone shrinks from 2.4 MB to ≈ 0.4 MB
  });

  test('a compressed direct exe runs as a service (koffi unpacked in memory)', async () => {
    expect(await serveOnce(DIRECT, file.ctx.compressed.exe, 8080)).toBe('ok');
  });

  test('a compressed pkg exe runs as a service and reads a package file from its compressed file system', async () => {
    const { pkg } = file.ctx;
    expect(pkg.record.size.compressed).toBe(true);
    expect(await serveOnce(PKG, pkg.exe, 18090)).toBe('hello from a package file');
  });
});
