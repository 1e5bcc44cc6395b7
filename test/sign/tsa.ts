/**
 * A local RFC 3161 timestamp server for the signing tests (public ones are unreachable here):
 * each POSTed TimeStampReq is answered by `openssl ts -reply` with pki.ts's TSA certificate.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestPki } from './pki';

export interface TestTsa {
  url: string;
  /** How many timestamps were issued. */
  readonly issued: number;
  close(): Promise<void>;
}

export async function startTsa(pki: TestPki): Promise<TestTsa> {
  let issued = 0;
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = ++n;
      const query = path.join(pki.dir, `tsa-${id}.tsq`);
      const reply = path.join(pki.dir, `tsa-${id}.tsr`);
      fs.writeFileSync(query, Buffer.concat(chunks));
      execFile(
        'openssl',
        ['ts', '-reply', '-config', pki.tsa.config, '-queryfile', query, '-inkey', pki.tsa.key, '-signer', pki.tsa.cert, '-out', reply],
        (err) => {
          if (err) {
            res.writeHead(500).end(String(err));
            return;
          }
          issued++;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(fs.readFileSync(reply));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get issued() {
      return issued;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
