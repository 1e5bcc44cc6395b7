/**
 * EXE SIZE: how big each packer's exe of fixtures/hello-http and fixtures/large-app is, and how
 * much of it is the runtime (the node.exe or bun.exe it was made from) versus the payload (the
 * rest: app bundle, svcpack's shim and koffi.node, pkg's bootstrap and virtual file system, SEA
 * headers, PE section growth). One build per exe: sizes are deterministic.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as ResEdit from 'resedit';
import { SEA_RESOURCE_NAME } from '../../src/pack/pe';
import { measurement } from '../lib/stats';
import type { BenchContext, Measurement, Suite, SuiteResult } from '../lib/types';
import { buildBunCompile } from '../peers/bun-compile';
import { buildHandmadeSea, handmadeSeaFormat } from '../peers/handmade-sea';
import { ensureLargeApp } from '../peers/large-app';
import { buildPkgSea, seedPkgHome } from '../peers/pkg-sea';
import { acquirePeerTools, PEER_VERSIONS, type PeerTools } from '../peers/tools';
import { BENCH_NAME, benchFixtures, CONTENDER, ensureSvcpackLib, runSvcpackBuild, type BenchFixture, type SvcpackRecord } from './build';

const MB = 1_000_000;
const RT_RCDATA = 10;

/** One way of building an exe. */
export type SizeVariant =
  | { kind: 'svcpack'; label: string; flags: string[] }
  | { kind: 'handmade'; label: string }
  | { kind: 'pkg'; label: string; compress?: 'Brotli' }
  | { kind: 'bun'; label: string };

/** svcpack's variants: both packers, with and without payload compression. */
export const SVCPACK_VARIANTS: { label: string; flags: string[] }[] = [
  { label: CONTENDER.svcpack, flags: [] },
  { label: `${CONTENDER.svcpack} --compress`, flags: ['--compress'] },
  { label: CONTENDER.svcpackPkg, flags: ['--packer', 'pkg'] },
  { label: `${CONTENDER.svcpackPkg} --compress`, flags: ['--packer', 'pkg', '--compress'] },
];

export const PEER_VARIANTS: SizeVariant[] = [
  { kind: 'handmade', label: CONTENDER.handmade },
  { kind: 'pkg', label: CONTENDER.pkg },
  // pkg's --compress works in its enhanced SEA mode (the one the pkg peer uses), not in the simple one.
  { kind: 'pkg', label: `${CONTENDER.pkg} --compress Brotli`, compress: 'Brotli' },
  { kind: 'bun', label: CONTENDER.bun },
];

/** Size of the `NODE_SEA_BLOB` resource of a PE (read with resedit), or undefined when there is none or the PE cannot be read. */
export function seaBlobBytes(exe: Uint8Array): number | undefined {
  try {
    const image = ResEdit.NtExecutable.from(exe, { ignoreCert: true });
    const res = ResEdit.NtExecutableResource.from(image);
    const entry = res.entries.find((e) => e.type === RT_RCDATA && e.id === SEA_RESOURCE_NAME);
    return entry?.bin.byteLength;
  } catch {
    return undefined;
  }
}

