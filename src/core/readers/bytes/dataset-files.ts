/**
 * How the bytes reader reads one dataset's files: each file streams (verified by the store)
 * through the chunker into line-aligned chunks; its header is checked here, its chunks read
 * several at once by the executor and their results taken back in file order, with lines
 * and positions made the file's.
 */

import {
  type PartialAggregate,
  positionFile,
  positionLine,
  type RejectionExample,
} from '../../aggregate/partial-aggregate';
import { ExportFileError } from '../../errors';
import { DATASETS, type DatasetName, isGzipName, normaliseColumnName } from '../../export-set/contract';
import { type CsvRecord, CsvTokenizer } from '../../export-set/csv-tokenizer';
import { type DatasetQuality, failedDataset, provenanceOf } from '../../export-set/dataset-quality';
import type { DiscoveredFile } from '../../export-set/discover-export-set';
import {
  checkHeader,
  emptyFileProblem,
  invalidUtf8HeaderProblem,
  MAX_EXAMPLES,
  type RecordFault,
  recordFaultProblem,
} from '../../export-set/row-rules';
import type { ExportStore } from '../../ports';
import { PROGRESS_EVERY_ROWS, type ReadProgress } from '../export-set-reader';
import type { ChunkFault } from './chunk-plan';
import { type ChunkBufferPool, LineAlignedChunker } from './chunker';
import { RecordScanner } from './record-scanner';

export interface FileChunkResult {
  rows: number;
  rejected: number;
  examples: RejectionExample[];
  lines: number;
  partial?: PartialAggregate;
  /** A record that stops the file; the chunk's results before it are not used. */
  fault?: ChunkFault;
}

export interface DatasetReadHooks {
  onFirstHeader(header: string[]): void;
  /** Returns how to read the file's chunks (after its header). */
  openFile(header: string[], fileIndex: number): (chunk: Uint8Array) => Promise<FileChunkResult>;
  /** Receives each chunk's partial, in file order, with absolute positions; the next waits for it. */
  fold(partial: PartialAggregate): Promise<void> | void;
}

/**
 * Chunks submitted and not yet folded, per reader. Four, not two: with two, the main thread
 * waited on the oldest chunk (on a worker) for about 1.8 s of an 11 s run at 10M rows when
 * it could have been reading the next one itself.
 */
const CHUNKS_IN_FLIGHT_PER_READER = 4;

/** Claims buffers kept for reuse: enough for the chunks in flight. */
export const SPARE_CLAIMS = 20;

export interface Reading {
  readonly store: ExportStore;
  readonly chunkBytes: number;
  readonly maxRowBytes: number;
  /** Chunks read at once; CHUNKS_IN_FLIGHT_PER_READER times as many are kept in flight so no reader waits. */
  readonly parallelism: number;
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
  readonly chunks: ChunkBufferPool;
  /** Buffers of folded claims, for the readers of later chunks. */
  readonly spareClaims: ArrayBuffer[];
}

/**
 * Streams every file of a dataset through the chunker, checks each header, reads chunks
 * (several at once) and takes their results in order. Returns the header problems.
 */
