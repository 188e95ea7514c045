/**
 * `interactions.csv`, or its gzipped parts: each active client's interactions over its days
 * in the quarter, self-service or assisted by its share.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Prng } from '../prng';
import { randomActiveId } from './active-clients';
import { planBadRows } from './bad-rows';
import { quarterOrdinal } from './calendar';
import {
  type ActiveClient,
  type Context,
  DATASET_COLUMNS,
  type DatasetName,
  type QuarterFrame,
  STREAM_INTERACTION_ROWS,
} from './context';
import { CsvWriter } from './csv-writer';
import { finishFile } from './dataset-file';
import { moment } from './moment';
import { pad } from './text';

const PROGRESS_EVERY_ROWS = 100_000;

/** Writes the interactions (plain, or gzipped parts); returns the number of good assisted ones. */
export async function writeInteractions(
  context: Context,
  frame: QuarterFrame,
  active: readonly ActiveClient[],
  bad: Prng,
): Promise<number> {
  const rng = context.rng(quarterOrdinal(frame.quarter), STREAM_INTERACTION_ROWS);
  let goodRows = 0;
  for (const entry of active) goodRows += entry.interactions;
  const plan = planBadRows(bad, goodRows, context.badRowShare, [
    'unknown client_id',
    'invalid occurred_at',
    "channel 'phone'",
    'duplicate interaction_id',
  ]);
  const parts = context.interactionParts;
  const partRows =
    parts > 0 ? Math.ceil((goodRows + plan.positions.length) / parts) : Number.POSITIVE_INFINITY;
  const idPrefix = `I${frame.label.replace('-', '')}-`;
  const year = frame.quarter.year;
  const dataset: DatasetName = 'interactions';

  let partNumber = 0;
  let partBadKinds: string[] = [];
  const openPart = (): CsvWriter => {
    partNumber++;
    partBadKinds = [];
    return parts > 0
      ? CsvWriter.open(
          join(frame.directory, 'interactions', `part-${pad(partNumber, 3)}.csv.gz`),
          DATASET_COLUMNS.interactions,
          true,
        )
      : CsvWriter.open(join(frame.directory, 'interactions.csv'), DATASET_COLUMNS.interactions, false);
  };
  if (parts > 0) await mkdir(join(frame.directory, 'interactions'), { recursive: true });
  let writer = openPart();

  let sequence = 0;
  let written = 0;
  let assisted = 0;
  let nextBad = 0;
  let nextBadPosition = plan.positions[0] ?? Number.POSITIVE_INFINITY;
  let previousId = '';
  let nextProgress = PROGRESS_EVERY_ROWS;

  // Rolls over to the next part when the current one is full; reports progress now and then.
  const afterRow = async (): Promise<void> => {
    if (writer.rows >= partRows && partNumber < parts) {
      await finishFile(context, frame, dataset, writer, partBadKinds);
      writer = openPart();
    }
    if (written + nextBad >= nextProgress) {
      nextProgress += PROGRESS_EVERY_ROWS;
      context.onProgress?.({ quarter: frame.label, dataset, rows: written + nextBad });
    }
  };
  const emitBad = async (): Promise<void> => {
    while (nextBadPosition === written) {
      const kind = plan.kinds[nextBad] ?? '';
      const day = frame.dayNames[1 + rng.int(frame.end - frame.start + 1)] ?? '';
      let line: string;
      if (kind === 'duplicate interaction_id') {
        line = `${previousId},${randomActiveId(active, rng)},${day},self_service`;
      } else {
        sequence++;
        const id = idPrefix + pad(sequence, 8);
        const client = randomActiveId(active, rng);
        if (kind === 'unknown client_id') line = `${id},C-Z${pad(sequence, 6)},${day},assisted`;
        else if (kind === 'invalid occurred_at') line = `${id},${client},${year}-13-01,assisted`;
        else line = `${id},${client},${day},phone`;
      }
      partBadKinds.push(kind);
      if (writer.add(line)) await writer.flush();
      nextBad++;
      nextBadPosition = plan.positions[nextBad] ?? Number.POSITIVE_INFINITY;
      await afterRow();
    }
  };

  for (const entry of active) {
    const count = entry.interactions;
    if (count === 0) continue;
    const client = entry.client;
    const span = entry.to - entry.from + 1;
    const share = entry.share;
    const head = `,${client.id},`;
    for (let i = 0; i < count; i++) {
      if (nextBadPosition === written) await emitBad();
      sequence++;
      previousId = idPrefix + pad(sequence, 8);
      const occurred = moment(rng, frame, entry.from + rng.int(span));
      // One draw decides the channel and, now and then, an odd spelling of it.
      const draw = rng.next();
      let channel: string;
      if (draw < share) {
        channel = draw < share * 0.005 ? 'SELF_SERVICE' : 'self_service';
      } else {
        channel = draw > 1 - (1 - share) * 0.005 ? 'Assisted' : 'assisted';
        assisted++;
      }
      written++;
      if (writer.add(`${previousId}${head}${occurred},${channel}`)) await writer.flush();
      if (writer.rows >= partRows || written + nextBad >= nextProgress) await afterRow();
    }
  }
  await emitBad();
  if (written !== goodRows)
    throw new Error(`internal: interactions wrote ${written} rows, planned ${goodRows}`);
  await finishFile(context, frame, dataset, writer, partBadKinds);
  // Parts that received no rows at all (more parts than rows) still exist, with just the header.
  while (partNumber < parts) {
    writer = openPart();
    await finishFile(context, frame, dataset, writer, partBadKinds);
  }
  return assisted;
}
