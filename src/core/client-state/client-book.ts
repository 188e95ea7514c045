/**
 * The book of clients from clients.csv: ids interned once to dense indexes, the two dates
 * that decide every population, and each client's value in every segment dimension.
 * Everything else is keyed by these indexes, so memory grows with clients, not rows.
 */
import type { QuarterPeriod } from '../quarter';

/** `churned_on` of a client that has not churned (the largest day an Int32Array holds). */
export const NEVER = 2_147_483_647;

/** A growable column of 32-bit integers: 4 bytes a client, where a JS array takes 8. */
export class Int32Column {
  values = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}
export const UNSPECIFIED_SEGMENT = '(unspecified)';

export interface SegmentDimension {
  readonly name: string;
  /** Distinct values, in order of first appearance. */
  readonly values: string[];
  /** Index into `values` for every client. */
  readonly valueOfClient: Int32Column;
}

export class ClientBook {
  readonly ids: string[] = [];
  readonly customerSince = new Int32Column();
  readonly churnedOn = new Int32Column();
  readonly dimensions: SegmentDimension[];
  private readonly indexById = new Map<string, number>();
  private readonly valueIndexes: Map<string, number>[];
  /** Ids whose clients.csv row was rejected, to explain references to them. */
  readonly rejectedIds = new Set<string>();

  constructor(dimensionNames: readonly string[]) {
    this.dimensions = dimensionNames.map((name) => ({ name, values: [], valueOfClient: new Int32Column() }));
    this.valueIndexes = dimensionNames.map(() => new Map());
  }

  get size(): number {
    return this.customerSince.length;
  }

  indexOf(id: string): number | undefined {
    return this.indexById.get(id);
  }

  /** Adds a client; returns false (and adds nothing) when the id is already in the book. */
  add(
    id: string,
    customerSince: number,
    churnedOn: number | undefined,
    segments: (string | undefined)[],
  ): boolean {
    if (this.indexById.has(id)) return false;
    this.indexById.set(id, this.ids.length);
    this.ids.push(id);
    this.customerSince.push(customerSince);
    this.churnedOn.push(churnedOn ?? NEVER);
    for (let d = 0; d < this.dimensions.length; d++) {
      (this.dimensions[d] as SegmentDimension).valueOfClient.push(this.valueIndex(d, segments[d]));
    }
    return true;
  }

  /**
   * Adds a client whose id the caller has already found unique (the bytes reader keeps ids
   * as bytes in its own table), each segment value given by its `valueIndex`, and NEVER for
   * no churn; the new index is `size - 1`. Runs once per client: plain loops, no lookups.
   */
  addIndexed(customerSince: number, churnedOn: number, valueIndexes: Int32Array): void {
    this.customerSince.push(customerSince);
    this.churnedOn.push(churnedOn);
    for (let d = 0; d < this.dimensions.length; d++) {
      (this.dimensions[d] as SegmentDimension).valueOfClient.push(valueIndexes[d] as number);
    }
  }

  /** The index of a value of dimension `d` (undefined: no value), numbering it if it is new. */
  valueIndex(d: number, segment: string | undefined): number {
    const value = segment ?? UNSPECIFIED_SEGMENT;
    const indexes = this.valueIndexes[d] as Map<string, number>;
    let valueIndex = indexes.get(value);
    if (valueIndex === undefined) {
      const dimension = this.dimensions[d] as SegmentDimension;
      valueIndex = dimension.values.length;
      indexes.set(value, valueIndex);
      dimension.values.push(value);
    }
    return valueIndex;
  }

  /** Customer on at least one day of the quarter (kpis.md "Active in Q"). */
  isActive(client: number, period: QuarterPeriod): boolean {
    return (
      (this.customerSince.values[client] as number) <= period.end &&
      (this.churnedOn.values[client] as number) > period.start
    );
  }

  /** Customer before the quarter and still one on its first day (kpis.md "S"). */
  isCustomerAtStart(client: number, period: QuarterPeriod): boolean {
    return (
      (this.customerSince.values[client] as number) < period.start &&
      (this.churnedOn.values[client] as number) > period.start
    );
  }

  /** In S and still a customer on the quarter's last day (kpis.md "R"). */
  isRetained(client: number, period: QuarterPeriod): boolean {
    return this.isCustomerAtStart(client, period) && (this.churnedOn.values[client] as number) > period.end;
  }
}
