/**
 * Finds the files of each dataset in `exports/<quarter>/`: one file (`clients.csv` or
 * `clients.csv.gz`) or a folder of parts (`interactions/*.csv[.gz]`), never both.
 */

import { exportKeys } from '../data-root';
import type { ExportStore, StoredObject } from '../ports';
import { DATASET_NAMES, type DatasetName } from './contract';

export interface DiscoveredFile extends StoredObject {
  /** The key relative to the export set's folder, as reports name it: `interactions/part-001.csv.gz`. */
  readonly name: string;
}

export interface DiscoveredExportSet {
  readonly prefix: string;
  readonly files: Partial<Record<DatasetName, DiscoveredFile[]>>;
  /** Problems that make the set unreadable (ambiguous datasets). */
  readonly problems: string[];
  /** Files that match no dataset name, to hint at typos. */
  readonly unrecognised: string[];
  /** Whether the folder holds anything at all. */
  readonly empty: boolean;
}

const CSV_FILE = /\.csv(\.gz)?$/i;

export async function discoverExportSet(
  store: ExportStore,
  quarterLabel: string,
): Promise<DiscoveredExportSet> {
  const prefix = exportKeys.set(quarterLabel);
  const singles = new Map<DatasetName, DiscoveredFile[]>();
  const parts = new Map<DatasetName, DiscoveredFile[]>();
  const unrecognised: string[] = [];
  let empty = true;
  for await (const object of store.list(prefix)) {
    empty = false;
    const name = object.key.slice(prefix.length);
    const segments = name.split('/');
    const file = { ...object, name };
    if (segments.length === 1) {
      const dataset = datasetOfFileName(name);
      if (dataset) pushTo(singles, dataset, file);
      else if (CSV_FILE.test(name)) unrecognised.push(name);
    } else if (segments.length === 2 && CSV_FILE.test(name)) {
      const dataset = DATASET_NAMES.find((candidate) => candidate === segments[0]?.toLowerCase());
      if (dataset) pushTo(parts, dataset, file);
      else unrecognised.push(name);
    }
  }
  const files: Partial<Record<DatasetName, DiscoveredFile[]>> = {};
  const problems: string[] = [];
  for (const dataset of DATASET_NAMES) {
    const single = singles.get(dataset) ?? [];
    const partFiles = parts.get(dataset) ?? [];
    const found = [...single, ...partFiles];
    if (single.length + (partFiles.length > 0 ? 1 : 0) > 1) {
      problems.push(
        `${dataset} is exported more than once (${found.map((f) => f.name).join(', ')}); keep exactly one of ${dataset}.csv, ${dataset}.csv.gz or the ${dataset}/ folder of parts`,
      );
    } else if (found.length > 0) {
      files[dataset] = found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
  }
  return { prefix, files, problems, unrecognised, empty };
}

function datasetOfFileName(name: string): DatasetName | undefined {
  const lower = name.toLowerCase();
  return DATASET_NAMES.find((dataset) => lower === `${dataset}.csv` || lower === `${dataset}.csv.gz`);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
