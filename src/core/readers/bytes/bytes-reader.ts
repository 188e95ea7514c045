/**
 * The fast reader: the same `ExportSetReading` as `readExportSet`, read from bytes. Each
 * file streams through a chunker into line-aligned chunks, which go to a `ChunkExecutor`
 * (worker threads, or inline). clients.csv chunks come back parsed, and this thread gives
 * their ids client indexes in file order; the other datasets' chunks come back as partial
 * aggregates, folded in file order, so repeats and rejection examples come out exactly as
 * in one pass.
 */
import { AggregateFolder } from '../../aggregate/fold-partials';
import type { InteractionTally } from '../../aggregate/interaction-tally';
import {
  claimsBuffer,
  type PartialAggregate,
  positionFile,
  positionLine,
  type RejectionExample,
} from '../../aggregate/partial-aggregate';
import { ClientBook } from '../../client-state/client-book';
import { ExportFileError } from '../../errors';
import { DATASETS, DATED_DATASETS, type DatasetName, normaliseColumnName } from '../../export-set/contract';
import { type CsvRecord, CsvTokenizer } from '../../export-set/csv-tokenizer';
import {
  type DatasetQuality,
  type FileProvenance,
  failedDataset,
  provenanceOf,
} from '../../export-set/dataset-quality';
import { emptyDatedRows, summariseDatedRows } from '../../export-set/dated-rows';
import type { DiscoveredFile } from '../../export-set/discover-export-set';
import { plausibilityProblems } from '../../export-set/plausibility';
import {
  checkHeader,
  emptyFileProblem,
  invalidUtf8HeaderProblem,
  type RecordFault,
  recordFaultProblem,
  rejectLimitProblems,
  segmentDimensions,
  setWarnings,
} from '../../export-set/row-rules';
import type { ExportStore } from '../../ports';
import {
  type ExportSetReader,
  type ExportSetReading,
  PROGRESS_EVERY_ROWS,
  type ReadExportSetOptions,
  type ReadProgress,
} from '../export-set-reader';
import { discoverForReading, measurable, unreadableSet } from '../set-reading';
import { isGzipName, storedFileBytes } from '../simple/read-csv-file';
import {
  CHUNK_COLUMNS,
  type ChunkedDataset,
  type ChunkFault,
  type ChunkResult,
  type DatasetPlan,
} from './chunk-reader';
import { ChunkBufferPool, DEFAULT_CHUNK_BYTES, LineAlignedChunker } from './chunker';
import { ClientTable } from './client-table';
import { ClientsFolder, type ClientsPlan, type ParsedClients } from './clients-reader';
import { RecordScanner } from './record-scanner';

/** Reads chunks of a dataset somewhere: worker threads, or this thread. */
export interface ChunkExecutor {
  /** How many chunks it reads at once. */
  readonly parallelism: number;
  /** `spareClaims`: a buffer of claims done with, for the reader to reuse (see `ClaimsBuilder`). */
  read(plan: DatasetPlan, chunk: Uint8Array, spareClaims?: ArrayBuffer): Promise<ReadChunk>;
  /**
   * Parses a chunk of clients.csv; the chunk comes back too, since the ids are offsets into
   * it. `spareRows`: the rows buffer of an earlier parsed chunk, done with, to reuse.
   */
  parseClients(plan: ClientsPlan, chunk: Uint8Array, spareRows?: ArrayBuffer): Promise<ParsedClientsChunk>;
  close(): Promise<void>;
}

export interface ParsedClientsChunk {
  readonly parsed: ParsedClients;
  readonly chunk: Uint8Array;
}

/** A chunk's result, with the chunk's bytes handed back (when they could be) for reuse. */
export interface ReadChunk extends ChunkResult {
  readonly chunk?: Uint8Array;
}

export interface FastReaderOptions {
  /** Makes the executor for one reading; it is closed when the reading ends. */
  readonly executor: () => ChunkExecutor;
  readonly chunkBytes?: number;
}

/** The fast reader behind the one `ExportSetReader` interface. */
export function fastExportSetReader(settings: FastReaderOptions): ExportSetReader {
  return async (options) => {
    const executor = settings.executor();
    try {
      return await readExportSetFast({ ...options, executor, chunkBytes: settings.chunkBytes });
    } finally {
      await executor.close();
    }
  };
}

const CHUNKED: readonly ChunkedDataset[] = ['interactions', 'services', 'surveys', 'support_costs'];

/**
 * What the distributed mode's steps made of the interactions files, in this order: each
 * part's tally and provenance, in file order (positions of the part alone), then what each
 * hash range's repeats take back (positions in the dataset). A problem ends the reading.
 */
export type MappedInteractions = AsyncIterable<
  | { readonly part: { readonly tally: InteractionTally; readonly provenance: FileProvenance } }
  | { readonly repeats: InteractionTally }
  | { readonly problem: string }
>;

