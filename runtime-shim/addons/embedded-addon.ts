/**
 * A native addon embedded in the exe, as the build describes it to the run time (the bundle's
 * generated loader modules carry it inline; build.json and the exe manifest list it too).
 */
export interface EmbeddedAddon {
  /** The npm package the addon came from (the platform package for napi-rs style addons). */
  package: string;
  version: string;
  /** Where the build got it: the installed package, the npm registry (platform package), or `--native`. */
  source: 'installed' | 'registry' | 'native-option';
  /** Path of the `.node` file inside `files`, `/`-separated. */
  main: string;
  /** The `.node` file and the files shipped beside it (DLLs, data), paths relative to one folder. */
  files: EmbeddedFile[];
  /**
   * Content address of the whole set: SHA-256 over the sorted `path:sha256` lines. The files are
   * extracted to `<native folder>\<first 32 hex digits>\`.
   */
  key: string;
}

export interface EmbeddedFile {
  /** Relative path, `/`-separated; DLLs keep their place beside the `.node` file. */
  path: string;
  sha256: string;
  bytes: number;
}

/** The SEA asset that holds a file with this SHA-256. */
export const addonAssetName = (sha256: string): string => `addon-${sha256}`;
