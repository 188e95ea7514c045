/**
 * A piece of claims as bytes: what a map step writes per hash range and a range step reads
 * back. Columns, not records, so that encoding and decoding are a few typed-array copies:
 *
 *   header (16 bytes): 'KRC1', claims n, id bytes m, reserved — little-endian u32s
 *   hash high i32[n] | hash low i32[n] | line u32[n] | client i32[n] | id end u32[n]
 *   | flags u8[n] | id bytes u8[m]
 *
 * About 21 bytes a claim plus the id (kept for the repeat's example text), against some 50
 * in memory. Positions are stored as lines of the part; the reader gives them the part's
 * place in the dataset. Typed arrays use the host's byte order: little-endian on every
 * platform Lambda and Node.js run on (x86-64, arm64), checked once below.
 */
import type { Claims } from '../../core/aggregate/partial-aggregate';

const MAGIC = 0x3143524b; // 'KRC1' read as a little-endian u32
const HEADER_BYTES = 16;

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('claims pieces are encoded little-endian; this host is big-endian');
}

/** The bytes of `claims`, whose positions must be lines of one part (file 0). */
export function encodeClaims(claims: Claims): Uint8Array {
  const n = claims.length;
  const ids = contiguousIds(claims);
  const m = ids.length;
  const buffer = new ArrayBuffer(HEADER_BYTES + n * 21 + m);
  new Uint32Array(buffer, 0, 4).set([MAGIC, n, m, 0]);
  let at = HEADER_BYTES;
  const column = <T extends Int32Array | Uint32Array>(make: (offset: number) => T): T => {
    const view = make(at);
    at += n * 4;
    return view;
  };
  column((offset) => new Int32Array(buffer, offset, n)).set(claims.hashHigh);
  column((offset) => new Int32Array(buffer, offset, n)).set(claims.hashLow);
  const lines = column((offset) => new Uint32Array(buffer, offset, n));
  for (let i = 0; i < n; i++) {
    const position = claims.position[i] as number;
    if (!(position >= 0 && position < 2 ** 32)) {
      throw new RangeError(`a claim's position ${position} is not a line of one part`);
    }
    lines[i] = position;
  }
  column((offset) => new Int32Array(buffer, offset, n)).set(claims.client);
  const ends = column((offset) => new Uint32Array(buffer, offset, n));
  for (let i = 0; i < n; i++) ends[i] = (claims.idEnd[i] as number) - (claims.idStart[0] ?? 0);
  new Uint8Array(buffer, at, n).set(claims.flags);
  new Uint8Array(buffer, at + n, m).set(ids);
  return new Uint8Array(buffer);
}

/** Ids one after another, as a `ClaimsBuilder` keeps them (checked, so any claims encode right). */
function contiguousIds(claims: Claims): Uint8Array {
  const { idStart, idEnd, idBytes, length } = claims;
  let contiguous = true;
  for (let i = 1; i < length && contiguous; i++) contiguous = idStart[i] === idEnd[i - 1];
  const first = idStart[0] ?? 0;
  if (contiguous) return idBytes.subarray(first, length > 0 ? (idEnd[length - 1] as number) : first);
  throw new RangeError('claims to encode must hold their ids one after another, as ClaimsBuilder does');
}

/** Why bytes are not a claims piece: thrown with the object's key by the caller. */
export class ClaimsPieceError extends Error {
  override readonly name = 'ClaimsPieceError';
}

/**
 * The claims of a piece, their positions those of part `part` in the dataset. Client numbers
 * are checked against `clientCount`, and ids against the id bytes, so a damaged piece fails
 * here rather than miscounting.
 */
export function decodeClaims(bytes: Uint8Array, part: number, clientCount: number): Claims {
  if (bytes.length < HEADER_BYTES) throw new ClaimsPieceError(`only ${bytes.length} bytes`);
  // One copy into a buffer of its own, so every column is an aligned view.
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  const [magic = 0, n = 0, m = 0] = new Uint32Array(buffer, 0, 3);
  if (magic !== MAGIC) throw new ClaimsPieceError('no KRC1 header: not a claims piece');
  if (bytes.length !== HEADER_BYTES + n * 21 + m) {
    throw new ClaimsPieceError(
      `${bytes.length} bytes where ${n} claims and ${m} id bytes take ${HEADER_BYTES + n * 21 + m}`,
    );
  }
  const int32 = (column: number) => new Int32Array(buffer, HEADER_BYTES + column * n * 4, n);
  const lines = new Uint32Array(buffer, HEADER_BYTES + 2 * n * 4, n);
  const client = int32(3);
  const idEnd = int32(4);
  const flagsAt = HEADER_BYTES + 5 * n * 4;
  const position = new Float64Array(n);
  const idStart = new Int32Array(n);
  const base = part * 2 ** 32;
  let previousEnd = 0;
  for (let i = 0; i < n; i++) {
    const owner = client[i] as number;
    if (!(owner >= 0 && owner < clientCount)) {
      throw new ClaimsPieceError(`claim ${i} names client number ${owner} of ${clientCount}`);
    }
    const end = idEnd[i] as number;
    if (!(end >= previousEnd && end <= m)) throw new ClaimsPieceError(`claim ${i}'s id ends at byte ${end}`);
    idStart[i] = previousEnd;
    previousEnd = end;
    position[i] = base + (lines[i] as number);
  }
  return {
    length: n,
    hashHigh: int32(0),
    hashLow: int32(1),
    client,
    flags: new Uint8Array(buffer, flagsAt, n),
    // Interactions carry no value; surveys are never split into parts.
    value: new Int32Array(n),
    position,
    idStart,
    idEnd,
    idBytes: new Uint8Array(buffer, flagsAt + n, m),
  };
}