/** How the distributed mode changes a reading (see use-cases/distributed-run.ts). */
export interface DistributedReading {
  /**
   * Map step: read clients and this interactions file only, handing its partials to
   * `collect`, in row order (with the number of clients); the next chunk waits for the
   * promise it returns.
   */
  readonly onePart?: {
    readonly key: string;
    collect(partial: PartialAggregate, clientCount: number): Promise<void> | void;
  };
  /**
   * Reduce step: the interactions files' tallies instead of the files. `clients`: the
   * clients files as this reading read them, to check the map steps read the same.
   */
  readonly interactionsFrom?: (
    files: readonly DiscoveredFile[],
    clients: readonly FileProvenance[],
  ) => MappedInteractions;
}

export async function readExportSetFast(
  options: ReadExportSetOptions & {
    executor: ChunkExecutor;
    chunkBytes?: number | undefined;
    distributed?: DistributedReading;
  },
): Promise<ExportSetReading> {
  const { store, period, config, onProgress, executor, distributed = {} } = options;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const { discovered, dataQuality, problems, incomplete } = await discoverForReading(store, period);
  const warnings: string[] = [];
  if (problems.length > 0) {
    return unreadableSet(dataQuality, problems, warnings, incomplete);
  }
  const readerConfig = {
    channelLabels: config.channelLabels,
    timeZone: config.timeZone,
    maxRowBytes: config.maxRowBytes,
  };
  const reading: Reading = {
    store,
    chunkBytes,
    maxRowBytes: config.maxRowBytes,
    onProgress,
    parallelism: executor.parallelism,
    // Chunks and claims buffers go round instead of being made (and collected) per chunk.
    chunks: new ChunkBufferPool(chunkBytes + (chunkBytes >> 1)),
    spareClaims: [],
  };

  // clients.csv: parsed by the executor, its ids numbered on this thread in file order.
  let book = new ClientBook([]);
  let table: ClientTable | undefined = new ClientTable(
    Math.ceil(storedBytes(discovered.files.clients ?? []) / 40),
  );
  let names: string[] = [];
  const clientsProblems = await readDatasetFiles(
    reading,
    'clients',
    discovered.files.clients ?? [],
    dataQuality.clients,
    {
      onFirstHeader: (header) => {
        const dimensions = segmentDimensions(header, config.segmentColumns, warnings);
        book = new ClientBook(dimensions);
        names = ['client_id', 'customer_since', 'churned_on', ...dimensions];
      },
      openFile: (header, fileIndex) => {
        const plan: ClientsPlan = {
          dataset: 'clients',
          headerLength: header.length,
          names,
          columns: columnIndexes(header, names),
          config: readerConfig,
        };
        const folder = new ClientsFolder(book, table as ClientTable, fileIndex);
        // Chunks are parsed at once, anywhere, but folded one after another in file order.
        let folded: Promise<unknown> = Promise.resolve();
        const spareRows: ArrayBuffer[] = [];
        return (chunk) => {
          const parsing = executor.parseClients(plan, chunk, spareRows.pop());
          const result = folded.then(async () => {
            const { parsed, chunk: bytes } = await parsing;
            const chunkResult = folder.fold(parsed, bytes);
            reading.chunks.give(bytes);
            spareRows.push(parsed.rows.buffer as ArrayBuffer);
            return chunkResult;
          });
          folded = result.catch(() => {});
          return result;
        };
      },
      fold: () => {},
    },
  );
  problems.push(...clientsProblems);
  // clients.csv not read in full: no client counts, whichever reader got however far.
  if (problems.length > 0) return unreadableSet(dataQuality, problems, warnings, false);

  const folder = new AggregateFolder(book.size);
  const clients = table.shared();
  table = undefined; // the workers use the shared copy; this one is done with

  const rejectedClientIds = [...book.rejectedIds];
  const failed = new Set<DatasetName>();
  for (const dataset of CHUNKED) {
    let files = discovered.files[dataset] ?? [];
    if (distributed.onePart) {
      if (dataset !== 'interactions') continue;
      files = files.filter((file) => file.key === distributed.onePart?.key);
    }
    if (dataset === 'interactions' && distributed.interactionsFrom) {
      const mapped = distributed.interactionsFrom(files, dataQuality.clients.files);
      problems.push(...(await foldMappedInteractions(files, mapped, folder, dataQuality.interactions)));
      continue;
    }
    const datasetProblems = await readDatasetFiles(reading, dataset, files, dataQuality[dataset], {
      onFirstHeader: () => {},
      openFile: (header, fileIndex) => {
        const plan: DatasetPlan = {
          dataset,
          fileIndex,
          headerLength: header.length,
          columns: columnIndexes(header, CHUNK_COLUMNS[dataset]),
          period: { start: period.start, end: period.end },
          config: readerConfig,
          clients,
          rejectedClientIds,
        };
        return async (chunk) => {
          const chunkLength = chunk.length; // the executor may move the chunk to another thread
          const {
            partial,
            lines,
            fault,
            chunk: returned,
          } = await executor.read(plan, chunk, reading.spareClaims.pop());
          if (returned) reading.chunks.give(returned);
          if (!folder.expects(dataset) && partial.rows > 0) {
            // Size the id table once, from this chunk's bytes per row, rather than grow it.
            folder.expect(dataset, Math.ceil((storedBytes(files) / chunkLength) * partial.rows * 1.05));
          }
          return {
            rows: partial.rows,
            rejected: partial.rejected,
            examples: partial.examples,
            lines,
            partial,
            ...(fault !== undefined && { fault }),
          };
        };
      },
      fold: async (partial) => {
        if (distributed.onePart) await distributed.onePart.collect(partial, book.size);
        else folder.fold(partial);
        if (partial.claims && reading.spareClaims.length < SPARE_CLAIMS) {
          reading.spareClaims.push(claimsBuffer(partial.claims));
        }
      },
    });
    problems.push(...datasetProblems);
    if (datasetProblems.length > 0) failed.add(dataset);
    folder.finishDataset(dataset);
  }
  for (const dataset of CHUNKED) {
    const folded = folder.quality.get(dataset);
    const quality = dataQuality[dataset];
    // A dataset that could not be read in full reports no counts (see failedDataset).
    if (failed.has(dataset)) continue;
    if (isDated(dataset) && quality.files.length > 0) {
      quality.dated = summariseDatedRows(folded?.dated ?? emptyDatedRows());
    }
    if (!folded) continue;
    // Repeats are found while folding: take the folder's counts and examples.
    quality.rejected = folded.rejected;
    quality.examples.splice(
      0,
      quality.examples.length,
      ...folded.examples.map((example) => describe(example, files(dataset))),
    );
  }
  problems.push(...rejectLimitProblems(dataQuality, config.rejectLimitPercent));
  problems.push(...plausibilityProblems(dataQuality, period, config));
  warnings.push(...setWarnings(discovered, dataQuality));
  return {
    book,
    activity: measurable(folder.activity, problems),
    dataQuality,
    problems,
    warnings,
    incomplete: false,
  };

  function files(dataset: DatasetName): readonly DiscoveredFile[] {
    return discovered.files[dataset] ?? [];
  }
}

