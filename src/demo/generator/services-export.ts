/**
 * `services.csv`: every service span of the clients who joined by the quarter's end.
 */
import type { Prng } from '../prng';
import { planBadRows } from './bad-rows';
import { type Client, NONE, type ServiceSpan } from './client';
import type { Context, QuarterFrame } from './context';
import { firstField, writeSmallDataset } from './dataset-file';
import { SERVICES } from './segments';
import { pad } from './text';

export function serviceRow(context: Context, client: Client, span: ServiceSpan, keep: boolean): string {
  if (span.row !== undefined) return span.row;
  const row = [
    client.id,
    SERVICES[span.service] ?? '',
    context.days.of(span.start),
    span.end === NONE ? '' : context.days.of(span.end),
  ].join(',');
  if (keep) span.row = row;
  return row;
}

export async function writeServices(context: Context, frame: QuarterFrame, bad: Prng): Promise<void> {
  const book = context.book.filter((client) => client.since <= frame.end);
  let goodRows = 0;
  for (const client of book) goodRows += client.spans.length;
  const year = frame.quarter.year;
  const plan = planBadRows(bad, goodRows, context.badRowShare, [
    'unknown client_id',
    'invalid started_on',
    'missing service',
  ]);
  await writeSmallDataset(
    context,
    frame,
    'services',
    (function* () {
      for (const client of book)
        for (const span of client.spans) yield serviceRow(context, client, span, frame.keepRows);
    })(),
    goodRows,
    plan,
    (kind, n, previous) => {
      const client = firstField(previous);
      switch (kind) {
        case 'unknown client_id':
          return `C-Z${pad(n, 6)},reporting,${year - 1}-01-01,`;
        case 'invalid started_on':
          return `${client},training,${year}-13-01,`;
        default:
          return `${client},,${year - 1}-09-01,`;
      }
    },
  );
}
