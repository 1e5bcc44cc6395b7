/**
 * A PNG bar chart of the headline checks, drawn without dependencies: a tiny RGB raster, an
 * embedded 5×7 bitmap font and a PNG encoder. Each check is one bar of its value as a share of its
 * target, so every target sits on the same vertical line. Pure: the runner writes the buffer.
 */

import { deflateSync } from 'node:zlib';
import { formatTarget, formatValue } from './report';
import type { Check } from './types';

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [31, 41, 51];
const MUTED: Rgb = [110, 118, 129];
const GRID: Rgb = [232, 235, 239];
const GREEN: Rgb = [46, 160, 67];
const RED: Rgb = [218, 54, 51];
const GREEN_TEXT: Rgb = [26, 127, 55];
const RED_TEXT: Rgb = [190, 35, 35];
const WHISKER: Rgb = [31, 41, 51];

/**
 * The 5×7 font: five columns per glyph, bit 0 the top row, bit 6 the baseline; g j p q y reach two
 * rows below it (bits 7–8). ASCII 32–126 in order, then the few non-ASCII characters labels use.
 */
const ASCII_GLYPHS = [
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5f, 0x00, 0x00, 0x00, 0x07, 0x00, 0x07, 0x00, 0x14, 0x7f, 0x14, 0x7f, 0x14, // space ! " #
  0x24, 0x2a, 0x7f, 0x2a, 0x12, 0x23, 0x13, 0x08, 0x64, 0x62, 0x36, 0x49, 0x55, 0x22, 0x50, 0x00, 0x05, 0x03, 0x00, 0x00, // $ % & '
  0x00, 0x1c, 0x22, 0x41, 0x00, 0x00, 0x41, 0x22, 0x1c, 0x00, 0x08, 0x2a, 0x1c, 0x2a, 0x08, 0x08, 0x08, 0x3e, 0x08, 0x08, // ( ) * +
  0x00, 0x50, 0x30, 0x00, 0x00, 0x08, 0x08, 0x08, 0x08, 0x08, 0x00, 0x60, 0x60, 0x00, 0x00, 0x20, 0x10, 0x08, 0x04, 0x02, // , - . /
  0x3e, 0x51, 0x49, 0x45, 0x3e, 0x00, 0x42, 0x7f, 0x40, 0x00, 0x42, 0x61, 0x51, 0x49, 0x46, 0x21, 0x41, 0x45, 0x4b, 0x31, // 0 1 2 3
  0x18, 0x14, 0x12, 0x7f, 0x10, 0x27, 0x45, 0x45, 0x45, 0x39, 0x3c, 0x4a, 0x49, 0x49, 0x30, 0x01, 0x71, 0x09, 0x05, 0x03, // 4 5 6 7
  0x36, 0x49, 0x49, 0x49, 0x36, 0x06, 0x49, 0x49, 0x29, 0x1e, 0x00, 0x36, 0x36, 0x00, 0x00, 0x00, 0x56, 0x36, 0x00, 0x00, // 8 9 : ;
  0x08, 0x14, 0x22, 0x41, 0x00, 0x14, 0x14, 0x14, 0x14, 0x14, 0x00, 0x41, 0x22, 0x14, 0x08, 0x02, 0x01, 0x51, 0x09, 0x06, // < = > ?
  0x32, 0x49, 0x79, 0x41, 0x3e, 0x7e, 0x11, 0x11, 0x11, 0x7e, 0x7f, 0x49, 0x49, 0x49, 0x36, 0x3e, 0x41, 0x41, 0x41, 0x22, // @ A B C
  0x7f, 0x41, 0x41, 0x22, 0x1c, 0x7f, 0x49, 0x49, 0x49, 0x41, 0x7f, 0x09, 0x09, 0x09, 0x01, 0x3e, 0x41, 0x49, 0x49, 0x7a, // D E F G
  0x7f, 0x08, 0x08, 0x08, 0x7f, 0x00, 0x41, 0x7f, 0x41, 0x00, 0x20, 0x40, 0x41, 0x3f, 0x01, 0x7f, 0x08, 0x14, 0x22, 0x41, // H I J K
  0x7f, 0x40, 0x40, 0x40, 0x40, 0x7f, 0x02, 0x0c, 0x02, 0x7f, 0x7f, 0x04, 0x08, 0x10, 0x7f, 0x3e, 0x41, 0x41, 0x41, 0x3e, // L M N O
  0x7f, 0x09, 0x09, 0x09, 0x06, 0x3e, 0x41, 0x51, 0x21, 0x5e, 0x7f, 0x09, 0x19, 0x29, 0x46, 0x46, 0x49, 0x49, 0x49, 0x31, // P Q R S
  0x01, 0x01, 0x7f, 0x01, 0x01, 0x3f, 0x40, 0x40, 0x40, 0x3f, 0x1f, 0x20, 0x40, 0x20, 0x1f, 0x3f, 0x40, 0x38, 0x40, 0x3f, // T U V W
  0x63, 0x14, 0x08, 0x14, 0x63, 0x07, 0x08, 0x70, 0x08, 0x07, 0x61, 0x51, 0x49, 0x45, 0x43, 0x00, 0x7f, 0x41, 0x41, 0x00, // X Y Z [
  0x02, 0x04, 0x08, 0x10, 0x20, 0x00, 0x41, 0x41, 0x7f, 0x00, 0x04, 0x02, 0x01, 0x02, 0x04, 0x40, 0x40, 0x40, 0x40, 0x40, // \ ] ^ _
  0x00, 0x01, 0x02, 0x04, 0x00, 0x20, 0x54, 0x54, 0x54, 0x78, 0x7f, 0x48, 0x44, 0x44, 0x38, 0x38, 0x44, 0x44, 0x44, 0x20, // ` a b c
  0x38, 0x44, 0x44, 0x48, 0x7f, 0x38, 0x54, 0x54, 0x54, 0x18, 0x08, 0x7e, 0x09, 0x01, 0x02, 0x038, 0x144, 0x144, 0x144, 0x0fc, // d e f g
  0x7f, 0x08, 0x04, 0x04, 0x78, 0x00, 0x44, 0x7d, 0x40, 0x00, 0x080, 0x100, 0x104, 0x0fd, 0x00, 0x7f, 0x10, 0x28, 0x44, 0x00, // h i j k
  0x00, 0x41, 0x7f, 0x40, 0x00, 0x7c, 0x04, 0x18, 0x04, 0x78, 0x7c, 0x08, 0x04, 0x04, 0x78, 0x38, 0x44, 0x44, 0x44, 0x38, // l m n o
  0x1fc, 0x044, 0x044, 0x044, 0x038, 0x038, 0x044, 0x044, 0x044, 0x1fc, 0x7c, 0x08, 0x04, 0x04, 0x08, 0x48, 0x54, 0x54, 0x54, 0x20, // p q r s
  0x04, 0x3f, 0x44, 0x40, 0x20, 0x3c, 0x40, 0x40, 0x20, 0x7c, 0x1c, 0x20, 0x40, 0x20, 0x1c, 0x3c, 0x40, 0x30, 0x40, 0x3c, // t u v w
  0x44, 0x28, 0x10, 0x28, 0x44, 0x03c, 0x140, 0x140, 0x140, 0x0fc, 0x44, 0x64, 0x54, 0x4c, 0x44, 0x00, 0x08, 0x36, 0x41, 0x00, // x y z {
  0x00, 0x00, 0x7f, 0x00, 0x00, 0x00, 0x41, 0x36, 0x08, 0x00, 0x08, 0x04, 0x08, 0x10, 0x08, // | } ~
];