/** The reduce step: folds the parts' tallies in file order, as if the parts had been read, then the repeats. */
async function foldMappedInteractions(
  files: readonly DiscoveredFile[],
  mapped: MappedInteractions,
  folder: AggregateFolder,
  quality: DatasetQuality,
): Promise<string[]> {
  let fileIndex = 0;
  for await (const item of mapped) {
    if ('problem' in item) return [item.problem];
    if ('repeats' in item) {
      folder.foldTally(item.repeats);
      continue;
    }
    // The map step read the part as the dataset's only file: give its rows this file's place.
    const shift = fileIndex * 2 ** 32;
    const { tally, provenance } = item.part;
    const examples = tally.examples.map((example) => ({ ...example, position: example.position + shift }));
    folder.foldTally({ ...tally, examples });
    quality.rows += tally.rows;
    quality.files.push(provenance);
    fileIndex++;
  }
  if (fileIndex !== files.length) {
    throw new Error(
      `the distributed run tallied ${fileIndex} interactions parts, not the ${files.length} listed`,
    );
  }
  return [];
}

interface FileChunkResult {
  rows: number;
  rejected: number;
  examples: RejectionExample[];
  lines: number;
  partial?: PartialAggregate;
  /** A record that stops the file; the chunk's results before it are not used. */
  fault?: ChunkFault;
}

interface DatasetReadHooks {
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
const SPARE_CLAIMS = 20;

interface Reading {
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
async function readDatasetFiles(
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
    // The chunker copies each piece at once, so a store may reuse its memory; gunzip may not.
    const { store } = reading;
    const transient = store.readTransient && !isGzipName(file.name);
    const stored = storedFileBytes(
      transient
        ? (store.readTransient?.(file.key, file) ?? store.read(file.key, file))
        : store.read(file.key, file),
      file,
    );
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
        if (quality.examples.length < 10) quality.examples.push(describe(example, files));
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

function columnIndexes(header: readonly string[], names: readonly string[]): number[] {
  return names.map((name) => header.indexOf(name));
}

function describe(example: RejectionExample, files: readonly DiscoveredFile[]) {
  return {
    file: files[positionFile(example.position)]?.name ?? '',
    line: positionLine(example.position),
    reason: example.reason,
  };
}

function isDated(dataset: DatasetName): boolean {
  return (DATED_DATASETS as readonly DatasetName[]).includes(dataset);
}

/** A dataset's size as CSV text, guessing 5:1 for gzip, to size tables up front. */
export function storedBytes(files: readonly DiscoveredFile[]): number {
  return files.reduce((sum, file) => sum + file.size * (isGzipName(file.name) ? 5 : 1), 0);
}
