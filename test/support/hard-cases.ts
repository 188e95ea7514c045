/**
 * The hard cases of the report email, as hand-made snapshots with recipients: the company
 * view, a recipient with 8 segments, 150 low-sample regions, a first quarter, and a quarter
 * without surveys.csv. Each is delivered through the real templates, charts and MIME to an
 * outbox, so tests (and the browser checks) read the messages a recipient would get.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { LocalExportStore } from '../../src/adapters/local/local-export-store';
import { OutboxMailer, outboxKey } from '../../src/adapters/outbox/outbox-mailer';
import { type Config, parseConfig } from '../../src/core/config';
import { KPI_IDS, type KpiId } from '../../src/core/kpi-ids';
import type { ChartRasterizer } from '../../src/core/ports';
import type { EmailTemplates } from '../../src/core/report/templates/email-templates';
import type { KpiResult, KpiResults, Snapshot } from '../../src/core/snapshot';
import { type DeliverReportResult, deliverReport } from '../../src/use-cases/deliver-report';
import { createDataRoot } from './export-fixtures';
import { readEml } from './read-eml';
import { SAMPLE_COMPANY, type SampleKpi, sampleKpi, sampleSnapshot } from './sample-snapshot';

export const HARD_CASES = [
  'company',
  'eight-segments',
  'regions-150',
  'first-quarter',
  'no-surveys',
] as const;
export type HardCase = (typeof HARD_CASES)[number];

export interface HardCaseRecipient {
  readonly address: string;
  readonly name?: string;
  readonly segments?: { readonly dimension: string; readonly value: string }[];
}

export interface HardCaseSetup {
  readonly snapshot: Snapshot;
  readonly recipients: readonly HardCaseRecipient[];
  /**
   * Changes the subject and "needs attention" must never cite: moves on a low sample or
   * within the noise, as the magnitudes they would be written with (`75.0 pts`).
   */
  readonly forbiddenMoves: readonly string[];
  /** The dataset the first screen must name as missing, if any. */
  readonly missingDataset?: string;
}

const CEO: HardCaseRecipient = { address: 'ceo@example.com', name: 'Alex' };
const EMEA: HardCaseRecipient = {
  address: 'emea@example.com',
  name: 'Sam',
  segments: [{ dimension: 'region', value: 'EMEA' }],
};

/** Every result of the company and of every segment, replaced by `change`. */
function mapResults(snapshot: Snapshot, change: (id: KpiId, result: KpiResult) => KpiResult): Snapshot {
  const map = (results: KpiResults): KpiResults =>
    Object.fromEntries(KPI_IDS.map((id) => [id, change(id, results[id])])) as KpiResults;
  return {
    ...snapshot,
    kpis: map(snapshot.kpis),
    segments: Object.fromEntries(
      Object.entries(snapshot.segments).map(([dimension, values]) => [
        dimension,
        Object.fromEntries(Object.entries(values).map(([value, results]) => [value, map(results)])),
      ]),
    ),
  };
}

function results(kpis: Record<KpiId, SampleKpi>): KpiResults {
  return Object.fromEntries(KPI_IDS.map((id) => [id, sampleKpi(id, kpis[id])])) as KpiResults;
}

function withChanges(changes: Partial<Record<KpiId, Partial<SampleKpi>>>, base = SAMPLE_COMPANY) {
  return Object.fromEntries(KPI_IDS.map((id) => [id, { ...base[id], ...changes[id] }])) as Record<
    KpiId,
    SampleKpi
  >;
}

/** 8 regions on enough data: one clear move (+3.0 pp outside the noise), one within it (−6.0 pp). */
function eightSegments(): HardCaseSetup {
  const snapshot = sampleSnapshot({ targets: { customerRetentionRate: { value: 95, direction: 'higher' } } });
  const regions: Record<string, KpiResults> = {};
  for (let index = 1; index <= 8; index++) {
    const name = `Region ${String(index).padStart(2, '0')} – North-Eastern Territories`;
    const changes: Partial<Record<KpiId, Partial<SampleKpi>>> = {
      // steady everywhere but in the two regions below
      empowermentSatisfactionScore: { value: 75, previous: 75, interval: [73, 77], qoqNoise: false },
    };
    if (index === 2) {
      changes.customerRetentionRate = { value: 93, previous: 90, interval: [92, 94], qoqNoise: true };
    }
    if (index === 5) {
      changes.selfServiceAdoptionRate = { value: 66.5, previous: 72.5, interval: [58, 75], qoqNoise: false };
    }
    regions[name] = results(withChanges(changes));
  }
  const recipient: HardCaseRecipient = {
    address: 'regional.lead@example.com',
    name: 'Robin',
    segments: Object.keys(regions).map((value) => ({ dimension: 'region', value })),
  };
  return {
    snapshot: {
      ...snapshot,
      segments: { ...snapshot.segments, region: { ...snapshot.segments.region, ...regions } },
    },
    recipients: [recipient],
    forbiddenMoves: ['6.0 pp'],
  };
}

/**
 * 150 regions of four clients each: every figure low-sample. Region 007's NPS fell from
 * 100 to 25 and region 008's retention from 95% to 60%, both flagged outside the noise:
 * only their low samples keep them out of the subject and "needs attention".
 */
