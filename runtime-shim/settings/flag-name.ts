/**
 * The one naming scheme (DESIGN §2.1): a setting's key in camelCase is its flag in kebab-case,
 * `startType` ↔ `--start-type`. Pure.
 */
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
