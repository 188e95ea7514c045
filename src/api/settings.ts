/**
 * The settings `computeQuarter` takes: the configuration file's fields (README
 * "Configuration"), every one optional, as a plain interface. They are checked when the
 * call starts, as the CLI checks `kpi-report.json`. test/api/public-types.test.ts proves this
 * the input type of the configuration's schema (core/config.ts), the one definition.
 */
import type { KpiId } from './snapshot';

/** Band thresholds of one KPI: at or above `strong` is strong (at or below, for cost). */
export interface BandThresholds {
  readonly strong?: number | undefined;
  readonly moderate?: number | undefined;
}

export interface KpiReportSettings {
  /** A JSON Schema reference, accepted and ignored (the file's `$schema`). */
  readonly $schema?: string | undefined;
  /** @default 'Your company' */
  readonly companyName?: string | undefined;
  /** ISO 4217. @default 'USD' */
  readonly currency?: string | undefined;
  /** IANA time zone deciding quarter membership of date-times. @default 'UTC' */
  readonly timeZone?: string | undefined;
  /** 1 to 12; fiscal year `Y` is named after the calendar year it ends in. @default 1 */
  readonly fiscalYearStartMonth?: number | undefined;
  /** Self-service share (0–1, inclusive) at which a served client is independent. @default 0.8 */
  readonly independenceThreshold?: number | undefined;
  /** A value resting on fewer observations is flagged `lowSample`. @default 30 */
  readonly minimumSample?: number | undefined;
  /** The quarter cannot be reported on when a dataset's rejected share exceeds this (percent). @default 1 */
  readonly rejectLimitPercent?: number | undefined;
  /** The longest row read, in bytes. @default 1048576 */
  readonly maxRowBytes?: number | undefined;
  /** Share (percent) of an event dataset's dated rows that must fall in the quarter. @default 50 */
  readonly minRowsInPeriodPercent?: number | undefined;
  /** Extra clients.csv columns to segment by. @default [] */
  readonly segmentColumns?: string[] | undefined;
  /** Extra channel labels mapped onto the contract's two. @default {} */
  readonly channelLabels?: Record<string, 'self_service' | 'assisted'> | undefined;
  /** Per KPI; cost (lower is better) has none unless set. @default the KPI definitions' bands */
  readonly bands?:
    | {
        readonly clientIndependenceRate?: BandThresholds | undefined;
        readonly selfServiceAdoptionRate?: BandThresholds | undefined;
        readonly relationshipDepth?: BandThresholds | undefined;
        readonly empowermentSatisfactionScore?: BandThresholds | undefined;
        readonly netPromoterScore?: BandThresholds | undefined;
        readonly customerRetentionRate?: BandThresholds | undefined;
        readonly costToSupportPerClient?: { readonly strong: number; readonly moderate: number } | undefined;
      }
    | undefined;
  /** Per KPI, in its unit; `direction` is the side that is good (by default the KPI's own). */
  readonly targets?:
    | {
        readonly [K in KpiId]?:
          | { readonly value: number; readonly direction?: 'higher' | 'lower' | undefined }
          | undefined;
      }
    | undefined;
  /** Deployed only; accepted so that one file serves both. @default 1024 */
  readonly distributedAboveMiB?: number | undefined;
  /** The email. `computeQuarter` sends nothing; it uses `riskDropPoints` and `templateDir`. */
  readonly email?: EmailSettings | undefined;
}

export interface EmailSettings {
  readonly from?: string | undefined;
  readonly replyTo?: string | undefined;
  readonly recipients?: EmailRecipient[] | undefined;
  readonly send?: boolean | undefined;
  /** @default 5 */
  readonly riskDropPoints?: number | undefined;
  /** Templates overriding the built-in ones file by file; a relative path is resolved from the working directory. */
  readonly templateDir?: string | undefined;
  readonly unsubscribeAddress?: string | undefined;
  readonly viewOnline?: boolean | undefined;
  readonly ses?:
    | { readonly region?: string | undefined; readonly configurationSetName?: string | undefined }
    | undefined;
}

export interface EmailRecipient {
  readonly address: string;
  readonly name?: string | undefined;
  /** Limits the recipient to these segments. */
  readonly segments?: { readonly dimension: string; readonly value: string }[] | undefined;
}
