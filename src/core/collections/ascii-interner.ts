/**
 * Numbers the distinct values of a field (segment values, service names) in order of first
 * appearance. A plain ASCII value is numbered from its bytes: they are hashed and checked
 * against the text of the code their hash last found, so that a value repeated on every row
 * costs neither a string nor a lookup by string.
 */
import { hashBytes, hashOut } from './byte-hash';

const decoder = new TextDecoder();

export class AsciiCodes {
  /** Each code's text, by code. */
  readonly texts: string[] = [];
  private readonly byText = new Map<string, number>();
  private readonly byHash = new Map<number, number>();
  /**
   * The codes last numbered from bytes, by a few of their bytes and their length: a field
   * equal to one of them needs no hash and no plain test (its bytes passed one before).
   */
  private readonly recent = new Int32Array(RECENT).fill(-1);

  /** The code of `bytes[start, end)` when it equals a value recently numbered from bytes, else -1. */
  recentCode(bytes: Uint8Array, start: number, end: number): number {
    if (start === end) return -1;
    const code = this.recent[recentSlot(bytes, start, end)] as number;
    return code >= 0 && sameText(this.texts[code] as string, bytes, start, end) ? code : -1;
  }

  /** The code of the plain ASCII field `bytes[start, end)`. */
  codeOfBytes(bytes: Uint8Array, start: number, end: number): number {
    hashBytes(bytes, start, end);
    const hash = hashOut[1] as number;
    const known = this.byHash.get(hash);
    if (known !== undefined && sameText(this.texts[known] as string, bytes, start, end)) {
      this.recent[recentSlot(bytes, start, end)] = known;
      return known;
    }
    const code = this.codeOf(decoder.decode(bytes.subarray(start, end)));
    if (known === undefined) this.byHash.set(hash, code);
    this.recent[recentSlot(bytes, start, end)] = code;
    return code;
  }

  /** The code of a value given as text (numbered now when it is new). */
  codeOf(text: string): number {
    let code = this.byText.get(text);
    if (code === undefined) {
      code = this.texts.length;
      this.texts.push(text);
      this.byText.set(text, code);
    }
    return code;
  }
}

const RECENT = 64;

/** A slot of the recent codes from the field's length, first and last bytes (not empty). */
function recentSlot(bytes: Uint8Array, start: number, end: number): number {
  return ((end - start) * 7 + (bytes[start] as number) * 3 + (bytes[end - 1] as number)) & (RECENT - 1);
}

function sameText(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
