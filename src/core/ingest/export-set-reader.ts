/**
 * One interface for the two ways of reading a quarter's export set: the straightforward
 * reader (`readExportSet`: zod per row, one thread) and the fast path (byte-level, worker
 * threads). Both give the same `ExportSetReading`, so the same `kpis.json`.
 */
import type { ExportSetReading, ReadExportSetOptions } from './read-export-set';

export type ExportSetReader = (options: ReadExportSetOptions) => Promise<ExportSetReading>;
