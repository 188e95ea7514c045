/**
 * The unit of parallel work: what one worker makes of one slice of a dataset (a chunk of a
 * file in a worker thread, or a part file in a Lambda of the distributed map). A partial
 * holds lists, never per-client arrays, so it is small for a small slice:
 *
 * - `claims`: the rows of a dataset whose id must be unique (interactions, surveys), each
 *   with its id's hash, its position and what it would add, because "the first row keeps
 *   the id" can only be decided once every earlier slice is known;
 * - `servicePairs`: services in use (client, service) and the service catalog;
 * - `costs`: support costs, attributed or pooled;
 * - the rows read and rejected, with the first rejections by position.
 *
 * `PartialFold` (fold-partials.ts) applies partials, in row order, to the per-client
 * state. The distributed run counts a part without keeping its claims (part-shuffler.ts).
 */
import type { DatasetName } from '../export-set/contract';
import type { DatedRows } from '../export-set/dated-rows';
import { MAX_EXAMPLES } from '../export-set/row-rules';

/** A row's place in the dataset: file index × 2³² + line. Orders rows as they are in the files. */
export type Position = number;

export function position(fileIndex: number, line: number): Position {
  return fileIndex * 2 ** 32 + line;
}

export function positionLine(value: Position): number {
  return value % 2 ** 32;
}

export function positionFile(value: Position): number {
  return Math.floor(value / 2 ** 32);
}

export interface RejectionExample {
  readonly position: Position;
  readonly reason: string;
}

/** Flags of a claim: the row is dated in the quarter. */
export const IN_QUARTER = 1;
/**
 * Flags of a claim: the row's kind, one bit whose meaning is the dataset's: a self-service
 * interaction (else assisted), a CESS survey response (else NPS).
 */
export const SELF_SERVICE_OR_CESS = 2;

/** Rows that claim a unique id, as columns. Ids are kept as bytes for the messages of repeats. */
export interface Claims {
  length: number;
  hashHigh: Int32Array;
  hashLow: Int32Array;
  client: Int32Array;
  flags: Uint8Array;
  /** surveys: CESS in millionths of a point, or the NPS score. */
  value: Int32Array;
  position: Float64Array;
  /** The id's bytes are `idBytes[idStart[i], idEnd[i])`. */
  idStart: Int32Array;
  idEnd: Int32Array;
  idBytes: Uint8Array;
}

export interface ServicePairs {
  length: number;
  client: Int32Array;
  /** Index into `names`. */
  service: Int32Array;
  /** Every valid service name seen (the catalog), in or out of the quarter. */
  names: string[];
}

export interface Costs {
  length: number;
  /** -1 for a cost without a client (the pool). */
  client: Int32Array;
  /** Amounts in nanos; bigint because a row's amount has no upper bound. */
  nanos: bigint[];
}

export interface PartialAggregate {
  readonly dataset: DatasetName;
  rows: number;
  rejected: number;
  /** The first rejections by position, at most MAX_EXAMPLES. */
  examples: RejectionExample[];
  claims?: Claims;
  servicePairs?: ServicePairs;
  costs?: Costs;
  /** Event datasets: the dated rows that passed their own checks, against the quarter. */
  dated?: DatedRows;
}

export function emptyPartial(dataset: DatasetName): PartialAggregate {
  return { dataset, rows: 0, rejected: 0, examples: [] };
}

/** Keeps the first MAX_EXAMPLES examples by position. */
export function firstExamples(examples: readonly RejectionExample[]): RejectionExample[] {
  return [...examples].sort((a, b) => a.position - b.position).slice(0, MAX_EXAMPLES);
}

/** Bytes a claim takes in a builder's buffer: the columns, and 16 bytes of id on average. */
const BYTES_PER_CLAIM = 8 + 4 * 6 + 1 + 16;

/**
 * Appends claims to growable columns (fields of the builder, so the hot `add` reads no
 * object). All columns are views of one buffer, so that a chunk's claims are one
 * allocation, move between threads as one, and the buffer can be handed back and reused.
 */
export class ClaimsBuilder {
  private length = 0;
  private capacity = 0;
  private hashHigh = new Int32Array(0);
  private hashLow = new Int32Array(0);
  private client = new Int32Array(0);
  private flags = new Uint8Array(0);
  private value = new Int32Array(0);
  private position = new Float64Array(0);
  private idStart = new Int32Array(0);
  private idEnd = new Int32Array(0);
  private idBytes = new Uint8Array(0);
  private idView: DataView = new DataView(new ArrayBuffer(0));
  private idLength = 0;
  /** The bytes ids were last copied from, and a view of them. */
  private source: Uint8Array | undefined;
  private sourceView: DataView = new DataView(new ArrayBuffer(0));

  /** `spare`: a buffer of earlier claims to reuse (see `claimsBuffer`), used when large enough. */
  constructor(capacity = 1024, spare?: ArrayBuffer) {
    const size = Math.max(capacity, 16);
    const spareSize = spare ? Math.floor(spare.byteLength / BYTES_PER_CLAIM) : 0;
    if (spare && spareSize >= size) this.layOut(spare, spareSize);
    else this.layOut(new ArrayBuffer(size * BYTES_PER_CLAIM), size);
  }

  /** Claims added so far. */
  get count(): number {
    return this.length;
  }

