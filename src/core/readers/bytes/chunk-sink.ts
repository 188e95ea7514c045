/**
 * One chunk's rows added up into its partial aggregate: claims of ids, services in use,
 * costs, dated rows, and the first rejections by position.
 */
import {
  ClaimsBuilder,
  CostsBuilder,
  PairsBuilder,
  type PartialAggregate,
  position,
} from '../../aggregate/partial-aggregate';
import { AsciiCodes } from '../../collections/ascii-interner';
import { hashOut } from '../../collections/byte-hash';
import { addDatedRow, emptyDatedRows } from '../../export-set/dated-rows';
import { MAX_EXAMPLES } from '../../export-set/row-rules';
import type { ChunkedDataset } from './chunk-plan';

/** Collects one chunk's rows into its partial aggregate. */
export class ChunkSink {
  private readonly claims: ClaimsBuilder | undefined;
  private readonly pairs: PairsBuilder | undefined;
  private readonly costs: CostsBuilder | undefined;
  /** Service names, numbered in this chunk's order (the pairs list them as `names`). */
  private readonly names = new AsciiCodes();

  constructor(
    dataset: ChunkedDataset,
    private readonly partial: PartialAggregate,
    private readonly fileIndex: number,
    /** Rows the chunk probably holds, so that the columns are allocated once. */
    expectedRows: number,
    spareClaims: ArrayBuffer | undefined,
  ) {
    if (dataset === 'interactions' || dataset === 'surveys') {
      this.claims = new ClaimsBuilder(expectedRows, spareClaims);
    }
    if (dataset === 'services') this.pairs = new PairsBuilder(expectedRows, this.names.texts);
    if (dataset === 'support_costs') this.costs = new CostsBuilder();
  }

  /** Rejects the row at `line`, weighing `weight` rows (the lines it spans; row-rules.ts). */
  reject(line: number, reason: string, weight: number): void {
    // The row was counted once already.
    this.partial.rows += weight - 1;
    this.partial.rejected += weight;
    if (this.partial.examples.length < MAX_EXAMPLES) {
      this.partial.examples.push({ position: position(this.fileIndex, line), reason });
    }
  }

  /** A row claiming the id whose hash is in `hashOut`. */
  claim(
    client: number,
    flags: number,
    value: number,
    line: number,
    id: Uint8Array,
    idStart: number,
    idEnd: number,
  ): void {
    (this.claims as ClaimsBuilder).add(
      hashOut[0] as number,
      hashOut[1] as number,
      client,
      flags,
      value,
      position(this.fileIndex, line),
      id,
      idStart,
      idEnd,
    );
  }

  /** The index of the service name `bytes[start, end)` when it came by a few rows ago, else -1. */
  recentServiceName(bytes: Uint8Array, start: number, end: number): number {
    return this.names.recentCode(bytes, start, end);
  }

  /** The index of a plain service name, from its bytes. */
  serviceName(bytes: Uint8Array, start: number, end: number): number {
    return this.names.codeOfBytes(bytes, start, end);
  }

  serviceNameOfText(name: string): number {
    return this.names.codeOf(name);
  }

  serviceInUse(client: number, service: number): void {
    (this.pairs as PairsBuilder).add(client, service);
  }

  cost(client: number, nanos: bigint): void {
    (this.costs as CostsBuilder).add(client, nanos);
  }

  /** A row of an event dataset that passed its own checks, dated `day`. */
  dated(day: number, inPeriod: boolean): void {
    this.partial.dated ??= emptyDatedRows();
    addDatedRow(this.partial.dated, day, inPeriod);
  }

  finish(): void {
    if (this.claims) this.partial.claims = this.claims.finish();
    if (this.pairs) this.partial.servicePairs = this.pairs.finish();
    if (this.costs) this.partial.costs = this.costs.finish();
  }
}