const EXTRA_GLYPHS: Record<string, number[]> = {
  '×': [0x22, 0x14, 0x08, 0x14, 0x22],
  '≤': [0x44, 0x44, 0x4a, 0x4a, 0x51],
  '≥': [0x51, 0x4a, 0x4a, 0x44, 0x44],
  '–': [0x08, 0x08, 0x08, 0x08, 0x08],
  '−': [0x08, 0x08, 0x08, 0x08, 0x08],
  '—': [0x08, 0x08, 0x08, 0x08, 0x08],
  '…': [0x40, 0x00, 0x40, 0x00, 0x40],
  '·': [0x00, 0x00, 0x08, 0x00, 0x00],
  '→': [0x08, 0x08, 0x2a, 0x1c, 0x08],
};

/** The five columns of `ch`; '?' for a character the font lacks. */
function glyph(ch: string): ArrayLike<number> {
  const code = ch.codePointAt(0)!;
  if (code >= 32 && code <= 126) return ASCII_GLYPHS.slice((code - 32) * 5, (code - 31) * 5);
  return EXTRA_GLYPHS[ch] ?? glyph('?');
}

const GLYPH_ADVANCE = 6; // five columns and one of spacing
const GLYPH_HEIGHT = 7; // above the baseline
const GLYPH_ROWS = 9; // with descenders

