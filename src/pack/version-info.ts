/**
 * The Windows VERSIONINFO resource of a built exe, as plain data. Pure: no I/O.
 * `pe.ts` writes it into the executable with resedit.
 */
export interface VersionStrings {
  FileVersion: string;
  ProductVersion: string;
  FileDescription: string;
  ProductName: string;
  CompanyName: string;
  LegalCopyright: string;
  OriginalFilename: string;
  InternalName: string;
}

export interface VersionInfoTable {
  /** Four 16-bit parts, e.g. [1, 4, 0, 0]. */
  version: [number, number, number, number];
  /** LANGID of the string table (1033 = en-US). */
  lang: number;
  /** Code page of the string table (1200 = UTF-16). */
  codepage: number;
  strings: VersionStrings;
}

export interface VersionInfoInput {
  name: string;
  version: string;
  displayName: string;
  description: string;
  company?: string;
  productName?: string;
  copyright?: string;
}

/** Splits a validated `x.y.z[.w]` version into four parts (missing parts are 0). */
export function versionParts(version: string): [number, number, number, number] {
  const parts = version.split('.').map(Number);
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 0];
}

/** Builds the VERSIONINFO table for the service exe `<name>.exe`. */
export function versionInfoTable(input: VersionInfoInput): VersionInfoTable {
  const version = versionParts(input.version);
  const dotted = version.join('.');
  return {
    version,
    lang: 1033,
    codepage: 1200,
    strings: {
      FileVersion: dotted,
      ProductVersion: dotted,
      FileDescription: input.description || input.displayName,
      ProductName: input.productName ?? input.displayName,
      CompanyName: input.company ?? '',
      LegalCopyright: input.copyright ?? '',
      OriginalFilename: `${input.name}.exe`,
      InternalName: input.name,
    },
  };
}
