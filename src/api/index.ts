/**
 * The engine as a library: the package's root export (`import … from 'kpi-report'`). Compute
 * a quarter's KPI snapshot from a data root, as `kpi-report run` does, without the CLI.
 * Everything here is the stable API (README "Embedding the engine"); the rest of the package
 * is internal. Built into dist/index.mjs with declarations that import nothing but each
 * other (scripts/build-api.ts).
 */

export { DataLocationError, OpenQuarterError } from '../core/errors';
// The store port, for an app's own store; a missing object is an ObjectNotFoundError.
export {
  type ExportStore,
  IncompleteReadError,
  type ListedVersion,
  ObjectNotFoundError,
  type StoredObject,
  type VersionedText,
} from '../core/ports';
export {
  type ComputedQuarter,
  type ComputeQuarterOptions,
  computeQuarter,
  type QuarterResult,
  type ReportFiles,
  SettingsError,
  type UnreportableQuarter,
} from './compute-quarter';
export type { BandThresholds, EmailRecipient, EmailSettings, KpiReportSettings } from './settings';
export type {
  DatasetName,
  DatasetQuality,
  FileRead,
  KpiBand,
  KpiId,
  KpiResult,
  KpiResults,
  KpiSnapshot,
  KpiTarget,
  RejectedRow,
  TrendPoint,
} from './snapshot';
export { type AwsCredentials, localStore, type S3StoreOptions, s3Store } from './stores';
