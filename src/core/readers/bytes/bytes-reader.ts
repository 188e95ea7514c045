/**
 * The bytes reader: the same `ExportSetReading` as the simple reader, read from bytes. Each
 * file streams through a chunker into line-aligned chunks (dataset-files.ts), which go to a
 * `ChunkExecutor` (worker threads, or inline). clients.csv chunks come back parsed, and this
 * thread gives their ids client indexes in file order; the other datasets' chunks come back
 * as partial aggregates, folded in file order (`PartialFold`), so repeats and rejection
 * examples come out exactly as in one pass. Where the interactions come from is an
 * `InteractionsSource` (their files by default; the distributed run plugs in its own).
 */
import { PartialFold } from '../../aggregate/fold-partials';
import { claimsBuffer, type PartialAggregate } from '../../aggregate/partial-aggregate';
import { ClientBook } from '../../client-state/client-book';
import { DATED_DATASETS, type DatasetName } from '../../export-set/contract';
import { emptyDatedRows, summariseDatedRows } from '../../export-set/dated-rows';
import type { DiscoveredFile } from '../../export-set/discover-export-set';
import { plausibilityProblems } from '../../export-set/plausibility';
import { rejectLimitProblems, segmentDimensions, setWarnings } from '../../export-set/row-rules';
import type { ExportSetReader, ExportSetReading, ReadExportSetOptions } from '../export-set-reader';
import { discoverForReading, measurable, unreadableSet } from '../set-reading';
import type { ChunkExecutor } from './chunk-executor';
import { CHUNK_COLUMNS, type ChunkedDataset, type DatasetPlan } from './chunk-plan';
import { ChunkBufferPool, DEFAULT_CHUNK_BYTES } from './chunker';
import { ClientTable } from './client-table';
import { ClientsFold } from './clients-fold';
import type { ClientsPlan } from './clients-rows';
import { describe, type Reading, readDatasetFiles, SPARE_CLAIMS, storedBytes } from './dataset-files';
import { foldTallies, INTERACTIONS_FROM_FILES, type InteractionsSource } from './interactions-source';

export interface BytesReaderSettings {
  /**
   * Where chunks are read. A function makes the executor for each reading and closes it when
   * the reading ends; an executor given as it is stays the caller's to close.
   */
  readonly executor: ChunkExecutor | (() => ChunkExecutor);
  /** Bytes per chunk; default 1 MiB (chunker.ts). */
  readonly chunkBytes?: number | undefined;
  /** Where the interactions come from; default their files (`INTERACTIONS_FROM_FILES`). */
  readonly interactions?: InteractionsSource;
}

/** The bytes reader behind the one `ExportSetReader` interface. */
export function createBytesReader(settings: BytesReaderSettings): ExportSetReader {
  const interactions = settings.interactions ?? INTERACTIONS_FROM_FILES;
  const given = settings.executor;
  return async (options) => {
    const executor = typeof given === 'function' ? given() : given;
    try {
      return await readWithBytes({ ...options, executor, chunkBytes: settings.chunkBytes, interactions });
    } finally {
      if (typeof given === 'function') await executor.close();
    }
  };
}

const CHUNKED: readonly ChunkedDataset[] = ['interactions', 'services', 'surveys', 'support_costs'];

async function readWithBytes(
  options: ReadExportSetOptions & {
    executor: ChunkExecutor;
    chunkBytes?: number | undefined;
    interactions: InteractionsSource;
  },
): Promise<ExportSetReading> {
  const { store, period, config, onProgress, executor, interactions } = options;
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
        const clientsFold = new ClientsFold(book, table as ClientTable, fileIndex);
        // Chunks are parsed at once, anywhere, but folded one after another in file order.
        let folded: Promise<unknown> = Promise.resolve();
        const spareRows: ArrayBuffer[] = [];
        return (chunk) => {
          const parsing = executor.parseClients(plan, chunk, spareRows.pop());
          const result = folded.then(async () => {
            const { parsed, chunk: bytes } = await parsing;
            const chunkResult = clientsFold.fold(parsed, bytes);
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

  const fold = new PartialFold(book.size);
  const clients = table.shared();
  table = undefined; // the workers use the shared copy; this one is done with

  const rejectedClientIds = [...book.rejectedIds];
  const failed = new Set<DatasetName>();
  for (const dataset of CHUNKED) {
    let files: readonly DiscoveredFile[] = discovered.files[dataset] ?? [];
    let collect: ((partial: PartialAggregate, clientCount: number) => Promise<void> | void) | undefined;
    if (dataset === 'interactions') {
      const taken = interactions.take(files, dataQuality.clients.files);
      if ('tallies' in taken) {
        problems.push(...(await foldTallies(files, taken.tallies, fold, dataQuality.interactions)));
        continue;
      }
      files = taken.files;
      collect = taken.collect;
    } else if (interactions.withOtherDatasets === false) {
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
          if (!fold.expects(dataset) && partial.rows > 0) {
            // Size the id table once, from this chunk's bytes per row, rather than grow it.
            fold.expect(dataset, Math.ceil((storedBytes(files) / chunkLength) * partial.rows * 1.05));
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
        if (collect) await collect(partial, book.size);
        else fold.fold(partial);
        if (partial.claims && reading.spareClaims.length < SPARE_CLAIMS) {
          reading.spareClaims.push(claimsBuffer(partial.claims));
        }
      },
    });
    problems.push(...datasetProblems);
    if (datasetProblems.length > 0) failed.add(dataset);
    fold.finishDataset(dataset);
  }
  for (const dataset of CHUNKED) {
    const folded = fold.quality.get(dataset);
    const quality = dataQuality[dataset];
    // A dataset that could not be read in full reports no counts (see failedDataset).
    if (failed.has(dataset)) continue;
    if (isDated(dataset) && quality.files.length > 0) {
      quality.dated = summariseDatedRows(folded?.dated ?? emptyDatedRows());
    }
    if (!folded) continue;
    // Repeats are found while folding: take the fold's counts and examples.
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
    activity: measurable(fold.activity, problems),
    dataQuality,
    problems,
    warnings,
    incomplete: false,
  };

  function files(dataset: DatasetName): readonly DiscoveredFile[] {
    return discovered.files[dataset] ?? [];
  }
}

function columnIndexes(header: readonly string[], names: readonly string[]): number[] {
  return names.map((name) => header.indexOf(name));
}

function isDated(dataset: DatasetName): boolean {
  return (DATED_DATASETS as readonly DatasetName[]).includes(dataset);
}
