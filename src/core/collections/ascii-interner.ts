/**
 * Turns the bytes of a plain ASCII field into a string, reusing the string made the last
 * time the same bytes came by: segment values and service names repeat on every row, and
 * making a new string for each would cost an allocation per row.
 */
import { hashBytes, hashOut } from './byte-hash';

export class AsciiInterner {
  private readonly strings = new Map<number, string>();

  text(bytes: Uint8Array, start: number, end: number): string {
    hashBytes(bytes, start, end);
    const key = hashOut[1] as number;
    const known = this.strings.get(key);
    if (known !== undefined && sameText(known, bytes, start, end)) return known;
    const text = String.fromCharCode(...bytes.subarray(start, end));
    if (known === undefined) this.strings.set(key, text);
    return text;
  }
}

function sameText(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
