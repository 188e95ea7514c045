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

  /** The code of the plain ASCII field `bytes[start, end)`. */
  codeOfBytes(bytes: Uint8Array, start: number, end: number): number {
    hashBytes(bytes, start, end);
    const hash = hashOut[1] as number;
    const known = this.byHash.get(hash);
    if (known !== undefined && sameText(this.texts[known] as string, bytes, start, end)) return known;
    const code = this.codeOf(decoder.decode(bytes.subarray(start, end)));
    if (known === undefined) this.byHash.set(hash, code);
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

function sameText(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