/** What a PE's headers say about its size: sections (raw bytes in the file) and the Authenticode certificate table. */
export function peLayout(image: Uint8Array): { sections: { name: string; rawBytes: number }[]; certificateBytes: number } {
  const view = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const pe = view.readUInt32LE(0x3c);
  if (view.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE image');
  const count = view.readUInt16LE(pe + 6);
  const optSize = view.readUInt16LE(pe + 20);
  const magic = view.readUInt16LE(pe + 24);
  const dirBase = pe + 24 + (magic === 0x20b ? 112 : 96);
  const sections = [];
  for (let i = 0, at = pe + 24 + optSize; i < count; i++, at += 40) {
    sections.push({ name: view.toString('latin1', at, at + 8).replace(/\0+$/, ''), rawBytes: view.readUInt32LE(at + 16) });
  }
  return { sections, certificateBytes: view.readUInt32LE(dirBase + 4 * 8 + 4) };
}

export const sizeSuite: Suite = {
  name: 'size',
  title: 'Exe size',
  run: runSizeSuite,
};

interface Built {
  exe: string;
  runtime: string;
  record?: SvcpackRecord;
}

async function runSizeSuite(ctx: BenchContext): Promise<SuiteResult> {
  await ensureSvcpackLib(ctx.log);
  const fixtures = benchFixtures(ctx.quick);
  if (fixtures.some((f) => f.id === 'large')) await ensureLargeApp(ctx.log);
  const tools = await acquirePeerTools(ctx);
  const pkgHome = await seedPkgHome(path.join(ctx.toolsDir, 'pkg-sea'), tools.node);
  const variants: SizeVariant[] = [
    ...SVCPACK_VARIANTS.map((v): SizeVariant => ({ kind: 'svcpack', label: v.label, flags: v.flags })),
    ...PEER_VARIANTS,
  ];

  const measurements: Measurement[] = [];
  for (const fixture of fixtures) {
    for (const variant of variants) {
      ctx.log(`size: ${fixture.label}, ${variant.label}`);
      const dir = path.join(ctx.workDir, 'size', `${fixture.id}-${variant.label.replace(/[^a-z0-9]+/gi, '-')}`);
      try {
        const built = await buildVariant(variant, fixture, tools, pkgHome, dir);
        measurements.push(...(await sizeMeasurements(fixture, variant.label, built)));
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
  }

  return {
    suite: 'size',
    title: 'Exe size',
    measurements,
    checks: [],
    notes: [
      'One build per exe: sizes are deterministic, so one repetition is enough. MB = 1,000,000 bytes.',
      `Runtime = the executable the exe was made from (node.exe ${PEER_VERSIONS.node} win-x64 for every Node-based exe, bun.exe ${PEER_VERSIONS.bun} windows-x64 for bun); payload = exe − runtime: the app bundle and whatever the packer adds (svcpack: runtime shim, koffi.node, version resources and message table; pkg: its bootstrap and virtual file system), less what a packer strips: svcpack and bun drop the runtime's now-invalid Authenticode signature (node.exe ≈ 16 KB, bun.exe ≈ 10 KB; postject and pkg keep it), so for them exe − runtime understates the payload by that much (bun's tiny hello-http payload even comes out negative). Details give \`runtime signature removed bytes\`.`,
      'Details: the exact bytes; the payload as the format stores it — the NODE_SEA_BLOB resource (read with resedit) for Node SEAs, the .bun PE section for bun; for svcpack its build record\'s size breakdown when the build reports it.',
      'svcpack --compress: the direct packer stores the app bundle and koffi.node Brotli-compressed in the SEA blob (unpacked in memory at start); with --packer pkg it passes pkg\'s own --compress Brotli.',
      'pkg --sea --compress Brotli: pkg compresses the files of its virtual file system; it works in pkg\'s enhanced SEA mode only (the mode the pkg peer uses; the simple mode refuses --compress).',
      `Build methods as in the build suite (same commands, warm caches).`,
    ],
  };
}

async function buildVariant(variant: SizeVariant, fixture: BenchFixture, tools: PeerTools, pkgHome: string, dir: string): Promise<Built> {
  const { entry } = fixture;
  const workDir = path.join(dir, 'work');
  switch (variant.kind) {
    case 'svcpack': {
      const { exe, record } = await runSvcpackBuild({ entry, outDir: path.join(dir, 'out'), flags: variant.flags });
      return { exe, record, runtime: tools.node.nodeExe };
    }
    case 'handmade': {
      const format = await handmadeSeaFormat(entry);
      const { exe } = await buildHandmadeSea({ entry, workDir, node: tools.node, postjectCli: tools.postjectCli, format, name: BENCH_NAME });
      return { exe, runtime: tools.node.nodeExe };
    }
    case 'pkg': {
      const { exe } = await buildPkgSea({ entry, workDir, node: tools.node, pkgHome, compress: variant.compress, name: BENCH_NAME });
      return { exe, runtime: tools.node.nodeExe };
    }
    case 'bun': {
      const { exe } = await buildBunCompile({ entry, workDir, bun: tools.bun, bunWindowsExe: tools.bunWindowsExe, name: BENCH_NAME });
      return { exe, runtime: tools.bunWindowsExe };
    }
  }
}

/** The first 64 KiB of a file: enough for a PE's headers. */
async function readHead(file: string): Promise<Buffer> {
  const fh = await fs.open(file);
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function sizeMeasurements(fixture: BenchFixture, contender: string, built: Built): Promise<Measurement[]> {
  const image = await fs.readFile(built.exe);
  if (image.toString('latin1', 0, 2) !== 'MZ') throw new Error(`${contender} produced ${built.exe}, which is not a Windows executable`);
  const exeBytes = image.byteLength;
  const runtimeBytes = (await fs.stat(built.runtime)).size;
  const payloadBytes = exeBytes - runtimeBytes;
  const blob = seaBlobBytes(image);
  const layout = peLayout(image);
  const runtimeLayout = peLayout(await readHead(built.runtime));
  const payloadDetails: Record<string, number | string> = { bytes: payloadBytes };
  if (blob !== undefined) payloadDetails['SEA blob bytes'] = blob;
  const bunSection = layout.sections.find((s) => s.name === '.bun');
  if (bunSection) payloadDetails['.bun section bytes'] = bunSection.rawBytes;
  payloadDetails['runtime signature removed bytes'] = runtimeLayout.certificateBytes - layout.certificateBytes;
  if (built.record?.size) {
    payloadDetails['record payload bytes'] = built.record.size.payloadBytes;
    payloadDetails['record runtime bytes'] = built.record.size.runtimeBytes;
    if (built.record.size.compressed !== undefined) payloadDetails.compressed = String(built.record.size.compressed);
  }
  const { id, label } = fixture;
  return [
    measurement(`size.exe.${id}`, `exe size, ${label}`, contender, 'MB', [exeBytes / MB], { bytes: exeBytes }),
    measurement(`size.runtime.${id}`, `runtime in the exe, ${label}`, contender, 'MB', [runtimeBytes / MB], {
      bytes: runtimeBytes,
      'share of exe %': Math.round((runtimeBytes / exeBytes) * 1000) / 10,
      from: path.basename(built.runtime),
    }),
    measurement(`size.payload.${id}`, `payload (exe − runtime), ${label}`, contender, 'MB', [payloadBytes / MB], payloadDetails),
  ];
}
