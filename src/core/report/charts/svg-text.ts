/**
 * Text in the chart's SVG without measuring fonts: estimated widths (to fit and shorten
 * labels), `<text>` elements, coordinates and escaping. Labels may be user text (segment
 * and KPI names), so everything written is escaped and may be shortened.
 */
import { LABEL_FONT } from './chart-layout';

interface TextStyle {
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly bold?: boolean;
  readonly fill: string;
  readonly size: number;
}

/** A `<text>` element; the chart's group sets LABEL_FONT, so that size is left out. */
export function textElement(text: string, x: number, y: number, style: TextStyle): string {
  const anchor =
    style.anchor === undefined || style.anchor === 'start' ? '' : ` text-anchor="${style.anchor}"`;
  const weight = style.bold === true ? ' font-weight="bold"' : '';
  const size = style.size === LABEL_FONT ? '' : ` font-size="${style.size}"`;
  return `<text x="${num(x)}" y="${num(y)}"${anchor}${weight}${size} fill="${style.fill}">${escapeXml(text)}</text>`;
}

// Advance widths of DejaVu Sans in em, for laying out labels without measuring fonts. Close
// enough for margins; unknown characters count as wide so that text errs on the small side.
const NARROW = new Set([' ', '.', ',', ':', ';', '!', "'", '|', 'i', 'j', 'l', 'I']);
const DIGIT_LIKE = new Set([...'0123456789$€£¥+-−=<>#_~^*?']);
const WIDE = new Set(['%', 'm', 'w', 'M', 'W', '@', '&', '…']);

function charWidth(char: string): number {
  if (NARROW.has(char)) return 0.32;
  if (DIGIT_LIKE.has(char)) return 0.64;
  if (WIDE.has(char)) return 1;
  if (char >= 'a' && char <= 'z') return 0.62;
  return 0.78;
}

export function textWidth(text: string, size: number, bold: boolean): number {
  let em = 0;
  for (const char of text) em += charWidth(char);
  return em * size * (bold ? 1.1 : 1);
}

/** `text` shortened with an ellipsis until it fits `maxWidth`; labels may be user text. */
export function fitText(text: string, size: number, bold: boolean, maxWidth: number): string {
  if (textWidth(text, size, bold) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size, bold) > maxWidth) chars.pop();
  return `${chars.join('')}…`;
}

/** Coordinates with one decimal: enough for 2× rendering, and keeps the SVG small. */
export function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

// Characters that XML 1.0 forbids even when escaped (C0 controls other than tab, newline
// and carriage return; lone surrogates; U+FFFE/U+FFFF) would make the whole SVG unparseable.
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe inside an SVG element or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML_CHARS, '\uFFFD').replace(/[&<>"']/g, (char) => XML_ENTITIES[char] ?? char);
}