/** Width in pixels of `text` drawn at `scale`. */
function textWidth(text: string, scale: number): number {
  return Math.max(0, [...text].length * GLYPH_ADVANCE - 1) * scale;
}

/** `text` cut with '…' so that it fits `maxWidth` pixels at `scale`. */
function fitText(text: string, maxWidth: number, scale: number): string {
  const chars = [...text];
  const fits = Math.floor((maxWidth / scale + 1) / GLYPH_ADVANCE);
  return chars.length <= fits ? text : `${chars.slice(0, Math.max(0, fits - 1)).join('')}…`;
}

/** An RGB raster; drawing outside it is clipped. */
class Canvas {
  readonly rgb: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.rgb = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let row = y0; row < y1; row++) {
      for (let col = x0; col < x1; col++) this.rgb.set(color, (row * this.width + col) * 3);
    }
  }

  /** A vertical line `thickness` wide from `y0` to `y1`, dashed when `dash` (pixels on, then as many off) is given. */
  vline(x: number, y0: number, y1: number, color: Rgb, thickness = 1, dash = 0): void {
    if (dash === 0) return this.fillRect(x, y0, thickness, y1 - y0, color);
    for (let y = y0; y < y1; y += 2 * dash) this.fillRect(x, y, thickness, Math.min(dash, y1 - y), color);
  }

  /** Draws `text` with its top-left corner at (x, y), each font pixel `scale` × `scale`. */
  text(x: number, y: number, text: string, color: Rgb, scale: number): void {
    for (const ch of text) {
      const columns = glyph(ch);
      for (let col = 0; col < 5; col++) {
        const bits = columns[col] ?? 0;
        for (let row = 0; row < GLYPH_ROWS; row++) {
          if (bits & (1 << row)) this.fillRect(x + col * scale, y + row * scale, scale, scale, color);
        }
      }
      x += GLYPH_ADVANCE * scale;
    }
  }
}

export interface ChartOptions {
  /** Default "svcpack benchmarks: targets". */
  title?: string;
  /** A second header line, e.g. the date and machine. */
  subtitle?: string;
  /** Image width in pixels (default 900). */
  width?: number;
}

/**
 * A PNG of `checks`: one row per check with its label, its value and target in text, and a bar of
 * the value as a share of the target (green when met, red when not) with a whisker over the
 * low–high range. The target is the same dashed line for every row.
 */
