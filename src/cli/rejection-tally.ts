/**
 * Every rejected row of a validation, counted two ways per dataset: by reason (the reason
 * with its value taken out, so `unknown client_id 'Z1'` and `… 'Z2'` are one reason) and by
 * distinct rejected value (`client_id 'Z1'` on 4,000 rows is one fix upstream).
 *
 * The field a reason is about is the first word of the reason that names one of the row's
 * columns: every row rule words its reason that way (row-schemas.ts, row-rules.ts),
 * `nps score 11 …` being `score`. A row rejected before its columns were read (malformed,
 * not UTF-8, a wrong number of fields) has no field and counts by reason only.
 *
 * Memory stays bounded on any export: past MAX_TALLIED distinct reasons or values per
 * dataset, new ones are only counted as untallied (the first ones met keep counting).
 */

import { excerpt } from '../core/excerpt';
import type { RowRejection } from '../core/readers/simple/read-dataset';

export const MAX_TALLIED = 10_000;
/** How a value taken out of a reason is shown. */
const VALUE = '…';

export interface RejectedValueCount {
  readonly field: string;
  readonly value: string;
  readonly rows: number;
}

export interface DatasetRejections {
  readonly byReason: readonly { readonly reason: string; readonly rows: number }[];
  readonly byValue: readonly RejectedValueCount[];
  /** Rows whose reason or value came after MAX_TALLIED distinct ones (counted nowhere above). */
  readonly untallied: number;
}

export const NO_REJECTIONS: DatasetRejections = { byReason: [], byValue: [], untallied: 0 };

/** The field and value a rejection is about, the value cut to an excerpt (about 80 characters). */
export function rejectedField(rejection: RowRejection): { field: string; value: string } | undefined {
  const { row } = rejection;
  if (row === undefined) return undefined;
  const field = rejection.reason.split(/[^A-Za-z0-9_]+/).find((word) => Object.hasOwn(row, word));
  if (field === undefined) return undefined;
  return { field, value: excerpt(row[field] ?? '') };
}

/** The reason with the rejected value taken out: what rows share whatever their value. */
export function reasonWithoutValue(reason: string, field: string, value: string): string {
  if (value === '') return reason;
  const quoted = `'${value}'`;
  if (reason.includes(quoted)) return reason.replace(quoted, `'${VALUE}'`);
  // Numbers are shown as numbers (`nps score 11`), after their field's name.
  const number = Number(value);
  const spelled = `${field} ${number}`;
  if (Number.isFinite(number) && reason.includes(spelled))
    return reason.replace(spelled, `${field} ${VALUE}`);
  return reason;
}

class Counts {
  readonly #counts = new Map<string, number>();
  untallied = 0;

  add(key: string): void {
    const count = this.#counts.get(key);
    if (count !== undefined) this.#counts.set(key, count + 1);
    else if (this.#counts.size < MAX_TALLIED) this.#counts.set(key, 1);
    else this.untallied++;
  }

  /** Most rows first, then by key, so that the order is the same on every run. */
  sorted(): [string, number][] {
    return [...this.#counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  }
}

export class RejectionTally {
  readonly #byDataset = new Map<string, { reasons: Counts; values: Counts }>();

  add(rejection: RowRejection): void {
    let counts = this.#byDataset.get(rejection.dataset);
    if (counts === undefined) {
      counts = { reasons: new Counts(), values: new Counts() };
      this.#byDataset.set(rejection.dataset, counts);
    }
    const about = rejectedField(rejection);
    if (about === undefined) {
      counts.reasons.add(rejection.reason);
      return;
    }
    counts.reasons.add(reasonWithoutValue(rejection.reason, about.field, about.value));
    // A JSON pair as key: a field name and any text, split back without ambiguity.
    counts.values.add(JSON.stringify([about.field, about.value]));
  }

  /** One dataset's counts; empty for a dataset with no rejected row. */
  of(dataset: string): DatasetRejections {
    const counts = this.#byDataset.get(dataset);
    if (counts === undefined) return NO_REJECTIONS;
    return {
      byReason: counts.reasons.sorted().map(([reason, rows]) => ({ reason, rows })),
      byValue: counts.values.sorted().map(([key, rows]) => {
        const [field, value] = JSON.parse(key) as [string, string];
        return { field, value, rows };
      }),
      untallied: Math.max(counts.reasons.untallied, counts.values.untallied),
    };
  }
}
