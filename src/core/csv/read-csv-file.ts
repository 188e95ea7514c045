/**
 * Streams one stored CSV file (plain or gzip) into records: bytes are checksummed as they
 * arrive, gunzipped when the name ends in `.gz`, decoded as UTF-8 (a leading byte-order
 * mark is dropped) and tokenised. Nothing but the current chunk is held in memory.
 */
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type CsvRecord, CsvTokenizer } from './csv-tokenizer';

export interface CsvFileStats {
  /** Bytes as stored (compressed size for `.gz`). */
  readonly bytes: number;
  /** SHA-256 of the stored bytes, hex. */
  readonly sha256: string;
}

/**
 * The bytes of a stored file as the CSV reader sees them (gunzipped for `.gz`), with the
 * stored bytes counted and checksummed on the way; `stats()` is final once `bytes` is drained.
 */
export function storedFileBytes(
  source: AsyncIterable<Uint8Array>,
  fileName: string,
): { bytes: AsyncIterable<Uint8Array>; stats: () => CsvFileStats } {
  const hash = createHash('sha256');
  let count = 0;
  let digest: string | undefined;
  async function* counted() {
    for await (const chunk of source) {
      hash.update(chunk);
      count += chunk.length;
      yield chunk;
    }
  }
  const bytes: AsyncIterable<Uint8Array> = fileName.endsWith('.gz')
    ? pipeline(Readable.from(counted()), createGunzip(), () => {})
    : counted();
  return {
    bytes,
    stats: () => {
      digest ??= hash.digest('hex');
      return { bytes: count, sha256: digest };
    },
  };
}

export async function readCsvFile(
  source: AsyncIterable<Uint8Array>,
  fileName: string,
  onRecord: (record: CsvRecord) => void,
): Promise<CsvFileStats> {
  const stored = storedFileBytes(source, fileName);
  const decoder = new TextDecoder('utf-8');
  const tokenizer = new CsvTokenizer();
  for await (const chunk of stored.bytes) {
    tokenizer.push(decoder.decode(chunk, { stream: true }), onRecord);
  }
  tokenizer.push(decoder.decode(), onRecord);
  tokenizer.finish(onRecord);
  return stored.stats();
}
