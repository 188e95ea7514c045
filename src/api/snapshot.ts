/**
 * The KPI snapshot (`reports/<quarter>/kpis.json`) as the package's API publishes it: plain
 * interfaces, written out, so that an app's declarations depend on nothing of the engine's
 * (zod included). test/api/public-types.test.ts proves them equal to the snapshot's schema
 * (core/snapshot.ts), which stays the one definition of the file.
 */

/** The seven KPIs, by id, in the order reports present them. */
export type KpiId =
  | 'clientIndependenceRate'
  | 'selfServiceAdoptionRate'
  | 'relationshipDepth'
  | 'empowermentSatisfactionScore'
  | 'netPromoterScore'
  | 'customerRetentionRate'
  | 'costToSupportPerClient';

/** The export datasets (the export contract, version 1). */
export type DatasetName = 'clients' | 'interactions' | 'services' | 'surveys' | 'support_costs';

export type KpiBand = 'strong' | 'moderate' | 'weak';

export interface TrendPoint {
  readonly quarter: string;
  readonly value: number | null;
}

/** One KPI of the company or of a segment, at full precision. */
export interface KpiResult {
  /** `null` when the KPI has no denominator this quarter (no surveys, no active clients…). */
  readonly value: number | null;
  readonly unit: 'percent' | 'servicesPerClient' | 'score' | 'currencyPerClient';
  readonly numerator: number;
  readonly denominator: number;
  readonly band: KpiBand | null;
  /** The denominator is below `minimumSample`. */
  readonly lowSample: boolean;
  /** The 95% interval; `null` without a value or with under two observations; absent in old snapshots. */
  readonly interval?: { readonly low: number; readonly high: number } | null | undefined;
  readonly previous: number | null;
  readonly deltaQoQ: number | null;
  /** Whether `deltaQoQ` is larger than the noise of both quarters; `null` when not judged. */
  readonly deltaQoQOutsideNoise?: boolean | null | undefined;
  readonly yearAgo: number | null;
  readonly deltaYoY: number | null;
  readonly deltaYoYOutsideNoise?: boolean | null | undefined;
  /** Cost to Support only: the deltas as a relative change, in percent. */
  readonly deltaQoQPercent?: number | null | undefined;
  readonly deltaYoYPercent?: number | null | undefined;
  /** Relationship Depth only: the value as a percentage of the service catalog. */
  readonly shareOfCatalog?: number | null | undefined;
  /** Up to 8 quarters, oldest first, this one last. */
  readonly trend: TrendPoint[];
}

export type KpiResults = { readonly [K in KpiId]: KpiResult };

/** A configured target: the value, and which side of it is good. */
export interface KpiTarget {
  readonly value: number;
  readonly direction: 'higher' | 'lower';
}

/** A rejected row, as reports name it. */
export interface RejectedRow {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** A file read, for provenance. */
export interface FileRead {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly rows: number;
  readonly etag?: string | undefined;
  readonly versionId?: string | undefined;
}

/** A dataset's data-quality account. */
export interface DatasetQuality {
  readonly present: boolean;
  readonly rows: number;
  readonly rejected: number;
  /** The first rejected rows (ten at most). */
  readonly examples: RejectedRow[];
  readonly files: FileRead[];
  /** Event datasets: their dated rows against the quarter. */
  readonly dated?:
    | {
        readonly rows: number;
        readonly inPeriod: number;
        readonly first: string | null;
        readonly last: string | null;
      }
    | undefined;
}

/** `reports/<quarter>/kpis.json`. */
export interface KpiSnapshot {
  readonly schemaVersion: 1;
  /** `2026-Q3`. */
  readonly quarter: string;
  /** First and last day (`YYYY-MM-DD`) in the reporting time zone. */
  readonly period: { readonly start: string; readonly end: string; readonly timeZone: string };
  /** ISO 8601. */
  readonly generatedAt: string;
  readonly companyName: string;
  /** ISO 4217 code of Cost to Support. */
  readonly currency: string;
  readonly settings: {
    readonly independenceThreshold: number;
    readonly minimumSample: number;
    readonly rejectLimitPercent: number;
    readonly fiscalYearStartMonth: number;
  };
  /** Distinct services of services.csv (Relationship Depth's catalog). */
  readonly catalogSize: number;
  /** The configured targets; absent in old snapshots. */
  readonly targets?: { readonly [K in KpiId]?: KpiTarget | undefined } | undefined;
  /** The company's KPIs. */
  readonly kpis: KpiResults;
  /** By segment dimension (`region`, …), then by value (`EMEA`, …). */
  readonly segments: Record<string, Record<string, KpiResults>>;
  readonly dataQuality: { readonly [K in DatasetName]: DatasetQuality };
  readonly warnings: string[];
}
