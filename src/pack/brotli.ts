/**
 * Brotli at quality 6: within 1 % of quality 9's size for koffi.node (2.4 MB → 0.42 MB) in 75 ms
 * instead of 174 ms (quality 11: 6 s). The exe unpacks the app bundle at every start (≈ 1 ms) and
 * koffi.node only when its extracted copy is missing (≈ 8 ms; measured when --compress was added).
 */
import zlib from 'node:zlib';

export function brotli(data: Uint8Array): Buffer {
  return zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength },
  });
}
