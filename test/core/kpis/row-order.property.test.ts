import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../../src/adapters/local/local-export-store';
import { parseConfig } from '../../../src/core/config';
import { quarterPeriod } from '../../../src/core/quarter';
import { measureQuarter } from '../../../src/use-cases/measure-quarter';

// Random but contract-valid export sets: unique ids, known clients, dates around 2026-Q3.
const day = fc.integer({ min: 0, max: 200 }).map((offset) => {
  const date = new Date(Date.UTC(2026, 4, 1) + offset * 86_400_000);
  return date.toISOString().slice(0, 10);
});
const dateTime = fc
  .tuple(day, fc.integer({ min: 0, max: 23 }), fc.constantFrom('Z', '+02:00', '-05:00', ''))
  .map(([d, hour, offset]) => `${d}T${String(hour).padStart(2, '0')}:30:00${offset}`);

const exportSet = fc.integer({ min: 1, max: 12 }).chain((clients) => {
  const client = fc.integer({ min: 0, max: clients - 1 }).map((i) => `C${i}`);
  return fc.record({
    clients: fc.array(
      fc.record({
        since: fc.integer({ min: 0, max: 120 }),
        churnAfter: fc.option(fc.integer({ min: 1, max: 200 })),
        product: fc.constantFrom('Analytics', 'Payments', ''),
        region: fc.constantFrom('EMEA', 'NA'),
      }),
      { minLength: clients, maxLength: clients },
    ),
    interactions: fc.array(
      fc.tuple(client, fc.oneof(day, dateTime), fc.constantFrom('self_service', 'assisted')),
      // interactions is required: a set without one row cannot be reported on.
      { minLength: 1 },
    ),
    services: fc.array(
      fc.tuple(
        client,
        fc.constantFrom('onboarding', 'training', 'api'),
        day,
        fc.option(fc.integer({ min: 1, max: 90 })),
      ),
    ),
    surveys: fc.array(
      fc.oneof(
        fc.tuple(client, day, fc.constant('nps'), fc.integer({ min: 0, max: 10 }), fc.constant('')),
        fc.tuple(client, day, fc.constant('cess'), fc.integer({ min: 0, max: 5 }), fc.constant('5')),
        fc.tuple(
          client,
          day,
          fc.constant('cess'),
          fc.double({ min: 0, max: 100, noNaN: true }).map((x) => x.toFixed(3)),
          fc.constant(''),
        ),
      ),
    ),
    costs: fc.array(fc.tuple(day, fc.integer({ min: -5000, max: 100000 }), fc.option(client))),
  });
});

type ExportSet = typeof exportSet extends fc.Arbitrary<infer T> ? T : never;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);
}

function toFiles(set: ExportSet): Record<string, string[]> {
  return {
    'clients.csv': set.clients.map((c, i) => {
      const since = addDays('2026-03-01', c.since);
      const churned = c.churnAfter === null ? '' : addDays(since, c.churnAfter);
      return `C${i},${since},${churned},${c.product},${c.region}`;
    }),
    'interactions.csv': set.interactions.map(([c, at, channel], i) => `I${i},${c},${at},${channel}`),
    'services.csv': set.services.map(
      ([c, service, started, length]) =>
        `${c},${service},${started},${length === null ? '' : addDays(started, length)}`,
    ),
    'surveys.csv': set.surveys.map(
      ([c, at, survey, score, scale], i) => `R${i},${c},${at},${survey},${score},${scale}`,
    ),
    'support_costs.csv': set.costs.map(([at, cents, c]) => `${at},${(cents / 100).toFixed(2)},${c ?? ''},x`),
  };
}

const HEADERS: Record<string, string> = {
  'clients.csv': 'client_id,customer_since,churned_on,product,region',
  'interactions.csv': 'interaction_id,client_id,occurred_at,channel',
  'services.csv': 'client_id,service,started_on,ended_on',
  'surveys.csv': 'response_id,client_id,submitted_at,survey,score,scale_max',
  'support_costs.csv': 'incurred_on,amount,client_id,category',
};

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function measure(files: Record<string, string[]>) {
  const root = await mkdtemp(join(tmpdir(), 'kpi-order-'));
  roots.push(root);
  const folder = join(root, 'exports', '2026-Q3');
  await mkdir(folder, { recursive: true });
  for (const [name, rows] of Object.entries(files)) {
    await writeFile(join(folder, name), [HEADERS[name], ...rows].join('\n'));
  }
  // Dates spread from May to November: how many fall in Q is not what this property is about.
  const config = parseConfig({ timeZone: 'Europe/Berlin', minRowsInPeriodPercent: 0 });
  const { measures, reading } = await measureQuarter({
    store: new LocalExportStore(root),
    period: quarterPeriod({ year: 2026, index: 3 }),
    config,
  });
  expect(reading.problems).toEqual([]);
  return {
    company: measures?.company,
    segments:
      measures && Object.fromEntries([...measures.segments].map(([d, v]) => [d, Object.fromEntries(v)])),
  };
}

describe('KPIs and row order', () => {
  it('do not depend on the order of the rows in any file', async () => {
    await fc.assert(
      fc.asyncProperty(exportSet, fc.nat(), async (set, seed) => {
        // Arrange: the same rows, each file shuffled
        const files = toFiles(set);
        const shuffled = Object.fromEntries(
          Object.entries(files).map(([name, rows]) => [name, shuffle(rows, seed + name.length)]),
        );
        // Act
        const original = await measure(files);
        const reordered = await measure(shuffled);
        // Assert
        expect(reordered).toEqual(original);
      }),
      { numRuns: 40 },
    );
  });
});

function shuffle<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed || 1;
  for (let i = result.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}