export function renderChecksChart(checks: Check[], opts: ChartOptions = {}): Buffer {
  const width = opts.width ?? 900;
  const pad = 24;
  const left = pad;
  const right = width - pad;
  const line = 2 * GLYPH_ROWS; // a text line at scale 2, descenders included
  const rowHeight = 64;
  const barHeight = 18;

  const titleTop = pad;
  const subtitleTop = titleTop + 3 * GLYPH_HEIGHT + 12;
  const targetLabelTop = (opts.subtitle ? subtitleTop + line : subtitleTop) + 14;
  const rowsTop = targetLabelTop + line + 10;
  const rowsBottom = rowsTop + rowHeight * checks.length;
  const axisLabelTop = rowsBottom + 6;
  const legendTop = axisLabelTop + line + 10;
  const canvas = new Canvas(width, legendTop + line + pad, WHITE);

  canvas.text(left, titleTop, fitText(opts.title ?? 'svcpack benchmarks: targets', right - left, 3), INK, 3);
  if (opts.subtitle) canvas.text(left, subtitleTop, fitText(opts.subtitle, right - left, 2), MUTED, 2);

  // The x axis is a share of the target: the target at 1, reaching a little past the furthest figure (at most 3).
  const positions = checks.map(share);
  const furthest = Math.max(1.2, ...positions.flatMap((p) => [p.value, p.high]).filter(Number.isFinite));
  const axisMax = Math.min(3, Math.ceil(furthest * 1.1 * 2) / 2);
  const xOf = (s: number) => left + (Math.min(Math.max(s, 0), axisMax) / axisMax) * (right - left);
  const gridTop = rowsTop - 8;

  for (let s = 0.5; s <= axisMax; s += 0.5) canvas.vline(xOf(s), gridTop, rowsBottom, GRID);
  canvas.vline(left, gridTop, rowsBottom, MUTED);
  const target = xOf(1);
  canvas.vline(target - 1, gridTop, rowsBottom, INK, 2, 5);
  canvas.text(target - textWidth('target', 2) / 2, targetLabelTop, 'target', INK, 2);

  checks.forEach((check, i) => {
    const top = rowsTop + i * rowHeight;
    const p = positions[i]!;
    const verdict = `${formatValue(check.value, check.unit)}  (target ${formatTarget(check.target, check.unit)})`;
    const verdictWidth = textWidth(verdict, 2);
    const label = fitText(check.label, right - left - verdictWidth - 24, 2);
    // Text on white, so that the grid and the target line do not run through it.
    canvas.fillRect(left + 1, top - 3, textWidth(label, 2) + 4, line + 4, WHITE);
    canvas.fillRect(right - verdictWidth - 4, top - 3, verdictWidth + 4, line + 4, WHITE);
    canvas.text(left, top, label, INK, 2);
    canvas.text(right - verdictWidth, top, verdict, check.met ? GREEN_TEXT : RED_TEXT, 2);

    const barTop = top + line + 4;
    const from = xOf(Math.min(p.zero, p.value));
    const to = xOf(Math.max(p.zero, p.value));
    canvas.fillRect(from, barTop, Math.max(2, to - from), barHeight, check.met ? GREEN : RED);
    if (p.value > axisMax) overflowMark(canvas, right, barTop, barHeight);

    // The whisker: a 2 px line over the range, with end ticks where the ends are on the axis.
    const mid = barTop + barHeight / 2;
    const lo = xOf(p.low);
    const hi = xOf(p.high);
    canvas.fillRect(lo, mid - 1, Math.max(hi - lo, 1), 2, WHISKER);
    for (const [x, s] of [[lo, p.low], [hi, p.high]] as const) {
      if (s >= 0 && s <= axisMax) canvas.fillRect(x - 1, mid - 6, 2, 12, WHISKER);
    }
  });

  for (let s = 0; s <= axisMax; s += 0.5) {
    const label = `${Math.round(s * 100)}%`;
    const w = textWidth(label, 2);
    canvas.text(Math.min(Math.max(xOf(s) - w / 2, left), right - w), axisLabelTop, label, MUTED, 2);
  }
  const legend = 'bars: value as % of target, whisker p25–p75; green met, red missed';
  canvas.text(left, legendTop, fitText(legend, right - left, 2), MUTED, 2);
  return encodePng(canvas.width, canvas.height, canvas.rgb);
}

/**
 * Where a check's figures sit on the shared axis, in target units: value / target for a positive
 * target; for a target of zero or below, one unit is the largest magnitude among the figures and
 * the target still sits at 1.
 */
function share(check: Check): { zero: number; value: number; low: number; high: number } {
  const t = check.target.value;
  const unit = t > 0 ? t : Math.max(Math.abs(t), Math.abs(check.value), Math.abs(check.low), Math.abs(check.high)) || 1;
  const at = (v: number) => 1 + (v - t) / unit;
  return { zero: at(0), value: at(check.value), low: at(check.low), high: at(check.high) };
}

/** Two white chevrons cut into the end of a bar that runs past the axis. */
function overflowMark(canvas: Canvas, right: number, top: number, height: number): void {
  for (const tip of [right - 4, right - 14]) {
    for (let i = 0; i < height / 2; i++) {
      const x = tip - height / 2 + i;
      canvas.fillRect(x, top + i, 3, 1, WHITE);
      canvas.fillRect(x, top + height - 1 - i, 3, 1, WHITE);
    }
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A truecolour PNG of `rgb` (`width` × `height` pixels, three bytes each, rows top to bottom). Throws on a size mismatch. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`a PNG needs a positive whole width and height, not ${width}×${height}`);
  }
  const stride = width * 3;
  if (rgb.length !== stride * height) throw new Error(`${width}×${height} RGB pixels take ${stride * height} bytes, not ${rgb.length}`);
  const raw = Buffer.alloc((stride + 1) * height); // each row: filter type 0 (none), then its pixels
  for (let row = 0; row < height; row++) raw.set(rgb.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // colour type: RGB
  // compression, filter and interlace methods: 0
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
