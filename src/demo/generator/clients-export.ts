/**
 * `clients.csv`: every client who joined by the quarter's end, churned or not.
 */

import type { Prng } from '../prng';
import { planBadRows } from './bad-rows';
import { type Client, NONE } from './client';
import type { Context, QuarterFrame } from './context';
import { firstField, writeSmallDataset } from './dataset-file';
import { INDUSTRIES, PRODUCTS, REGIONS, SIZES } from './segments';
import { csvField } from './text';

export function clientRow(context: Context, client: Client, keep: boolean): string {
  if (client.row !== undefined) return client.row;
  const row = [
    client.id,
    context.days.of(client.since),
    client.churnedOn === NONE ? '' : context.days.of(client.churnedOn),
    PRODUCTS[client.product] ?? '',
    SIZES[client.size] ?? '',
    csvField(INDUSTRIES[client.industry] ?? ''),
    REGIONS[client.region] ?? '',
  ].join(',');
  if (keep) client.row = row;
  return row;
}

export async function writeClients(context: Context, frame: QuarterFrame, bad: Prng): Promise<void> {
  const book = context.book.filter((client) => client.since <= frame.end);
  const year = frame.quarter.year;
  const plan = planBadRows(bad, book.length, context.badRowShare, [
    'duplicate client_id',
    'invalid customer_since',
    'churned_on before customer_since',
  ]);
  await writeSmallDataset(
    context,
    frame,
    'clients',
    (function* () {
      for (const client of book) yield clientRow(context, client, frame.keepRows);
    })(),
    book.length,
    plan,
    (kind, n, previous) => {
      const id = `C-X${frame.label.replace('-', '')}-${n}`;
      switch (kind) {
        case 'duplicate client_id':
          return `${firstField(previous)},${year - 1}-03-01,,Payments,SMB,Retail,NA`;
        case 'invalid customer_since':
          return `${id},${year}-13-01,,Analytics,SMB,Finance,EMEA`;
        default:
          return `${id},${year - 1}-06-15,${year - 1}-05-01,Platform,Mid-Market,Healthcare,APAC`;
      }
    },
  );
}