  add(
    high: number,
    low: number,
    client: number,
    flags: number,
    value: number,
    at: Position,
    id: Uint8Array,
    idStart: number,
    idEnd: number,
  ): void {
    if (this.length === this.capacity) this.grow();
    let offset = this.idLength;
    if (offset + idEnd - idStart > this.idBytes.length) this.growIdBytes(idEnd - idStart);
    const n = this.length++;
    this.hashHigh[n] = high;
    this.hashLow[n] = low;
    this.client[n] = client;
    this.flags[n] = flags;
    this.value[n] = value;
    this.position[n] = at;
    this.idStart[n] = offset;
    // Ids are short: word copies beat making a subarray view per row (and a byte loop).
    if (id !== this.source) {
      this.source = id;
      this.sourceView = new DataView(id.buffer, id.byteOffset, id.byteLength);
    }
    const from = this.sourceView;
    const to = this.idView;
    let i = idStart;
    for (; i + 4 <= idEnd; i += 4, offset += 4) to.setInt32(offset, from.getInt32(i));
    for (; i < idEnd; i++) to.setUint8(offset++, from.getUint8(i));
    this.idLength = offset;
    this.idEnd[n] = offset;
  }

  copyFrom(source: Claims, i: number): void {
    this.add(
      source.hashHigh[i] as number,
      source.hashLow[i] as number,
      source.client[i] as number,
      source.flags[i] as number,
      source.value[i] as number,
      source.position[i] as number,
      source.idBytes,
      source.idStart[i] as number,
      source.idEnd[i] as number,
    );
  }

  /** The claims, as views of the builder's columns (no copy: a chunk's columns move as they are). */
  finish(): Claims {
    const n = this.length;
    return {
      length: n,
      hashHigh: this.hashHigh.subarray(0, n),
      hashLow: this.hashLow.subarray(0, n),
      client: this.client.subarray(0, n),
      flags: this.flags.subarray(0, n),
      value: this.value.subarray(0, n),
      position: this.position.subarray(0, n),
      idStart: this.idStart.subarray(0, n),
      idEnd: this.idEnd.subarray(0, n),
      idBytes: this.idBytes.subarray(0, this.idLength),
    };
  }

  /** Columns of `size` claims in `buffer`: the 8-byte column first, so that every view is aligned. */
  private layOut(buffer: ArrayBuffer, size: number): void {
    this.capacity = size;
    this.position = new Float64Array(buffer, 0, size);
    this.hashHigh = new Int32Array(buffer, size * 8, size);
    this.hashLow = new Int32Array(buffer, size * 12, size);
    this.client = new Int32Array(buffer, size * 16, size);
    this.value = new Int32Array(buffer, size * 20, size);
    this.idStart = new Int32Array(buffer, size * 24, size);
    this.idEnd = new Int32Array(buffer, size * 28, size);
    this.flags = new Uint8Array(buffer, size * 32, size);
    this.idBytes = new Uint8Array(buffer, size * 33, buffer.byteLength - size * 33);
    this.idView = new DataView(buffer, size * 33, buffer.byteLength - size * 33);
  }

  private grow(): void {
    this.resize(this.capacity * 2, 0);
  }

  private growIdBytes(needed: number): void {
    // More id bytes than the layout allows for: a larger buffer, with room for them.
    this.resize(this.capacity * 2, this.idLength + needed);
  }

  private resize(size: number, idBytes: number): void {
    const { length, hashHigh, hashLow, client, flags, value, position, idStart, idEnd } = this;
    const ids = this.idBytes.subarray(0, this.idLength);
    const bytes = Math.max(size * BYTES_PER_CLAIM, size * 33 + idBytes * 2);
    this.layOut(new ArrayBuffer(bytes), size);
    this.position.set(position.subarray(0, length));
    this.hashHigh.set(hashHigh.subarray(0, length));
    this.hashLow.set(hashLow.subarray(0, length));
    this.client.set(client.subarray(0, length));
    this.value.set(value.subarray(0, length));
    this.idStart.set(idStart.subarray(0, length));
    this.idEnd.set(idEnd.subarray(0, length));
    this.flags.set(flags.subarray(0, length));
    this.idBytes.set(ids);
  }
}

/** The one buffer behind a builder's claims, to move to another thread or to reuse. */
export function claimsBuffer(claims: Claims): ArrayBuffer {
  return claims.position.buffer as ArrayBuffer;
}

export class PairsBuilder {
  private client: Int32Array;
  private service: Int32Array;
  private length = 0;

  constructor(
    capacity: number,
    private readonly names: string[],
  ) {
    this.client = new Int32Array(Math.max(capacity, 16));
    this.service = new Int32Array(Math.max(capacity, 16));
  }

  add(client: number, service: number): void {
    if (this.length === this.client.length) {
      const clients = new Int32Array(this.length * 2);
      const services = new Int32Array(this.length * 2);
      clients.set(this.client);
      services.set(this.service);
      this.client = clients;
      this.service = services;
    }
    this.client[this.length] = client;
    this.service[this.length] = service;
    this.length++;
  }

  finish(): ServicePairs {
    return {
      length: this.length,
      client: this.client.subarray(0, this.length),
      service: this.service.subarray(0, this.length),
      names: this.names,
    };
  }
}

export class CostsBuilder {
  private client: Int32Array;
  private readonly nanos: bigint[] = [];
  private length = 0;

  constructor(capacity = 16) {
    this.client = new Int32Array(Math.max(capacity, 16));
  }

  add(client: number, nanos: bigint): void {
    if (this.length === this.client.length) {
      const clients = new Int32Array(this.length * 2);
      clients.set(this.client);
      this.client = clients;
    }
    this.client[this.length] = client;
    this.nanos.push(nanos);
    this.length++;
  }

  finish(): Costs {
    return { length: this.length, client: this.client.slice(0, this.length), nanos: this.nanos };
  }
}
