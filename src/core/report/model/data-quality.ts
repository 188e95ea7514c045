/**
 * What the run read and what went wrong, shortened for a message: a few files per dataset
 * and the first warnings (a set can have hundreds of parts; `kpis.json` lists them all).
 */
import type { Snapshot } from '../../snapshot';
import type { DatasetQualityModel } from './report-model';

const count = (value: number) => value.toLocaleString('en-US');

/** Files listed per dataset, and warnings listed; `kpis.json` has them all. */
const MAX_FILES_LISTED = 5;
const MAX_WARNINGS_LISTED = 10;

/** Each dataset's rows and files: a few files by name (a set can have hundreds of parts). */
export function datasetQuality(snapshot: Snapshot): DatasetQualityModel[] {
  return Object.entries(snapshot.dataQuality).map(([name, quality]) => {
    const files = quality.files.slice(0, MAX_FILES_LISTED).map((file) => ({
      file: file.file,
      reference:
        file.versionId === undefined ? `sha256 ${file.sha256.slice(0, 12)}…` : `S3 version ${file.versionId}`,
    }));
    const more = quality.files.length - files.length;
    if (more > 0) files.push({ file: `and ${count(more)} more files`, reference: 'listed in kpis.json' });
    return {
      name,
      present: quality.present,
      rows: count(quality.rows),
      rejected: count(quality.rejected),
      files,
    };
  });
}

export function listedWarnings(warnings: readonly string[]): string[] {
  const listed = warnings.slice(0, MAX_WARNINGS_LISTED);
  const more = warnings.length - listed.length;
  return more > 0 ? [...listed, `And ${count(more)} more, listed in kpis.json.`] : listed;
}
