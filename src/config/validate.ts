/** Validation of user-supplied values (pure). Each returns an error message, or null when valid. */

/** Characters a service name cannot hold: `/` and `\` (SCM), and those Windows forbids in file names. */
const NAME_FORBIDDEN = /[/\\<>:"|?*\u0000-\u001f]/;

export function serviceNameProblem(name: string): string | null {
  if (name.length === 0) return 'the service name is empty';
  if (name.length > 256) return `the service name is ${name.length} characters long (at most 256)`;
  const bad = NAME_FORBIDDEN.exec(name);
  if (bad) return `the service name "${name}" contains "${bad[0] < ' ' ? `\\x${bad[0].charCodeAt(0).toString(16)}` : bad[0]}"`;
  if (name.trim() !== name) return `the service name "${name}" starts or ends with a space`;
  return null;
}

/** Windows file versions: x.y.z or x.y.z.w, numeric, each part 0-65535. */
export function versionProblem(version: string): string | null {
  if (!/^\d+\.\d+\.\d+(\.\d+)?$/.test(version)) return `version "${version}" is not numeric x.y.z or x.y.z.w`;
  const big = version.split('.').find((p) => Number(p) > 65535);
  if (big !== undefined) return `version "${version}" has a part over 65535 (${big})`;
  return null;
}

/** `--node`: an exact x.y.z or a major. */
export function nodeVersionProblem(spec: string): string | null {
  return /^v?\d+(\.\d+\.\d+)?$/.test(spec) ? null : `--node "${spec}" is not a Node.js version (x.y.z or a major)`;
}

/** The numeric core of a package.json (semver) version: "1.4.0-beta.2" → "1.4.0". */
export function numericCore(version: string): string {
  return /^\d+\.\d+\.\d+/.exec(version)?.[0] ?? version;
}

/** True when `data` starts like an .ico file (ICONDIR reserved 0, type 1). */
export function looksLikeIco(data: Uint8Array): boolean {
  return data.length >= 6 && data[0] === 0 && data[1] === 0 && data[2] === 1 && data[3] === 0 && (data[4]! | data[5]!) !== 0;
}