function regions150(): HardCaseSetup {
  const snapshot = sampleSnapshot();
  const regions: Record<string, KpiResults> = {};
  for (let index = 1; index <= 150; index++) {
    const changes: Partial<Record<KpiId, Partial<SampleKpi>>> = {};
    if (index === 7) {
      changes.netPromoterScore = {
        value: 25,
        previous: 100,
        interval: [-45, 95],
        qoqNoise: true,
        denominator: 4,
      };
    }
    if (index === 8) {
      changes.customerRetentionRate = {
        value: 60,
        previous: 95,
        interval: [20, 90],
        qoqNoise: true,
        denominator: 4,
      };
    }
    const kpis = withChanges(changes);
    for (const id of KPI_IDS) kpis[id] = { ...kpis[id], lowSample: true, denominator: 4 };
    regions[`Region ${String(index).padStart(3, '0')}`] = results(kpis);
  }
  const all: HardCaseRecipient = {
    address: 'all.regions@example.com',
    segments: Object.keys(regions).map((value) => ({ dimension: 'region', value })),
  };
  const one: HardCaseRecipient = {
    address: 'r7@example.com',
    segments: [{ dimension: 'region', value: 'Region 007' }],
  };
  return {
    snapshot: { ...snapshot, segments: { ...snapshot.segments, region: regions } },
    recipients: [CEO, all, one],
    forbiddenMoves: ['75.0 pts', '35.0 pp'],
  };
}

/** The first quarter on record: no earlier quarter, so no change and a one-point trend. */
function firstQuarter(): HardCaseSetup {
  const snapshot = mapResults(sampleSnapshot({ quarters: ['2026-Q3'] }), (_, result) => ({
    ...result,
    previous: null,
    deltaQoQ: null,
    deltaQoQOutsideNoise: null,
    yearAgo: null,
    deltaYoY: null,
    deltaYoYOutsideNoise: null,
    ...(result.deltaQoQPercent !== undefined && { deltaQoQPercent: null, deltaYoYPercent: null }),
  }));
  return { snapshot, recipients: [CEO, EMEA], forbiddenMoves: [] };
}

/** surveys.csv not provided: CESS and NPS have no value this quarter (they had before). */
function noSurveys(): HardCaseSetup {
  const base = sampleSnapshot();
  const snapshot = mapResults(base, (id, result) =>
    id !== 'empowermentSatisfactionScore' && id !== 'netPromoterScore'
      ? result
      : {
          ...result,
          value: null,
          numerator: 0,
          denominator: 0,
          band: null,
          lowSample: false,
          interval: null,
          deltaQoQ: null,
          deltaQoQOutsideNoise: null,
          deltaYoY: null,
          deltaYoYOutsideNoise: null,
          trend: result.trend.map((point, index) =>
            index === result.trend.length - 1 ? { ...point, value: null } : point,
          ),
        },
  );
  return {
    snapshot: {
      ...snapshot,
      dataQuality: {
        ...snapshot.dataQuality,
        surveys: { present: false, rows: 0, rejected: 0, examples: [], files: [] },
      },
    },
    recipients: [CEO, EMEA],
    forbiddenMoves: [],
    missingDataset: 'surveys.csv',
  };
}

export function hardCase(name: HardCase): HardCaseSetup {
  switch (name) {
    case 'company':
      return { snapshot: sampleSnapshot(), recipients: [CEO, EMEA], forbiddenMoves: ['2.4 pp', '1.20'] };
    case 'eight-segments':
      return eightSegments();
    case 'regions-150':
      return regions150();
    case 'first-quarter':
      return firstQuarter();
    case 'no-surveys':
      return noSurveys();
  }
}

export interface DeliveredMessage {
  readonly recipient: HardCaseRecipient;
  /** The whole MIME message, as the outbox wrote it (what SES would be sent). */
  readonly raw: Buffer;
  readonly mail: ParsedMail;
}

export interface DeliveredCase extends HardCaseSetup {
  readonly root: string;
  readonly result: DeliverReportResult;
  readonly messages: readonly DeliveredMessage[];
}

/** Delivers a case to the outbox of a fresh data root and reads every message back. */
export async function deliverHardCase(
  name: HardCase,
  rendering: { templates: EmailTemplates; rasterizer: ChartRasterizer },
): Promise<DeliveredCase> {
  const setup = hardCase(name);
  const root = await createDataRoot();
  const store = new LocalExportStore(root);
  const config: Config = parseConfig({
    companyName: setup.snapshot.companyName,
    email: { recipients: setup.recipients, unsubscribeAddress: 'kpi-owner@example.com' },
  });
  const result = await deliverReport({
    store,
    config,
    snapshot: setup.snapshot,
    ...rendering,
    mailer: new OutboxMailer({ store, quarter: setup.snapshot.quarter }),
    runId: `hard-case-${name}`,
  });
  const messages = await Promise.all(
    setup.recipients.map(async (recipient) => {
      const raw = await readFile(path.join(root, outboxKey(setup.snapshot.quarter, recipient.address)));
      return { recipient, raw, mail: await readEml(raw) };
    }),
  );
  return { ...setup, root, result, messages };
}
