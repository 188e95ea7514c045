/**
 * The reader port: one interface for the two ways of reading a quarter's export set, the
 * simple reader (`readExportSet`, readers/simple/: zod per row, one thread, the reference)
 * and the bytes reader (`createBytesReader`, readers/bytes/: byte-level, chunks on worker
 * threads). Both give the same `ExportSetReading`, so the same `kpis.json`.
 */
import type { ClientBook } from '../client-state/client-book';
import type { QuarterActivity } from '../client-state/quarter-activity';
import type { Config } from '../config';
import type { DatasetName } from '../export-set/contract';
import type { DatasetQuality } from '../export-set/dataset-quality';
import type { ExportStore } from '../ports';
import type { QuarterPeriod } from '../quarter';

export type ExportSetReader = (options: ReadExportSetOptions) => Promise<ExportSetReading>;

export interface ExportSetReading {
  readonly book: ClientBook;
  readonly activity: QuarterActivity;
  readonly dataQuality: Record<DatasetName, DatasetQuality>;
  /** Reasons the set cannot be reported on; empty when it can. */
  readonly problems: string[];
  /** Things worth knowing that do not stop a run. */
  readonly warnings: string[];
  /** Whether the only problems are required datasets not uploaded yet (an upload in progress). */
  readonly incomplete: boolean;
}

export interface ReadExportSetOptions {
  readonly store: ExportStore;
  readonly period: QuarterPeriod;
  readonly config: Config;
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
}

/** Rows between two progress reports. */
export const PROGRESS_EVERY_ROWS = 250_000;

export interface ReadProgress {
  readonly dataset: string;
  readonly file: string;
  readonly rows: number;
  readonly done: boolean;
}
