/**
 * Partial aggregates as bytes, for the distributed map step to leave in S3 for the reducer:
 * V8's structured-clone format keeps typed arrays and bigints as they are (no JSON of
 * millions of numbers), and a version tag refuses a partial written by another format.
 */
import { deserialize, serialize } from 'node:v8';
import type { StoredPartial } from '../fast/read-export-set-fast';

const FORMAT = 'kpi-report/partial/3';

export function encodePartial(stored: StoredPartial): Uint8Array {
  return serialize({ format: FORMAT, ...stored });
}

export function decodePartial(bytes: Uint8Array): StoredPartial {
  const value = deserialize(bytes) as { format?: string } & StoredPartial;
  if (value.format !== FORMAT) throw new Error(`not a ${FORMAT} partial aggregate (found ${value.format})`);
  return { partial: value.partial, provenance: value.provenance };
}
