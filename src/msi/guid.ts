/**
 * The MSI's GUIDs, derived from text instead of drawn at random, so the same service and version
 * give the same MSI (docs/signing-and-release.md, The MSI): a name-based UUID (RFC 9562 version 5,
 * SHA-1) in a namespace of svcpack's own. Pure.
 */
import { createHash } from 'node:crypto';

/** svcpack's namespace for MSI GUIDs (a fixed random UUID; changing it changes every derived GUID). */
const SVCPACK_MSI_NAMESPACE = '6f1d2c3e-9b47-4e21-8a5d-3c0b7e9f1a24';

/** The RFC 9562 version 5 UUID of `name` in `namespace`, upper-case, without braces. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A GUID for `purpose` (`upgrade`, `product`, …) from the given parts; service names compare case-insensitively, as the SCM does. */
export function derivedGuid(purpose: string, ...parts: string[]): string {
  return uuidV5(SVCPACK_MSI_NAMESPACE, [purpose, ...parts].join('\n'));
}

/** The default UpgradeCode of service `name`: the same for every version, so each version upgrades the last. */
export const defaultUpgradeCode = (name: string): string => derivedGuid('upgrade', name.toLowerCase());

/** The ProductCode of one version of a product (one UpgradeCode): new for every version, so an install of another version is a major upgrade. */
export const productCode = (upgradeCode: string, version: string): string => derivedGuid('product', upgradeCode.toUpperCase(), version);

/** The GUID of the component that holds the exe and the service: stable across versions. */
export const componentGuid = (upgradeCode: string): string => derivedGuid('component', upgradeCode.toUpperCase());

/** A GUID is 8-4-4-4-12 hex digits, with or without braces; returns it upper-case without braces, or null. */
export function normalizeGuid(text: string): string | null {
  const m = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(text.trim());
  return m ? m[1]!.toUpperCase() : null;
}
