/**
 * The Linux executable's parts that need no build (pack/elf.ts): the manifest trailer after the
 * ELF image, found from the file's end; the ELF note reader inspect uses to find the SEA blob; and
 * the unit and scripts (emit/linux-outputs.ts). The real executable is built and run in
 * test/linux-target.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME } from '../../runtime-shim/settings/runtime-settings';
import { defaultSettings } from '../../runtime-shim/settings/service-settings';
import type { ExeConfig } from '../../runtime-shim/exe-config';
import { linuxOutputs, shQuoted } from '../../src/emit/linux-outputs';
import { ELF_MANIFEST_MAGIC, isElf, manifestTrailer, readElfNote, readManifestTrailer } from '../../src/pack/elf';
import { decodeManifest, exeManifest } from '../../src/pack/manifest';

const config: ExeConfig = {
  name: 'order-sync',
  displayName: 'Order Sync',
  description: 'Syncs orders',
  version: '2.0.0',
  svcpackVersion: '0.1.0',
  koffiSha256: 'ab'.repeat(32),
  ...DEFAULT_RUNTIME,
  settings: defaultSettings('order-sync', 'Order Sync', 'Syncs orders'),
};
const manifest = exeManifest(config, { nodeVersion: '26.10.0', packer: 'direct', compress: false, packages: { mode: 'bundle', reason: 'x' }, preload: [] });

/** A 64-bit little-endian ELF header with one PT_NOTE program header over `notes`, then `notes`. */
function tinyElf(notes: Buffer): Buffer {
  const header = Buffer.alloc(64 + 56);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  header.writeBigUInt64LE(64n, 0x20); // e_phoff
  header.writeUInt16LE(56, 0x36); // e_phentsize
  header.writeUInt16LE(1, 0x38); // e_phnum
  header.writeUInt32LE(4, 64); // PT_NOTE
  header.writeBigUInt64LE(BigInt(header.length), 64 + 8); // p_offset
  header.writeBigUInt64LE(BigInt(notes.length), 64 + 32); // p_filesz
  return Buffer.concat([header, notes]);
}

/** One ELF note: namesz, descsz, type, the name (NUL-terminated, padded to 4), the contents (padded to 4). */
function note(name: string, desc: Buffer): Buffer {
  const n = Buffer.from(`${name}\0`);
  const head = Buffer.alloc(12);
  head.writeUInt32LE(n.length, 0);
  head.writeUInt32LE(desc.length, 4);
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  return Buffer.concat([head, pad(n), pad(desc)]);
}

describe('the manifest trailer', () => {
  it('is the manifest JSON, its length and the magic; read back from the end of the file', () => {
    const trailer = manifestTrailer(manifest);
    expect(trailer.subarray(-ELF_MANIFEST_MAGIC.length).toString('latin1')).toBe('SVCPACK_MANIFEST');
    const file = Buffer.concat([tinyElf(Buffer.alloc(0)), trailer]);
    expect(decodeManifest(readManifestTrailer(file)!)).toEqual(JSON.parse(JSON.stringify(manifest)));
  });

  it('a file without one (or with a length that does not fit) has none', () => {
    expect(readManifestTrailer(tinyElf(Buffer.alloc(0)))).toBeUndefined();
    expect(readManifestTrailer(Buffer.from('SVCPACK_MANIFEST'))).toBeUndefined();
    const tooLong = Buffer.concat([Buffer.from([0xff, 0xff, 0, 0]), Buffer.from(ELF_MANIFEST_MAGIC)]);
    expect(readManifestTrailer(tooLong)).toBeUndefined();
  });
});

describe('readElfNote', () => {
  it('finds a note by name among others, as Node finds NODE_SEA_BLOB', () => {
    const blob = Buffer.from('the sea blob, 29 bytes long!!');
    const elf = tinyElf(Buffer.concat([note('GNU', Buffer.alloc(16, 1)), note('NODE_SEA_BLOB', blob)]));
    expect(isElf(elf)).toBe(true);
    expect(Buffer.from(readElfNote(elf, 'NODE_SEA_BLOB')!)).toEqual(blob);
    expect(readElfNote(elf, 'OTHER')).toBeUndefined();
    expect(readElfNote(Buffer.from('MZ not an elf'), 'NODE_SEA_BLOB')).toBeUndefined();
  });
});

describe('linuxOutputs', () => {
  it('the unit for /opt/<name>/<name>, and the two scripts that need root', () => {
    const { files, warnings } = linuxOutputs(config);
    expect(Object.keys(files)).toEqual(['order-sync.service', 'install-order-sync.sh', 'uninstall-order-sync.sh']);
    expect(files['order-sync.service']).toMatch(/^ExecStart=\/opt\/order-sync\/order-sync --service$/m);
    expect(files['order-sync.service']).toMatch(/^Description=Order Sync$/m);
    expect(files['install-order-sync.sh']).toContain(`bin='/opt/order-sync/order-sync'`);
    expect(files['install-order-sync.sh']).toContain('[ "$(id -u)" -eq 0 ] || fail "run this script as root (sudo sh install-order-sync.sh)"');
    expect(files['uninstall-order-sync.sh']).toContain(`dir='/opt/order-sync'`);
    expect(warnings).toEqual([]);
  });

  it('Windows-only settings changed from their defaults are warnings, not errors', () => {
    const { warnings } = linuxOutputs({ ...config, settings: { ...config.settings, startType: 'delayed-auto' } });
    expect(warnings).toEqual(['--start-type delayed-auto: systemd has no delayed start; the unit is enabled like auto']);
  });

  it('shQuoted makes any text one shell word', () => {
    expect(shQuoted("it's")).toBe(`'it'\\''s'`);
  });
});
