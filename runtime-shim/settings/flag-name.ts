/**
 * The one naming scheme (docs/architecture.md, Options, settings and errors): a setting's key in
 * camelCase is its flag in kebab-case, `startType` ↔ `--start-type`. Pure.
 */
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
