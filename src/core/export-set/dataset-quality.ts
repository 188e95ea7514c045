/**
 * A dataset's data-quality account, as both readers keep it and the report shows it: rows
 * read and rejected, the first rejected rows, and each file read (size, checksum, version).
 */
import type { DatedRowsSummary } from './dated-rows';
import type { DiscoveredFile } from './discover-export-set';

export interface RejectedRow {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface FileProvenance {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly rows: number;
  readonly etag?: string;
  readonly versionId?: string;
}

export interface DatasetQuality {
  readonly present: boolean;
  rows: number;
  rejected: number;
  readonly examples: RejectedRow[];
  readonly files: FileProvenance[];
  /** Event datasets read in full: their dated rows against the quarter (export-set/dated-rows.ts). */
  dated?: DatedRowsSummary;
}

export function emptyQuality(present: boolean): DatasetQuality {
  return { present, rows: 0, rejected: 0, examples: [], files: [] };
}

/**
 * The problem that stops a dataset, with its data-quality account emptied: a dataset that
 * cannot be read in full has no meaningful counts (the problem says why), and both readers
 * then report the same, wherever in the file each had got to.
 */
export function failedDataset(quality: DatasetQuality, problem: string): string[] {
  delete quality.dated;
  quality.rows = 0;
  quality.rejected = 0;
  quality.examples.length = 0;
  quality.files.length = 0;
  return [problem];
}

/** What the data-quality report says of a file read: its size, checksum, rows and version. */
export function provenanceOf(
  file: DiscoveredFile,
  stats: { bytes: number; sha256: string },
  rows: number,
): FileProvenance {
  return {
    file: file.name,
    bytes: stats.bytes,
    sha256: stats.sha256,
    rows,
    ...(file.etag === undefined ? {} : { etag: file.etag }),
    ...(file.versionId === undefined ? {} : { versionId: file.versionId }),
  };
}