export async function readDatasetFiles(
  reading: Reading,
  dataset: DatasetName,
  files: readonly DiscoveredFile[],
  quality: DatasetQuality,
  hooks: DatasetReadHooks,
): Promise<string[]> {
  const contract = DATASETS[dataset];
  let firstHeader: string[] | undefined;
  let nextProgress = PROGRESS_EVERY_ROWS;
  for (const [fileIndex, file] of files.entries()) {
    // The chunker copies each piece at once, so a store may reuse its memory.
    const stored = reading.store.readExportFile(file, { transient: true });
    const { maxRowBytes } = reading;
    const chunker = new LineAlignedChunker(
      reading.chunkBytes,
      (size) => reading.chunks.take(size),
      maxRowBytes,
    );
    let readChunk: ((chunk: Uint8Array) => Promise<FileChunkResult>) | undefined;
    /** Why the file cannot be read on: its header, or a record (row-rules.ts). */
    let problem: string | undefined;
    const faultAt = (line: number, fault: RecordFault) => {
      problem ??= recordFaultProblem(file.name, line, fault, maxRowBytes);
    };
    let lineOffset = 0;
    let fileRows = 0;
    const pending: Promise<FileChunkResult>[] = [];
    const takeOne = async () => {
      const result = await (pending.shift() as Promise<FileChunkResult>);
      if (problem !== undefined) return; // the file stopped at an earlier chunk
      // Chunk results number lines from 0 at the chunk's start; make them the file's lines.
      const shift = lineOffset + 1;
      if (result.fault !== undefined) {
        faultAt(result.fault.line + shift, result.fault.fault);
        return;
      }
      for (const example of result.examples) (example as { position: number }).position += shift;
      if (result.partial?.claims) {
        const positions = result.partial.claims.position;
        for (let i = 0; i < positions.length; i++) positions[i] = (positions[i] as number) + shift;
      }
      lineOffset += result.lines;
      fileRows += result.rows;
      quality.rows += result.rows;
      quality.rejected += result.rejected;
      for (const example of result.examples) {
        if (quality.examples.length < MAX_EXAMPLES) quality.examples.push(describe(example, files));
      }
      if (result.partial) await hooks.fold(result.partial);
      if (reading.onProgress && quality.rows >= nextProgress) {
        nextProgress = (Math.floor(quality.rows / PROGRESS_EVERY_ROWS) + 1) * PROGRESS_EVERY_ROWS;
        reading.onProgress({ dataset, file: file.name, rows: quality.rows, done: false });
      }
    };
    const submit = async (chunk: Uint8Array) => {
      if (problem !== undefined) return;
      let body = chunk;
      if (readChunk === undefined) {
        const header = readHeader(chunk, maxRowBytes);
        if (header.fault !== undefined) faultAt(lineOffset + 1 + header.fault.line, header.fault.fault);
        if (header.names === undefined) {
          // Only blank lines so far (or a fault): the header is in a later chunk.
          lineOffset += header.lines;
          return;
        }
        problem = header.validUtf8
          ? checkHeader(header.names, contract, file.name, firstHeader)
          : invalidUtf8HeaderProblem(file.name);
        if (problem !== undefined) return;
        if (firstHeader === undefined) {
          firstHeader = header.names;
          hooks.onFirstHeader(header.names);
        }
        readChunk = hooks.openFile(header.names, fileIndex);
        lineOffset += header.lines;
        body = chunk.slice(header.bodyStart ?? chunk.length);
        reading.chunks.give(chunk);
        if (body.length === 0) return;
      }
      const promise = readChunk(body);
      promise.catch(() => {}); // awaited in order below; this only stops an early unhandled rejection
      pending.push(promise);
      if (pending.length > reading.parallelism * CHUNKS_IN_FLIGHT_PER_READER) await takeOne();
    };
    try {
      for await (const data of stored.bytes) {
        for (const chunk of chunker.push(data)) await submit(chunk);
        if (chunker.overflowed) {
          // The record after the chunks read so far is too long: it starts on the next line.
          while (pending.length > 0) await takeOne();
          faultAt(lineOffset + 1, 'row-too-long');
        }
        if (problem !== undefined) break;
      }
    } catch (error) {
      if (!(error instanceof ExportFileError)) throw error;
      // The records that came before the break are read first, as the reference reader reads
      // as it goes: a problem in them (a bad header, a row too long) is the one reported.
      const complete = chunker.takeComplete();
      if (complete) await submit(complete);
      while (pending.length > 0) await takeOne();
      return failedDataset(quality, problem ?? error.problem);
    }
    if (problem === undefined) {
      const rest = chunker.finish();
      if (rest) await submit(rest);
    }
    while (pending.length > 0) await takeOne();
    if (readChunk === undefined && problem === undefined) {
      problem = emptyFileProblem(file.name);
    }
    if (problem !== undefined) return failedDataset(quality, problem);
    quality.files.push(provenanceOf(file, stored.stats(), fileRows));
  }
  reading.onProgress?.({ dataset, file: files.at(-1)?.name ?? '', rows: quality.rows, done: true });
  return [];
}

/** The first record of a file's first chunk: what the reader needs to know of it. */
interface HeaderRead {
  /** Column names; undefined when the chunk holds only blank lines (or the header is faulty). */
  readonly names?: string[];
  readonly validUtf8?: boolean;
  /** Lines up to the header's end (or all the chunk's lines, without a header). */
  readonly lines: number;
  readonly bodyStart?: number;
  /** A header too long, or whose quote never closes, at a line relative to the chunk. */
  readonly fault?: ChunkFault;
}

function readHeader(chunk: Uint8Array, maxRowBytes: number): HeaderRead {
  const scanner = new RecordScanner();
  scanner.reset(chunk, 0, chunk.length);
  if (!scanner.next()) return { lines: scanner.lines };
  const fault = scanner.fault(maxRowBytes);
  if (fault !== undefined) return { lines: scanner.lines, fault: { line: scanner.line, fault } };
  let fields: string[] = [];
  let validUtf8 = true;
  const tokenizer = new CsvTokenizer();
  const take = (record: CsvRecord) => {
    fields = record.fields;
    validUtf8 = record.validUtf8;
  };
  tokenizer.push(chunk.subarray(scanner.recordStart, scanner.recordEnd), take);
  tokenizer.finish(take);
  return {
    names: fields.map(normaliseColumnName),
    validUtf8,
    lines: scanner.lines,
    bodyStart: scanner.offset,
  };
}

export function describe(example: RejectionExample, files: readonly DiscoveredFile[]) {
  return {
    file: files[positionFile(example.position)]?.name ?? '',
    line: positionLine(example.position),
    reason: example.reason,
  };
}

/** A dataset's size as CSV text, guessing 5:1 for gzip, to size tables up front. */
export function storedBytes(files: readonly DiscoveredFile[]): number {
  return files.reduce((sum, file) => sum + file.size * (isGzipName(file.name) ? 5 : 1), 0);
}
