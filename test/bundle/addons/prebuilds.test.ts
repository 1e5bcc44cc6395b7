import { describe, expect, it } from 'vitest';
import { pickPrebuildFile, pickPrebuildFolder } from '../../../src/bundle/addons/prebuilds';

// Expected picks checked against node-gyp-build 4.8.4's own selection functions.
describe('prebuildify selection for Windows x64', () => {
  const cases: [string[], number, string | undefined][] = [
    [['node.napi.node', 'node.abi127.node', 'node.abi137.node'], 127, 'node.abi127.node'],
    [['node.napi.node', 'node.abi127.node', 'node.abi137.node'], 137, 'node.abi137.node'],
    [['node.napi.node', 'node.abi127.node', 'node.abi137.node'], 147, 'node.napi.node'],
    [['node.napi.node', 'electron.abi128.node'], 127, 'node.napi.node'],
    [['bufferutil.node'], 147, 'bufferutil.node'],
    [['x.node', 'x.napi.node', 'node.napi.uv1.node'], 127, 'node.napi.uv1.node'],
    [['x.musl.node', 'x.glibc.node'], 127, 'x.glibc.node'],
    [['x.armv8.node', 'x.node'], 127, 'x.node'],
    [['node.abi115.node'], 127, undefined],
    [['README.md'], 127, undefined],
  ];
  it.each(cases)('%j with ABI %i → %s', (files, abi, expected) => {
    expect(pickPrebuildFile(files, { abi })).toBe(expected);
  });

  it('picks the win32 folder that lists x64, fewest architectures first', () => {
    expect(pickPrebuildFolder(['linux-x64', 'win32-x64+arm64', 'win32-x64', 'win32-ia32'])).toBe('win32-x64');
    expect(pickPrebuildFolder(['darwin-x64+arm64', 'win32-arm64+x64'])).toBe('win32-arm64+x64');
    expect(pickPrebuildFolder(['linux-x64', 'win32-ia32', 'win32-arm64'])).toBeUndefined();
  });
});
