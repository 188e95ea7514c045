/**
 * fast-check arbitraries for export sets whose interactions repeat their ids a lot: mostly
 * valid rows with ids from a small pool, split into two to four parts (some gzipped), dated
 * in and out of the quarter (and across its edges in other time zones), with a few rows
 * rejected on their own. The messy sets (messy-exports.ts) reject most rows for their
 * shape, so few of their ids ever get to repeat; these exercise "the first row keeps the id"
 * within a part, across parts and across the quarter's boundary.
 */
import fc from 'fast-check';

const INTERACTIONS_HEADER = 'interaction_id,client_id,occurred_at,channel';

const interactionRow = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('C1', 'C2', 'C3', 'C4', 'C5'),
        fc.constantFrom(
          '2026-06-30',
          '2026-07-01',
          '2026-07-01T00:30:00+02:00',
          '2026-08-15T12:00:00Z',
          '2026-09-30T23:30:00-05:00',
          '2026-09-30',
          '2026-10-01',
          '2025-12-31',
        ),
        fc.constantFrom('self_service', 'assisted', 'Self_Service', '"assisted"'),
      )
      .map(([id, client, at, channel]) => `I${id},${client},${at},${channel}`),
  },
  // Rejected on their own (so they claim no id): an unknown client, a bad date, a bad channel.
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'I1,X9,2026-08-01,assisted',
      'I2,C1,2026-13-01,assisted',
      'I3,C2,2026-08-01,phone',
    ),
  },
);

export interface RepeatingExportSet {
  readonly files: Record<string, string>;
}

export const repeatingExportSet: fc.Arbitrary<RepeatingExportSet> = fc
  .record({
    parts: fc.array(fc.array(interactionRow, { maxLength: 25 }), { minLength: 2, maxLength: 4 }),
    gzip: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    lineEnding: fc.constantFrom('\n', '\r\n'),
  })
  .map(({ parts, gzip, lineEnding }) => {
    const csv = (lines: string[]) => `${lines.join(lineEnding)}${lineEnding}`;
    const files: Record<string, string> = {
      'clients.csv': csv([
        'client_id,customer_since,churned_on,region',
        'C1,2024-01-01,,EMEA',
        'C2,2025-06-01,,NA',
        'C3,2026-08-01,,NA',
        'C4,2023-02-01,2026-08-15,EMEA',
        'C5,2026-09-30,,APAC',
      ]),
    };
    parts.forEach((rows, i) => {
      files[`interactions/part-${i + 1}.csv${gzip[i] ? '.gz' : ''}`] = csv([INTERACTIONS_HEADER, ...rows]);
    });
    return { files };
  });
