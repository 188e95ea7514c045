/**
 * Writing one dataset's file: the good rows with the planned bad rows slipped in between,
 * and the file's entry in the summary once it is closed.
 */
import { join, relative, sep } from 'node:path';
import { type BadPlan, tally } from './bad-rows';
import { type Context, DATASET_COLUMNS, type DatasetName, type QuarterFrame } from './context';
import { CsvWriter } from './csv-writer';

export async function finishFile(
  context: Context,
  frame: QuarterFrame,
  dataset: DatasetName,
  writer: CsvWriter,
  badKinds: readonly string[],
): Promise<void> {
  const bytes = await writer.close();
  frame.files.push({
    path: relative(context.root, writer.absolutePath).split(sep).join('/'),
    rows: writer.rows,
    bytes,
    dataset,
    badRows: badKinds.length,
    badRowKinds: tally(badKinds),
  });
  context.onProgress?.({ quarter: frame.label, dataset, rows: writer.rows });
}

/**
 * Writes `goodRows` lines with the planned bad rows slipped in between. `badRow` gets the
 * kind, a running number and the previous good line (for duplicates).
 */
export async function writeSmallDataset(
  context: Context,
  frame: QuarterFrame,
  dataset: DatasetName,
  lines: Iterable<string>,
  goodRows: number,
  plan: BadPlan,
  badRow: (kind: string, n: number, previous: string) => string,
): Promise<void> {
  const writer = CsvWriter.open(join(frame.directory, `${dataset}.csv`), DATASET_COLUMNS[dataset], false);
  let next = 0;
  let written = 0;
  let previous = '';
  const emitBad = async (): Promise<void> => {
    while (next < plan.positions.length && plan.positions[next] === written) {
      if (writer.add(badRow(plan.kinds[next] ?? '', next + 1, previous))) await writer.flush();
      next++;
    }
  };
  let nextPosition = plan.positions[0] ?? Number.POSITIVE_INFINITY;
  for (const line of lines) {
    if (nextPosition === written) {
      await emitBad();
      nextPosition = plan.positions[next] ?? Number.POSITIVE_INFINITY;
    }
    if (writer.add(line)) await writer.flush();
    previous = line;
    written++;
  }
  await emitBad();
  if (written !== goodRows)
    throw new Error(`internal: ${dataset} wrote ${written} rows, planned ${goodRows}`);
  await finishFile(context, frame, dataset, writer, plan.kinds);
}

export function firstField(line: string): string {
  const comma = line.indexOf(',');
  return comma < 0 ? line : line.slice(0, comma);
}
