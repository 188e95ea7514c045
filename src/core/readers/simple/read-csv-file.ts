/**
 * Streams one file's content into records: decoded as UTF-8 (a leading byte-order mark is
 * dropped) and tokenised. Nothing but the current chunk is held in memory. The bytes come
 * verified from the store (`ExportStore.readExportFile`, adapters/file-bytes/): gunzipped,
 * counted against the listed size and hashed.
 */
import { type CsvRecord, CsvTokenizer } from '../../export-set/csv-tokenizer';

/**
 * Reads a file's records from its content (as `ExportStore.readExportFile` gives it: gunzipped,
 * and checked against its listing by the store). Throws `CsvRecordFaultError` for a record longer than
 * `maxRowBytes` (having read no further than that) or a quote never closed.
 */
export async function readCsvFile(
  bytes: AsyncIterable<Uint8Array>,
  onRecord: (record: CsvRecord) => void,
  options: { readonly maxRowBytes?: number } = {},
): Promise<void> {
  const tokenizer = new CsvTokenizer(options.maxRowBytes);
  for await (const chunk of withoutByteOrderMark(bytes)) tokenizer.push(chunk, onRecord);
  tokenizer.finish(onRecord);
}

const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/** The bytes without a leading UTF-8 byte-order mark, however the first pieces are cut. */
async function* withoutByteOrderMark(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let head = new Uint8Array(0);
  let decided = false;
  for await (const piece of bytes) {
    if (decided) {
      yield piece;
      continue;
    }
    const joined = new Uint8Array(head.length + piece.length);
    joined.set(head);
    joined.set(piece, head.length);
    const matched = BYTE_ORDER_MARK.every((byte, i) => i >= joined.length || joined[i] === byte);
    if (matched && joined.length < BYTE_ORDER_MARK.length) {
      head = joined;
      continue;
    }
    decided = true;
    yield matched ? joined.subarray(BYTE_ORDER_MARK.length) : joined;
  }
  if (!decided && head.length > 0) yield head;
}
