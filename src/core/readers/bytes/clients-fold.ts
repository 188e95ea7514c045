/**
 * The main thread's part of reading clients.csv: gives each parsed row its client index, in
 * file order, so that the first row keeps a repeated id and segment values are numbered by
 * first appearance.
 */
import { position } from '../../aggregate/partial-aggregate';
import type { ClientBook } from '../../client-state/client-book';
import { MAX_EXAMPLES, repeatedIdReason } from '../../export-set/row-rules';
import type { ClientTable } from './client-table';
import {
  CHURNED,
  type ClientsChunkResult,
  ID_END,
  ID_HASH,
  ID_IN_NOTES,
  ID_START,
  LINE,
  type ParsedClients,
  REJECTED,
  SEGMENTS,
  SINCE,
} from './clients-rows';

const decoder = new TextDecoder();

/** Gives the parsed rows of one clients.csv file their client indexes, chunk by chunk in file order. */
/** Rows whose table slots are touched before they are added. */
const TOUCH_AHEAD = 16;

export class ClientsFold {
  private touched = 0;

  constructor(
    private readonly book: ClientBook,
    private readonly table: ClientTable,
    private readonly fileIndex: number,
  ) {}

  /** `bytes`: the chunk `parsed` was read from (its ids are offsets into it). */
  fold(parsed: ParsedClients, bytes: Uint8Array): ClientsChunkResult {
    const { book, table } = this;
    const result: ClientsChunkResult = {
      rows: parsed.rowCount,
      rejected: 0,
      examples: [],
      lines: parsed.lines,
      ...(parsed.fault !== undefined && { fault: parsed.fault }),
    };
    const dimensions = book.dimensions.length;
    const width = SEGMENTS + dimensions;
    // This chunk's value codes → the book's value indexes, taken at a value's first valid row:
    // one flat array (dimension d's codes from firstCode[d]), not an array of arrays, whose
    // map changed between chunks and deoptimised this loop again and again.
    const firstCode = new Int32Array(dimensions + 1);
    for (let d = 0; d < dimensions; d++) {
      firstCode[d + 1] = (firstCode[d] as number) + (parsed.values[d]?.length ?? 0);
    }
    const indexOfCode = new Int32Array(firstCode[dimensions] as number).fill(-1);
    const segments = new Int32Array(dimensions);
    const rows = parsed.rows;
    let touched = 0;
    for (let row = 0; row < parsed.rowCount; row++) {
      if (row % TOUCH_AHEAD === 0) {
        // Touch the table slots of the next rows first: independent loads, so that their
        // cache misses overlap instead of being paid one after another by the adds.
        const blockEnd = Math.min(row + TOUCH_AHEAD, parsed.rowCount);
        for (let ahead = row; ahead < blockEnd; ahead++) {
          if ((rows[ahead * width + ID_START] as number) >= 0) {
            touched += table.touch(rows[ahead * width + ID_HASH] as number);
          }
        }
      }
      const at = row * width;
      const idStart = rows[at + ID_START] as number;
      let reason: string | undefined;
      if (idStart === REJECTED) {
        reason = parsed.notes.get(row);
      } else {
        const index =
          idStart === ID_IN_NOTES
            ? table.addString(parsed.notes.get(row) as string)
            : table.addHashed(bytes, idStart, rows[at + ID_END] as number, rows[at + ID_HASH] as number);
        if (index < 0) {
          const id =
            idStart === ID_IN_NOTES
              ? parsed.notes.get(row)
              : decoder.decode(bytes.subarray(idStart, rows[at + ID_END] as number));
          reason = repeatedIdReason('client_id', id as string);
        } else {
          for (let d = 0; d < dimensions; d++) {
            const code = rows[at + SEGMENTS + d] as number;
            const slot = (firstCode[d] as number) + code;
            let valueIndex = code < 0 ? -1 : (indexOfCode[slot] as number);
            if (valueIndex < 0) {
              valueIndex = book.valueIndex(d, code < 0 ? undefined : parsed.values[d]?.[code]);
              if (code >= 0) indexOfCode[slot] = valueIndex;
            }
            segments[d] = valueIndex;
          }
          book.addIndexed(rows[at + SINCE] as number, rows[at + CHURNED] as number, segments);
        }
      }
      if (reason !== undefined) {
        // Only rows rejected on their own weigh their lines; a repeated id weighs one row.
        const weight = idStart === REJECTED ? (parsed.weights.get(row) ?? 1) : 1;
        result.rows += weight - 1;
        result.rejected += weight;
        if (result.examples.length < MAX_EXAMPLES) {
          result.examples.push({ position: position(this.fileIndex, rows[at + LINE] as number), reason });
        }
      }
    }
    for (const id of parsed.rejectedIds) book.rejectedIds.add(id);
    this.touched += touched; // kept, so that the touching loads are not optimised away
    return result;
  }
}
