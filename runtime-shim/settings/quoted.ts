/**
 * Setting values as text (pure): the control-character check, and how values appear in error
 * messages (double-quoted, one line, never huge).
 */

const CONTROL = /[\u0000-\u001f\u007f]/g;
const MAX_SHOWN = 60;

/** Whether `text` contains a control character (C0 or DEL): settings are one line of text. */
export const hasControl = (text: string): boolean => /[\u0000-\u001f\u007f]/.test(text);

/** `value` in double quotes, control characters as `\xNN`, cut to 60 characters with `…`. */
export function quoted(value: string): string {
  const oneLine = value.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${oneLine.length > MAX_SHOWN ? `${oneLine.slice(0, MAX_SHOWN - 1)}…` : oneLine}"`;
}
